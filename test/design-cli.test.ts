import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUserError } from '../experiments/cli-common.ts';
import { OptionError } from '../src/config/index.ts';
import { design } from '../experiments/design.ts';
import { parseCsv } from '../src/util/csv.ts';
import { lossVsReceived } from '../src/theory/expected-loss.ts';
import { paperClassEnergies } from '../src/theory/index.ts';
import { useTempDir } from './helpers/io.ts';

const dir = useTempDir('design-cli-');

test('one deadline: prints the optimal Γ, its loss, the paper Γ loss and the ratio; writes nothing', async (t) => {
  const lines: string[] = [];
  const written = await design(['--scheme', 'ew', '--tmax', '1', '--out', join(dir(), 'one')], (l) => lines.push(l));
  t.deepEqual(written, []);
  const text = lines.join('\n');
  t.regex(text, /optimal Γ\s+\(0\.\d{4}, 0\.\d{4}, 0\.\d{4}\)/);
  const loss = Number(/its loss\s+([\d.e-]+)/.exec(text)![1]);
  const ref = Number(/loss ([\d.e-]+)\n/.exec(text)![1]);
  t.true(Math.abs(ref - 0.064646) < 1e-5, `paper Γ loss ${ref}`); // docs/figures-2-4.md: EW formula 0.0646 at t = 1
  t.true(loss < ref);
  t.regex(text, /reference \/ optimal = \d+\.\d{3}/);
});

test('several deadlines: a CSV of optimal Γ and loss per deadline, plus a JSON sidecar', async (t) => {
  const out = join(dir(), 'sweep');
  const written = await design(['--scheme', 'now', '--tmax', '0.5,2', '--out', out], () => undefined);
  t.deepEqual(written.map((p) => p.slice(out.length + 1)), ['design-now.csv', 'design-now.json']);
  const rows = parseCsv(await readFile(join(out, 'design-now.csv'), 'utf8'));
  t.deepEqual(rows.map((r) => r.tmax), [0.5, 2]);
  for (const r of rows) {
    const sum = Number(r.gamma_1) + Number(r.gamma_2) + Number(r.gamma_3);
    t.true(Math.abs(sum - 1) < 1e-6);
    t.true(Number(r.loss) <= Number(r.reference_loss));
    t.true(Math.abs(Number(r.reference_over_optimal) - Number(r.reference_loss) / Number(r.loss)) < 1e-9);
  }
  const side = JSON.parse(await readFile(join(out, 'design-now.json'), 'utf8'));
  t.deepEqual(side.referenceGamma, [0.35, 0.35, 0.3]);
});

test('--tmax inf (as the figure commands): the loss once every worker has returned, still Γ-dependent', async (t) => {
  const out = join(dir(), 'inf');
  await design(['--scheme', 'now', '--tmax', '1,inf', '--out', out], () => undefined);
  const rows = parseCsv(await readFile(join(out, 'design-now.csv'), 'utf8'));
  t.deepEqual(rows.map((r) => Number(r.tmax)), [1, Infinity]);
  const [atOne, atInf] = rows.map((r) => ({ gamma: [r.gamma_1, r.gamma_2, r.gamma_3].map(Number), loss: Number(r.loss), ref: Number(r.reference_loss) }));
  // N(∞) = W surely, so the loss is Theorem 1's loss given all W = 40 packets (Fig. 3 setup).
  const allArrived = (g: number[]) => lossVsReceived('now', [1, 2, 6], g, paperClassEnergies(), 40)[40];
  t.true(Math.abs(atInf.loss - allArrived(atInf.gamma)) <= 1e-6 * atInf.loss + 1e-15, `${atInf.loss} vs ${allArrived(atInf.gamma)}`);
  t.true(Math.abs(atInf.ref - allArrived([0.35, 0.35, 0.3])) < 1e-12);
  // More time never hurts a fixed Γ, and the loss does not vanish: random windows can leave a class short.
  t.true(atInf.loss <= atOne.loss && atInf.ref <= atOne.ref);
  t.true(atInf.ref > 0 && atInf.loss < atInf.ref);
  const side = JSON.parse(await readFile(join(out, 'design-now.json'), 'utf8'));
  t.deepEqual(side.tmax, [1, 'inf']);
});

test('bad input: errors name the flag and the valid values', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--tmax', '1'], /--scheme: required, one of now, ew/],
    [['--scheme', 'mds', '--tmax', '1'], /--scheme: 'mds' is not one of now, ew/],
    [['--scheme', 'ew'], /--tmax: required/],
    [['--scheme', 'ew', '--tmax', '-1'], /--tmax: must be > 0/],
    // as train: a deadline of 0 receives nothing (it used to print "optimal Γ (1,0,0), loss 1")
    [['--scheme', 'ew', '--tmax', '0'], /--tmax: must be > 0/],
    [['--scheme', 'ew', '--tmax', '1', '--class-sizes', '1,3'], /--energies: the default is the Fig. 3 setup's 3 classes/],
    [['--scheme', 'ew', '--tmax', '1', '--class-sizes', '1,3', '--energies', '1,2,3'], /--energies: expected 2 values \(one per class/],
    [['--scheme', 'ew', '--tmax', '1', '--gamma', '0.5,0.5,0.5'], /--gamma: probabilities must sum to 1/],
    [['--scheme', 'ew', '--tmax', '1', '--latency', 'weibull'], /--latency: 'weibull' is not one of exponential, shifted-exponential, pareto/],
    [['--scheme', 'ew', '--tmax', '1', '--workers', '0'], /--workers: must be ≥ 1/],
    [['--scheme', 'ew', '--tmax', '1', '--gamma', '0.5,0.5'], /--gamma: must have 3 entries \(one per class of --class-sizes\)/],
    [['--scheme', 'ew', '--tmax', '1', '--granularity', 'product', '--class-sizes', '1,2,6'], /--class-sizes: applies to --granularity class only/],
    [['--scheme', 'ew', '--tmax', '1', '--granularity', 'product', '--latency', 'pareto'], /--latency: --granularity product runs the Monte Carlo/],
    [['--scheme', 'ew', '--tmax', '1', '--grid-points', 'x'], /--grid-points: "x" is not a number/],
  ];
  for (const [args, re] of cases) {
    const err = await t.throwsAsync(design([...args, '--out', join(dir(), 'bad')], () => undefined));
    t.true(isUserError(err), String(err));
    t.regex(err instanceof OptionError ? err.flagMessage : err!.message, re);
  }
});

test('npm run design: a bad value prints one line naming the flag; --help shows each default (preset fig3, results/design)', async (t) => {
  const run = promisify(execFile);
  const TSX = 'node_modules/.bin/tsx';
  const err = await t.throwsAsync(run(TSX, ['experiments/design.ts', '--scheme', 'ew', '--tmax', '1', '--grid-points', '0']));
  t.regex((err as unknown as { stderr: string }).stderr, /^error: --grid-points: must be ≥ 1 \(got 0\)\n$/);
  t.is((err as unknown as { code: number }).code, 1);
  const { stdout } = await run(TSX, ['experiments/design.ts', '--help']);
  // (yargs may wrap a long help text: the default then ends the next line)
  for (const [flag, value] of [['--out', 'results/design'], ['--workers', '40'], ['--lambda', '0.25'], ['--trials', '400'], ['--grid-points', '300'], ['--class-sizes', '1,2,6']]) {
    t.regex(stdout, new RegExp(`${flag} [^[]*\\[string\\][^\\n]*\\[default: ${value.replace(/[.]/g, '\\.')}\\]`), flag);
  }
});
