import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';

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
    [['--runtime', 'threads', '--straggle', 'none'], /--deadline-ms: required with --straggle none/],
    [['--runtime', 'threads', '--time-unit-ms', '0'], /--time-unit-ms: must be a positive/],
    [['--runtime', 'nats', '--server', 'http://x'], /--server: 'http:\/\/x' is not a NATS URL/],
    [['--runtime', 'nats', '--server', 'nats://127.0.0.1:1'], /--server: cannot connect to the NATS server at nats:\/\/127.0.0.1:1/],
  ] as [string[], RegExp][]) {
    const err = await t.throwsAsync(run(TSX, ['experiments/matmul.ts', '--trials', '5', ...args]));
    t.regex((err as unknown as { stderr: string }).stderr, pattern, args.join(' '));
  }
});
