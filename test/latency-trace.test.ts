import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { DEFAULT_TRACE_TIME_UNIT_MS, makeLatency, readTraceTimes, workerTimes, type LatencyParams } from '../src/coded-backprop/latency.ts';
import { resolveValues } from '../src/config/index.ts';
import { DEFAULT_TIME_UNIT_MS } from '../src/runtime/options.ts';
import { OptionError } from '../src/util/option-error.ts';
import { Rng } from '../src/util/rng.ts';
import { useTempDir } from './helpers/io.ts';

const tmp = useTempDir('latency-trace-');

const HEADER = 'step,product,worker,dispatched_ms,replied_ms,in_time';
const PARAMS: LatencyParams = { lambda: 1, shift: 0, paretoScale: 1, paretoShape: 2 };

function traceDir(lines: string[], config?: unknown): string {
  const dir = mkdtempSync(join(tmp(), 'trace-'));
  writeFileSync(join(dir, 'trace.csv'), [HEADER, ...lines].join('\n') + '\n');
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return join(dir, 'trace.csv');
}

// One call (step 0) of 4 workers: two in time, one late (its end-of-call row has no reply, a later
// row has the late time; the late row's dispatched_ms is the call's start), one never replied.
const CALL = [
  '0,0,0,10,35,1',
  '0,0,1,10.5,60.5,1',
  '0,0,2,11,,0',
  '0,0,3,11.5,,0',
  '0,0,2,10,111,0',
];

test('task times: replied − dispatched in time units, late replies matched to their task, no reply = censored', (t) => {
  const tr = readTraceTimes(traceDir(CALL));
  t.is(tr.timeUnitMs, DEFAULT_TRACE_TIME_UNIT_MS);
  t.is(tr.timeUnitSource, 'default');
  t.is(tr.K, 1);
  t.deepEqual([...tr.times], [25 / 50, 50 / 50, 100 / 50]); // the late task: 111 − 11 (its own dispatch)
  t.is(tr.censored, 1);
  t.is(tr.late, 1);
});

test('traces with deadline_ms and time_unit_ms: the trace\'s unit wins over config.json, and tasks that missed the deadline are censored at it', (t) => {
  const header = `${HEADER},deadline_ms,time_unit_ms`;
  const dir = mkdtempSync(join(tmp(), 'trace-'));
  const file = join(dir, 'trace.csv');
  // call 0 starts at 10 with a 40 ms deadline; worker 3 was dispatched 1.5 ms after the start
  const lines = ['0,0,0,10,35,1,40,20', '0,0,1,10.5,40.5,1,40,20', '0,0,2,11,,0,40,20', '0,0,3,11.5,,0,40,20', '0,0,2,10,111,0,,20', '1,0,0,200,,0,inf,20'];
  writeFileSync(file, [header, ...lines].join('\n') + '\n');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ argv: ['--time-unit-ms', '99'], coded: { K: 2 } }));
  const tr = readTraceTimes(file);
  t.is(tr.timeUnitMs, 20);
  t.is(tr.timeUnitSource, 'trace');
  t.is(tr.K, 2);
  t.deepEqual([...tr.inTime], [(25 / 20) * 2, (30 / 20) * 2]);
  t.deepEqual([...tr.times], [(25 / 20) * 2, (30 / 20) * 2, (100 / 20) * 2]);
  t.is(tr.censored, 2);
  // late worker 2 and never-replied worker 3 at the deadline less their dispatch offsets; the call without a finite deadline at the largest in-time time
  t.deepEqual([...tr.censoredAt], [(39 / 20) * 2, (38.5 / 20) * 2, (30 / 20) * 2]);
  const mixed = join(dir, 'mixed.csv');
  writeFileSync(mixed, [header, '0,0,0,1,2,1,40,20', '0,0,1,1,3,1,40,25'].join('\n') + '\n');
  t.throws(() => readTraceTimes(mixed), { message: /mixes time units \(20 and 25 ms\)/ });
});

test('the default time unit is the real runtimes\' default', (t) => {
  t.is(DEFAULT_TRACE_TIME_UNIT_MS, DEFAULT_TIME_UNIT_MS);
});

test('time unit and K from a config.json beside the trace (a train run), overridden by the argument', (t) => {
  const file = traceDir(CALL, { command: 'train', argv: ['--runtime', 'threads', '--time-unit-ms', '20'], coded: { K: 0.6 }, options: { sites: null } });
  const tr = readTraceTimes(file);
  t.is(tr.timeUnitMs, 20);
  t.is(tr.K, 0.6);
  t.is(tr.KSource, 'config.json');
  t.true(Math.abs(tr.times[0] - (25 / 20) * 0.6) < 1e-12);
  const given = readTraceTimes(file, { timeUnitMs: 10, K: 1 });
  t.deepEqual([...given.times], [2.5, 5, 10]);
  // a run without --time-unit-ms used the runtimes' default
  t.is(readTraceTimes(traceDir(CALL, { argv: ['--runtime', 'threads'], coded: { K: 1 } })).timeUnitMs, 50);
  const m = makeLatency({ model: `trace-pool:${file},unit-ms=10,k=2`, ...PARAMS });
  t.is(m.cdf(5 * 2 - 1e-9), 1 / 4);
  t.is(m.cdf(5 * 2), 2 / 4);
});

test('trace-pool: bootstrap draws follow the pool (mean, ECDF, censored share never arrives) and the theory CDF is the ECDF', (t) => {
  const rng = new Rng(5);
  const lines: string[] = [];
  for (let s = 0; s < 300; s++) {
    const ms = 5 + 100 * rng.uniform() ** 2;
    lines.push(s % 10 === 9 ? `${s},1,0,0,,0` : `${s},1,0,0,${ms.toFixed(3)},1`);
  }
  const file = traceDir(lines);
  const tr = readTraceTimes(file);
  t.is(tr.censored, 30);
  const model = makeLatency({ model: `trace-pool:${file}`, ...PARAMS });
  const n = 60000;
  const draws = Float64Array.from({ length: n }, () => model.sample(rng));
  const finite = draws.filter(Number.isFinite);
  t.true(Math.abs(1 - finite.length / n - 0.1) < 0.006, `never-arriving share ${1 - finite.length / n}`);
  const poolMean = tr.times.reduce((a, b) => a + b, 0) / tr.times.length;
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  t.true(Math.abs(mean - poolMean) < 0.01 * poolMean, `mean ${mean} vs pool ${poolMean}`);
  for (const q of [0.2, 0.8, 1.5, 2.1, 10]) {
    const frac = draws.filter((x) => x <= q).length / n;
    t.true(Math.abs(frac - model.cdf(q)) < 0.006, `t = ${q}: ${frac} vs ECDF ${model.cdf(q)}`);
  }
  t.is(model.cdf(Infinity), 0.9);
  // W/K scaling as for every model: worker times are draws / K
  const K = 0.5;
  const times = workerTimes(model, 40000, K, new Rng(3));
  const frac = times.filter((x) => x < 1).length / times.length;
  t.true(Math.abs(frac - model.cdf(K * 1)) < 0.01);
  t.regex(model.name, /^trace-pool\(trace\.csv: 270 times \+ 30 never replied, unit 50 ms, ×K 1\)$/);
});

test('--latency trace-pool:FILE through the option catalogue and the engine: a missing or malformed file names --latency and the valid values', (t) => {
  const e = t.throws(() => resolveValues(['latency'], { latency: 'trace-pool:missing.csv' }), { instanceOf: OptionError });
  t.regex(e!.flagMessage, /^--latency: trace-pool: no trace file missing\.csv \(valid: exponential, shifted-exponential, pareto, gamma, trace-pool:FILE, trace:FILE\)$/);
  t.throws(() => resolveValues(['latency'], { latency: 'trace-pool' }), { message: /^latency: trace-pool needs its FILE/ });
  t.throws(() => resolveValues(['latency'], { latency: 'pareto:x' }), { message: /^latency: pareto takes no argument/ });
  const noColumn = traceDir([]).replace(/trace\.csv$/, 'bad.csv');
  writeFileSync(noColumn, 'step,worker\n1,2\n');
  t.throws(() => resolveValues(['latency'], { latency: `trace-pool:${noColumn}` }), { message: /lacks the columns product, dispatched_ms, replied_ms, in_time/ });
  const allCensored = traceDir(['0,0,0,1,,0']);
  t.throws(() => resolveValues(['latency'], { latency: `trace-pool:${allCensored}` }), { message: /no task .* has a reply/ });
  t.throws(() => resolveValues(['latency'], { latency: `trace-pool:${traceDir(['0,0,0,5,3,1'])}` }), { message: /before dispatched_ms/ });
  t.throws(() => resolveCodedOptions({ scheme: 'mds', tmax: 1, latency: { model: 'trace-pool:missing.csv' } }), { instanceOf: OptionError, message: /^latency: trace-pool: no trace file/ });
  // a good file: the catalogue keeps the value, the engine resolves it (name in any case)
  const file = traceDir(CALL);
  t.is(resolveValues(['latency'], { latency: `trace-pool:${file}` }).latency, `trace-pool:${file}`);
  const opts = resolveCodedOptions({ scheme: 'mds', tmax: 1, workers: 12, latency: { model: `Trace-Pool:${file}` as 'trace-pool' } });
  t.is(opts.latencySpec.model, `trace-pool:${file}`);
  t.regex(opts.latency.name, /^trace-pool\(/);
  t.false('gammaShape' in opts.latencySpec, 'other models\' specs are unchanged');
});
