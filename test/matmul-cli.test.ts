import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { DEFAULT_PRECISION_TOLERANCE } from '../src/coded-backprop/precision.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { runMatmulTrials } from '../src/workloads/matmul-trials.ts';

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';
test.before(async () => {
  await initBackend();
});

const FIG3 = { U: 5, M: 100, Q: 5, varA: [10, 1, 0.1], varB: [10, 1, 0.1] };

test('npm run matmul prints loss with CI, theory, blocks per class and decode error', async (t) => {
  const { stdout } = await run(TSX, ['experiments/matmul.ts', '--scheme', 'mds', '--tmax', '1', '--trials', '1500', '--seed', '3']);
  t.regex(stdout, /backend: /);
  const loss = Number(/normalised loss: ([\d.]+) +\(95% CI ([\d.]+) … ([\d.]+)\)/.exec(stdout)?.[1]);
  const theory = Number(/theory \(Th\. 1\): +([\d.]+)/.exec(stdout)?.[1]);
  t.true(Math.abs(theory - 0.4615) < 1e-3, 'the paper reports MDS 0.46 at t = 1');
  t.true(Math.abs(loss - theory) < 0.05, `Monte Carlo ${loss} near theory ${theory}`);
  t.regex(stdout, /class 1: [\d.]+\/1, class 2: [\d.]+\/2, class 3: [\d.]+\/6/);
  t.regex(stdout, /worst decode error/);
});

test('bad flags exit non-zero and name the flag', async (t) => {
  for (const [args, pattern] of [
    [['--tmax', '-1'], /tmax/],
    [['--gamma', '0.5,0.6,0.1'], /gamma.*sum to 1/],
    [['--scheme', 'ldpc'], /scheme.*uncoded.*rep.*mds.*now.*ew/],
    [['--scheme', 'mds', '--workers', '5'], /workers.*9/],
  ] as [string[], RegExp][]) {
    const err = await t.throwsAsync(run(TSX, ['experiments/matmul.ts', '--trials', '5', ...args]));
    t.regex((err as unknown as { stderr: string }).stderr, pattern, args.join(' '));
    t.is((err as unknown as { code: number }).code, 1);
  }
});

test('the tensor executor agrees with the float64 reference in distribution (EW, t = 1)', (t) => {
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 1, workers: 40, K: 1, gamma: [0.35, 0.35, 0.3], latency: { lambda: 0.25 } });
  const f64 = runMatmulTrials(FIG3, opts, 400, 'f64', new Rng(5));
  const ten = runMatmulTrials(FIG3, opts, 400, 'tensor', new Rng(5));
  // same seed, same draws: the two executors see identical matrices and received sets, so they
  // determine the same blocks; float32 withholds some low blocks for precision (float64 none here)
  const determined = (r: typeof f64) => r.classRecovered.map((c, l) => c + r.classWithheld[l]);
  t.deepEqual(determined(ten), determined(f64));
  t.deepEqual(f64.classWithheld, [0, 0, 0]);
  t.true(Math.abs(ten.loss.mean - f64.loss.mean) < 1e-3);
  // every recovered block, measured against its own norm: float32 within 10× the precision tolerance
  ten.classWorstRelError.forEach((e, l) => t.true(e <= 10 * DEFAULT_PRECISION_TOLERANCE, `float32 class ${l + 1}: ${e}`));
  f64.classWorstRelError.forEach((e, l) => t.true(e < 1e-9, `float64 class ${l + 1}: ${e}`));
});
