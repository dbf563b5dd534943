/**
 * `train --design auto`: each backward product's Γ designed from its measured class energies at
 * the scheduled iterations, recorded in design.csv and config.json; the designed Γ is never worse
 * (by the formula) than the configured one; before the first design the run is the plain run.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trainCommand } from '../experiments/train.ts';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { designForEnergies, isDesignIteration } from '../src/training/auto-design.ts';
import { parseCsv } from '../src/util/csv.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { sink, useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('auto-design-');
const SMALL = ['--scheme', 'ew', '--tmax', '1', '--limit', '320', '--epochs', '1', '--eval-every', '1000', '--test-limit', '200'];

test('the schedule: the warm-up iteration, then every E after it (0: once)', (t) => {
  const its = (warmup: number, every: number) => Array.from({ length: 12 }, (_, i) => i + 1).filter((i) => isDesignIteration({ warmup, every }, i));
  t.deepEqual(its(3, 0), [3]);
  t.deepEqual(its(3, 4), [3, 7, 11]);
  t.deepEqual(its(1, 1), Array.from({ length: 12 }, (_, i) => i + 1));
});

test('designForEnergies: skewed energies move Γ to the important classes; a zero product is not designed', (t) => {
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 1, latency: { lambda: 0.5 } });
  const skewed = designForEnergies(opts, [0.9, 0.09, 0.01], opts.gamma);
  t.truthy(skewed);
  t.true(Math.abs(skewed!.gamma.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  t.true(skewed!.loss <= skewed!.referenceLoss + 1e-12);
  t.true(skewed!.gamma[2] < opts.gamma[2], `less on class 3 than the configured ${opts.gamma[2]}: ${skewed!.gamma}`);
  t.is(designForEnergies(opts, [0, 0, 0], opts.gamma), null);
});

test.serial('train --design auto: six designs per scheduled iteration, recorded; the first step equals the plain run', async (t) => {
  const plain = join(tempDir(), 'plain');
  const auto = join(tempDir(), 'auto');
  await trainCommand([...SMALL, '--out', plain], { stdout: sink(), handleSignals: false });
  await trainCommand([...SMALL, '--design', 'auto', '--design-warmup', '2', '--design-every', '2', '--out', auto], { stdout: sink(), handleSignals: false });
  const rows = parseCsv(await readFile(join(auto, 'design.csv'), 'utf8'));
  t.is(rows.length, 12, '5 iterations: designs at 2 and 4, six products each');
  t.deepEqual([...new Set(rows.map((r) => r.iteration))], [2, 4]);
  for (const r of rows) {
    const g = String(r.gamma).split(';').map(Number);
    t.is(g.length, 3);
    t.true(Math.abs(g.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    t.true((r.loss as number) <= (r.reference_loss as number) + 1e-9, 'never worse than the configured Γ');
    const f = String(r.fractions).split(';').map(Number);
    t.true(Math.abs(f.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'the class energies are a partition of ‖C‖²');
  }
  const config = JSON.parse(await readFile(join(auto, 'config.json'), 'utf8'));
  t.deepEqual(config.options.design, { warmup: 2, every: 2 });
  t.is(Object.keys(config.design.last).length, 6);
  const m = (dir: string) => readFile(join(dir, 'metrics.csv'), 'utf8').then(parseCsv);
  const [a, b] = [await m(plain), await m(auto)];
  t.deepEqual(a[0], { ...b[0], step_ms: a[0].step_ms }, 'iteration 1 uses the configured Γ: the same step');
  t.notDeepEqual(a.map((r) => r.train_loss), b.map((r) => r.train_loss), 'the designed Γ changes the run');
});

test('--design auto is refused for the baseline, mds and product granularity, naming --design', async (t) => {
  const rest = SMALL.slice(2);
  for (const extra of [['--scheme', 'baseline'], ['--scheme', 'mds'], ['--scheme', 'now', '--granularity', 'product']]) {
    const err = await t.throwsAsync(trainCommand([...rest, ...extra, '--design', 'auto', '--out', join(tempDir(), 'x')], { stdout: sink(), handleSignals: false }));
    const msg = cliMessage(err);
    t.regex(msg, /^--design: /, msg);
  }
});
