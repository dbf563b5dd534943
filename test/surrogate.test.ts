/**
 * The authors' surrogate (`--decoder surrogate`, comparison only): class erasures drawn
 * independently from the decoding probabilities. Its per-class keep frequencies match
 * Σ_N P(N)·P_{d,l}(N) within the Monte Carlo CI; repetition keeps a block when ANY copy arrived
 * (the authors' bug — erasing when either copy is missing — is fixed); MDS is all or nothing.
 */
import test from 'ava';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { layoutFor, receivedBy, workerTimes } from '../src/coded-backprop/plan-api.ts';
import { surrogateKept } from '../src/training/surrogate.ts';
import { decodingTable, receivedDistributionAtTime } from '../src/theory/index.ts';
import { Rng } from '../src/util/rng.ts';
import { useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('surrogate-');

const a = Float32Array.from({ length: 9 * 6 }, (_, i) => Math.sin(i + 1));
const b = Float32Array.from({ length: 6 * 9 }, (_, i) => Math.cos(i + 1));

for (const scheme of ['now', 'ew'] as const) {
  test(`${scheme}: surrogate keep frequency of each class = Σ_N P(N)·P_d,l(N) within the CI`, (t) => {
    const opts = resolveCodedOptions({ scheme, tmax: 1, latency: { lambda: 0.5 } });
    const layout = layoutFor(a, 9, 6, b, 9, opts);
    const table = decodingTable(scheme, opts.grid.classSizes, opts.gamma, opts.workers);
    const pN = receivedDistributionAtTime(opts.workers, 0.5, opts.K, 1);
    const expected = opts.grid.classSizes.map((_, l) => pN.reduce((s, p, n) => s + p * table[n][l], 0));
    const rng = new Rng(11);
    const n = 20000;
    const kept = opts.grid.classSizes.map(() => 0);
    const firstOf = opts.grid.classSizes.map((_, l) => layout.blockClass.indexOf(l));
    for (let i = 0; i < n; i++) {
      const times = workerTimes(opts.latency, opts.workers, opts.K, rng);
      const k = surrogateKept(opts, layout, receivedBy(times, 1), table, () => rng.uniform());
      firstOf.forEach((blk, l) => k[blk] && kept[l]++);
      // every block of a class shares its class's draw
      layout.blockClass.forEach((l, blk) => t.is(k[blk], k[firstOf[l]]) || undefined);
    }
    kept.forEach((c, l) => {
      const f = c / n;
      const half = 4 * Math.sqrt((expected[l] * (1 - expected[l])) / n) + 1e-9;
      t.true(Math.abs(f - expected[l]) <= half, `class ${l + 1}: ${f} vs ${expected[l]} ± ${half}`);
    });
  });
}

test('rep keeps a block when any copy arrived (the authors dropped it when either was missing); mds is all or nothing; uncoded follows its worker', (t) => {
  const rep = resolveCodedOptions({ scheme: 'rep', tmax: 1, latency: { lambda: 0.5 } });
  const layout = layoutFor(a, 9, 6, b, 9, rep);
  const times = new Float64Array(18).fill(5);
  times[3] = 0.1; // copy 1 of block 3 only
  times[9 + 4] = 0.1; // copy 2 of block 4 only
  const k = surrogateKept(rep, layout, receivedBy(times, 1), null, () => 0);
  t.deepEqual(k.map((x, blk) => (x ? blk : -1)).filter((x) => x >= 0), [3, 4]);
  const unc = resolveCodedOptions({ scheme: 'uncoded', tmax: 1, latency: { lambda: 0.5 } });
  const tu = new Float64Array(9).fill(5);
  tu[7] = 0.2;
  t.deepEqual(surrogateKept(unc, layout, receivedBy(tu, 1), null, () => 0).map((x, blk) => (x ? blk : -1)).filter((x) => x >= 0), [7]);
  const mds = resolveCodedOptions({ scheme: 'mds', tmax: 1, latency: { lambda: 0.5 } });
  const tm = new Float64Array(15).fill(5);
  for (let w = 0; w < 8; w++) tm[w] = 0.1;
  t.true(surrogateKept(mds, layout, receivedBy(tm, 1), null, () => 0).every((x) => !x), '8 of 9 needed: nothing');
  tm[8] = 0.1;
  t.is(receivedBy(tm, 1).length, 9);
  t.true(surrogateKept(mds, layout, receivedBy(tm, 1), null, () => 0).every(Boolean), '9: everything');
});

test.serial('train --decoder surrogate trains and records the decoder; bad combinations name --decoder', async (t) => {
  const { trainCommand } = await import('../experiments/train.ts');
  const { sink } = await import('./helpers/io.ts');
  const { cliMessage } = await import('./helpers/cli-message.ts');
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { parseCsv } = await import('../src/util/csv.ts');
  const dir = tempDir();
  const small = ['--limit', '320', '--epochs', '1', '--eval-every', '1000', '--test-limit', '200', '--tmax', '1'];
  const out = join(dir, 'ew');
  await trainCommand(['--scheme', 'ew', ...small, '--decoder', 'surrogate', '--out', out], { stdout: sink(), handleSignals: false });
  const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
  t.is(config.options.decoder, 'surrogate');
  const rows = parseCsv(await readFile(join(out, 'metrics.csv'), 'utf8'));
  t.is(rows.length, 5);
  for (const r of rows) t.true(Number.isInteger(r.blocks_recovered) && (r.blocks_recovered as number) <= 54 && r.blocks_withheld === 0, 'the surrogate withholds nothing');
  for (const extra of [['--scheme', 'baseline'], ['--scheme', 'now', '--granularity', 'product'], ['--scheme', 'ew', '--design', 'auto']]) {
    const err = await t.throwsAsync(trainCommand([...small, ...extra, '--decoder', 'surrogate', '--out', join(dir, 'x')], { stdout: sink(), handleSignals: false }));
    t.regex(cliMessage(err), /^--decoder: /);
  }
});
