/**
 * The shipped cloud traces (data/traces/) and the burst-pool model: a source record and its CSV
 * row agree exactly, the pool's median maps to ln 2/λ, a call takes W invocations of one burst
 * (without replacement when it can), and bad files get one clear line naming --latency.
 */
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLatency, type LatencySpec } from '../src/coded-backprop/latency.ts';
import { burstScale, isBurstFile, readBurstFile } from '../src/coded-backprop/latency/bursts.ts';
import { burstRows, faasRow } from '../src/coded-backprop/latency/faas-records.ts';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { parseCsv } from '../src/util/csv.ts';
import { useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('bursts-');

// The first record of aws/run-experiment/results/work_size=10.json at commit 3012d72 (metadata trimmed).
const AWS_RECORD = `{
    "pystart_ms": 1588154440069.2083,
    "pyend_ms": 1588154447601.2551,
    "pyduration_ms": 7532.046875,
    "func_data": {
        "initTime_ms": 1588154440154.4956,
        "endTime_ms": 1588154447535.01,
        "duration_ms": 7380.51438331604,
        "mem_limit": "256"
    }
}`;
// The first record of azure/run-experiment/results/work_size=20.json (no func_data: duration at top level).
const AZURE_RECORD = `{
    "pystart_ms": 1583833799927.8657,
    "pyend_ms": 1583833848984.3179,
    "pyduration_ms": 49056.4521484375,
    "start": 1583833801286,
    "end": 1583833843196,
    "duration": 41910
}`;

function csvRow(provider: string, burst: string, index: number) {
  const rows = parseCsv(readFileSync(join('data', 'traces', `${provider}.csv`), 'utf8'));
  return rows.find((r) => r.burst === burst && r.index === index)!;
}

test('a source record and its CSV row agree exactly (task_ms = pyend_ms − pystart_ms, duration_ms)', (t) => {
  for (const [provider, burst, text] of [['aws', 'work_size=10', AWS_RECORD], ['azure', 'work_size=20', AZURE_RECORD]] as const) {
    const rec = faasRow(JSON.parse(text) as Record<string, unknown>, burst, 0, 0);
    const row = csvRow(provider, burst, 0);
    t.is(row.task_ms, rec.task_ms, provider);
    t.is(row.duration_ms, rec.duration_ms, provider);
  }
  t.is(csvRow('aws', 'work_size=10', 0).task_ms, 1588154447601.2551 - 1588154440069.2083);
});

test('the results format: comma-separated objects (not an array) parse; a bad record names its field', (t) => {
  const rows = burstRows(`${AWS_RECORD},\n${AZURE_RECORD}`, 'x');
  t.is(rows.length, 2);
  t.is(rows[1].duration_ms, 41910);
  t.throws(() => burstRows(`{"pystart_ms": 5, "pyend_ms": 3, "duration": 1}`, 'x'), { message: /x record 0: pyend_ms 3 is before pystart_ms 5/ });
  t.throws(() => burstRows(`{"pystart_ms": 1, "pyend_ms": "2"}`, 'x'), { message: /pyend_ms must be a finite number/ });
  t.throws(() => burstRows('', 'x'), { message: /no records/ });
});

test('every shipped trace is small and its pool median maps to ln 2/λ (no shift)', (t) => {
  for (const p of ['aws', 'azure', 'gcp', 'ibm']) {
    const file = join('data', 'traces', `${p}.csv`);
    t.true(readFileSync(file).length < 40_000, file);
    const data = readBurstFile(file);
    t.true(data.bursts.length >= 3, `${p}: ${data.bursts.length} bursts`);
    const lambda = 0.5;
    const all = data.bursts.flatMap((b) => [...b]).map((x) => x * burstScale(data, lambda)).sort((a, b) => a - b);
    const n = all.length;
    const med = n % 2 ? all[(n - 1) / 2] : (all[n / 2 - 1] + all[n / 2]) / 2;
    t.true(Math.abs(med - Math.LN2 / lambda) < 1e-12, `${p}: ${med}`);
  }
});

test('a call takes W invocations of one burst: distinct when the burst is large enough, with replacement otherwise', (t) => {
  const dir = tempDir();
  const file = join(dir, 'two.csv');
  // burst a: 3 invocations (1, 2, 3 ms); burst b: 5 (10..14 ms); median (10 + 11)/2 ms, mapped to ln 2/λ = 10.5: times unchanged
  writeFileSync(file, 'burst,task_ms\na,1\na,2\na,3\nb,10\nb,11\nb,12\nb,13\nb,14\n');
  const m = makeLatency({ model: `bursts:${file}`, lambda: Math.LN2 / 10.5, shift: 0, paretoScale: 1, paretoShape: 2, seed: 3 } as LatencySpec);
  const a = new Set([1, 2, 3]);
  const b = new Set([10, 11, 12, 13, 14]);
  let sawA = 0;
  let sawB = 0;
  for (let c = 0; c < 200; c++) {
    const x = [...m.callTimes!(0, 3)].map((v) => Math.round(v * 1e9) / 1e9);
    const from = x.every((v) => a.has(v)) ? 'a' : x.every((v) => b.has(v)) ? 'b' : 'mixed';
    t.not(from, 'mixed');
    t.is(new Set(x).size, 3, 'burst large enough: without replacement');
    from === 'a' ? sawA++ : sawB++;
    const y = [...m.callTimes!(1, 4)].map((v) => Math.round(v * 1e9) / 1e9);
    t.true(y.every((v) => a.has(v)) || (y.every((v) => b.has(v)) && new Set(y).size === 4));
  }
  t.true(sawA > 60 && sawB > 60, `${sawA} ${sawB}`);
});

test('an empty, malformed or missing trace: one line naming --latency', (t) => {
  const dir = tempDir();
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, 'burst,task_ms\n');
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'burst,task_ms\na,1\na,-3\n');
  const nocol = join(dir, 'nocol.csv');
  writeFileSync(nocol, 'x,y\n1,2\n');
  const r = (f: string) => () => resolveCodedOptions({ scheme: 'ew', tmax: 1, latency: { model: `bursts:${f}` as 'bursts:x' } });
  t.throws(r(empty), { message: /^latency: bursts: .*empty\.csv has no invocations/ });
  t.throws(r(bad), { message: /^latency: bursts: .*bad\.csv row 3: task_ms must be a number > 0 \(got -3\)/ });
  t.throws(r(nocol), { message: /lacks the column burst/ });
  t.throws(r(join(dir, 'none.csv')), { message: /no trace file/ });
});

test('isBurstFile reads a header only, of a regular file: /dev/zero and a directory are not burst files (fit-latency --trace /dev/zero read forever)', (t) => {
  t.false(isBurstFile('/dev/zero'));
  t.false(isBurstFile(tempDir()));
  const f = join(tempDir(), 'b.csv');
  writeFileSync(f, `burst,task_ms\n0,12\n`);
  t.true(isBurstFile(f));
});
