import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseCsv } from '../src/util/csv.ts';
import { useTempDir } from './helpers/io.ts';

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';
const tempDir = useTempDir('runtime-matmul-');

test('matmul --runtime threads --trace: one row per task (plus late replies), in-time rows match the count', async (t) => {
  const file = join(tempDir(), 'trace.csv');
  const { stdout } = await run(TSX, ['experiments/matmul.ts', '--runtime', 'threads', '--threads', '1', '--scheme', 'mds', '--trials', '4', '--trace', file]);
  const rows = parseCsv(await readFile(file, 'utf8'));
  t.deepEqual(Object.keys(rows[0]), ['step', 'product', 'worker', 'dispatched_ms', 'replied_ms', 'in_time', 'deadline_ms', 'time_unit_ms']);
  t.true(rows.every((r) => r.time_unit_ms === 50), 'the default time unit on every row');
  const deadline = Number(/deadline T_max × 50 ms = ([\d.]+) ms/.exec(stdout)?.[1]);
  t.true(deadline > 0);
  t.true(rows.filter((r) => r.in_time === 1).every((r) => r.deadline_ms === deadline && (r.replied_ms as number) - (r.dispatched_ms as number) < deadline + 0.001));
  const inTime = Number(/replies in time (\d+) of 160, late (\d+)/.exec(stdout)?.[1]);
  const late = Number(/replies in time \d+ of 160, late (\d+)/.exec(stdout)?.[1]);
  t.is(rows.filter((r) => r.in_time === 1).length, inTime);
  t.true(rows.length >= 160 && rows.length <= 160 + late);
  for (const r of rows.filter((x) => x.in_time === 1)) t.true((r.replied_ms as number) >= (r.dispatched_ms as number));
  t.deepEqual([...new Set(rows.map((r) => r.step))].sort(), [0, 1, 2, 3]);
  // replayed in the simulator, the same seed receives exactly the recorded in-time workers
  const replay = await run(TSX, ['experiments/matmul.ts', '--scheme', 'mds', '--trials', '4', '--latency', `trace:${file}`]);
  const mean = Number(/workers received: ([\d.]+) of 40/.exec(replay.stdout)?.[1]);
  t.is(mean, inTime / 4, replay.stdout);
});

test('npm run matmul -- --runtime threads: MDS at t = 1 on worker threads agrees with Theorem 1 (≈ 0.46) within the CI', async (t) => {
  const { stdout } = await run(TSX, ['experiments/matmul.ts', '--runtime', 'threads', '--threads', '2', '--time-unit-ms', '250', '--scheme', 'mds', '--tmax', '1', '--trials', '100', '--seed', '3']);
  t.log(stdout.split('\n').filter((l) => /runtime:|normalised|theory|received/.test(l)).join('\n'));
  t.regex(stdout, /runtime: threads \(2 worker threads\), injected delays = model draws × 250 ms, deadline T_max × 250 ms = 250 ms/);
  const m = /normalised loss: ([\d.]+) +\(95% CI ([\d.]+) … ([\d.]+)\)/.exec(stdout);
  t.truthy(m, stdout);
  const [loss, lo, hi] = [Number(m![1]), Number(m![2]), Number(m![3])];
  const theory = Number(/theory \(Th\. 1\): +([\d.]+)/.exec(stdout)?.[1]);
  t.true(Math.abs(theory - 0.4615) < 1e-3);
  t.true(theory >= lo && theory <= hi, `theory ${theory} inside the Monte Carlo CI ${lo} … ${hi} (mean ${loss})`);
  const d = /differs from sim for (\d+) of (\d+) worker draws/.exec(stdout);
  t.truthy(d);
  t.true(Number(d![1]) < 0.05 * Number(d![2]), 'only draws near T_max differ from sim');
});

test('matmul: runtime flags are checked and named', async (t) => {
  for (const [args, pattern] of [
    [['--runtime', 'mpi'], /runtime.*sim.*threads.*nats/],
    [['--trace', 'x.csv'], /--trace: only real runtimes/],
    [['--runtime', 'threads', '--straggle', 'none'], /--deadline-ms: required with --straggle none/],
    [['--runtime', 'threads', '--time-unit-ms', '0'], /--time-unit-ms: must be a positive/],
    [['--runtime', 'nats', '--server', 'http://x'], /--server: 'http:\/\/x' is not a NATS URL/],
    [['--runtime', 'nats', '--server', 'nats://127.0.0.1:1'], /--server: cannot connect to the NATS server at nats:\/\/127.0.0.1:1/],
  ] as [string[], RegExp][]) {
    const err = await t.throwsAsync(run(TSX, ['experiments/matmul.ts', '--trials', '5', ...args]));
    t.regex((err as unknown as { stderr: string }).stderr, pattern, args.join(' '));
  }
});
