/**
 * `npm run stragglers`: the matrix-level Monte Carlo agrees with the i.i.d. theory where that is
 * exact (i.i.d. exponential, and markov with random assignment: every call is Theorem 1 under the
 * stationary mixture) within its batch-means interval; a tiny command run writes its files; bad
 * flags name themselves.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stragglers } from '../experiments/stragglers.ts';
import { iidTheory, LATENCY_PANELS, MATRIX_LINES, simulateLine } from '../src/figures/stragglers-matrix.ts';
import { parseCsv } from '../src/util/csv.ts';
import { useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('stragglers-');

for (const key of ['iid', 'markov-long']) {
  test(`${key}: EW and NOW with random assignment match the i.i.d. theory of the stationary marginal within the 99.9 % batch-means interval`, (t) => {
    const panel = LATENCY_PANELS.find((p) => p.key === key)!;
    for (const label of ['EW random', 'NOW random', 'uncoded']) {
      const line = MATRIX_LINES.find((l) => l.label === label)!;
      const tt = 1.5;
      const [p] = simulateLine(panel, line, [tt], 20, 60, 3);
      const theory = iidTheory(panel, line, tt);
      // widen the 99 % interval to 99.9 % (t quantiles 2.861 → 3.883 for 19 df)
      const half = ((p.high - p.low) / 2) * (3.883 / 2.861);
      t.true(Math.abs(p.mean - theory) < half, `${key} ${label}: ${p.mean} ± ${half} vs theory ${theory}`);
    }
  });
}

test('a tiny matrix run writes the CSV (with the theory column), the figure and the sidecar; bad flags are named', async (t) => {
  const out = join(tempDir(), 's');
  const written = await stragglers(['--part', 'matrix', '--runs', '2', '--calls', '3', '--times', '2', '--out', out], () => {});
  for (const f of ['matrix.csv', 'matrix.png', 'matrix.svg', 'stragglers-matrix.json']) t.true(existsSync(join(out, f)), f);
  t.true(written.length >= 4);
  const rows = parseCsv(readFileSync(join(out, 'matrix.csv'), 'utf8'));
  t.is(rows.length, LATENCY_PANELS.length * MATRIX_LINES.length);
  t.true(rows.filter((r) => String(r.line).endsWith('random')).every((r) => typeof r.iid_theory === 'number'));
  await t.throwsAsync(stragglers(['--part', 'everything', '--out', out], () => {}), { message: /^part: 'everything' is not one of matrix, train, all/ });
  await t.throwsAsync(stragglers(['--runs', '1', '--out', out], () => {}), { message: /^runs: must be an integer ≥ 2/ });
});
