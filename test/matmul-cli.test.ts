import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { DEFAULT_PRECISION_TOLERANCE } from '../src/coded-backprop/precision.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { runMatmulTrials } from '../src/workloads/matmul-trials.ts';
import { parseCsv } from '../src/util/csv.ts';
import { matmul } from '../experiments/matmul.ts';
import { OptionError } from '../src/config/index.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  t.regex(stdout, /worst relative decode error per class \(recovered blocks, vs the exact block.s own norm\): class 1: /);
});

test('bad flags exit non-zero and name the flag', async (t) => {
  for (const [args, pattern] of [
    [['--tmax', '-1'], /tmax/],
    [['--gamma', '0.5,0.6,0.1'], /gamma.*sum to 1/],
    [['--scheme', 'ldpc'], /scheme.*uncoded.*rep.*mds.*now.*ew/],
    [['--scheme', 'mds', '--workers', '5'], /workers.*9/],
    [['--tmax', 'abc'], /^error: --tmax: "abc" is not a number/],
    [['--M', 'abc'], /^error: --M: /],
    [['--tmax'], /^error: Not enough arguments following: tmax/],
    [['--out', '/proc/matmul-out'], /^error: --out: .*proc/],
    [['--executor', 'gpu'], /^error: --executor: 'gpu' is not one of f64, tensor\n$/],
  ] as [string[], RegExp][]) {
    const err = await t.throwsAsync(run(TSX, ['experiments/matmul.ts', '--trials', '5', ...args]));
    const stderr = (err as unknown as { stderr: string }).stderr;
    t.regex(stderr, pattern, args.join(' '));
    t.is(stderr.trim().split('\n').length, 1, `one line, no stack trace: ${stderr}`);
    t.is((err as unknown as { code: number }).code, 1);
  }
});

test('catalogue flags: a bad value is an OptionError naming the flag, before anything runs', async (t) => {
  for (const [args, message] of [
    [['--trials', '0'], '--trials: must be ≥ 1 (got 0)'],
    [['--trials', '2.5'], '--trials: must be an integer (got 2.5)'],
    [['--variances', '0,0'], '--variances: at least one variance must be > 0'],
    [['--U', '0'], '--U: must be ≥ 1 (got 0)'],
    [['--packets', 'x'], '--packets: "x" is not a number'],
    [['--packet-classes', '0,a'], '--packet-classes: "a" is not a number'],
    [['--partition', 'rxr'], "--partition: 'rxr' is not one of rxc, cxr"],
    [['--scheme', 'baseline'], '--scheme: matmul runs a code (uncoded, rep, mds, now, ew, sysmds, product, bacc); baseline is the exact product'],
  ] as [string[], string][]) {
    const err = await t.throwsAsync<OptionError>(matmul(args, () => undefined), { instanceOf: OptionError }, args.join(' '));
    t.is(err?.flagMessage, message);
  }
});

test('npm run matmul --help: every flag with its default (the Fig. 3 setup at T_max = 1, 2000 trials)', async (t) => {
  const { stdout } = await run(TSX, ['experiments/matmul.ts', '--help']);
  // (yargs may wrap a long help text: the default then ends the next line)
  for (const [flag, value] of [
    ['--trials', '2000'], ['--tmax', '1'], ['--workers', '40'], ['--lambda', '0.25'], ['--gamma', '0.35,0.35,0.3'], ['--variances', '10,1,0.1'],
    ['-M', '100'], ['--executor', 'f64'], ['--partition', 'rxc'], ['--packets', '9'], ['--packet-classes', '3 equal groups, most important first'], ['--runtime', '"sim"'],
  ]) {
    t.regex(stdout, new RegExp(`${flag} [^[]*\\[(string|boolean)\\][^\\n]*\\[default: ${value.replace(/[.]/g, '\\.')}\\]`), flag);
  }
});

test('--out writes one CSV row per class with the seed, recovered and withheld means and the worst error per class', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'matmul-out-'));
  try {
    const lines: string[] = [];
    const written = await matmul(['--scheme', 'now', '--trials', '50', '--seed', '4', '--out', dir], (l) => lines.push(l));
    t.deepEqual(written, [join(dir, 'matmul.csv')]);
    const rows = parseCsv(await readFile(written[0], 'utf8'));
    t.is(rows.length, 3);
    t.deepEqual(rows.map((r) => r.class), [1, 2, 3]);
    t.deepEqual(rows.map((r) => r.class_size), [1, 2, 6]);
    for (const r of rows) {
      t.is(r.seed, 4);
      t.is(r.trials, 50);
      t.true((r.recovered_mean as number) >= 0 && (r.recovered_mean as number) <= (r.class_size as number));
      t.true((r.worst_rel_error as number) < 1e-9, 'float64 decodes to rounding');
    }
    t.regex(lines.join('\n'), /worst relative decode error per class/);
  } finally {
    await rm(dir, { recursive: true, force: true });
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
