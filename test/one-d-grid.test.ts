/**
 * The 1-D grids (issue 22): N×1 with importance levels from A's rows alone and 1×P from B's
 * columns. UEP (class windows), MDS, systematic MDS and uncoded run there, their formulas agree
 * with the Monte Carlo, and product windows (an A level × a B level) are refused.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codedMatMulF64, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { PAPER_MC_SETUP, classSizesOfSetup, simulateByWorkers, theoryVsTime, type LineSpec, type MonteCarloSetup } from '../src/montecarlo/index.ts';
import { OptionError } from '../src/config/index.ts';
import { matmul } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';
import { parseCsv } from '../src/util/csv.ts';
import { fig3 } from '../experiments/fig3.ts';
import { randomPair } from './helpers/matrices.ts';
import { cliMessage } from './helpers/cli-message.ts';

test('engine: 3 levels on 9×1 (from A) and 1×9 (from B) give classes of 3 blocks; everything arriving decodes A·B', (t) => {
  for (const [N, P, m, p] of [[9, 1, 45, 4], [1, 9, 4, 45]]) {
    const o = resolveCodedOptions({ scheme: 'ew', tmax: Infinity, rowBlocks: N, colBlocks: P, levels: 3, workers: 60 });
    t.deepEqual(o.grid.classSizes, [3, 3, 3]);
    const { A, B } = randomPair(m, 12, p, 9);
    const r = codedMatMulF64(A, B, o, new Rng(1));
    t.is(r.stats.blocksRecovered, 9);
    const C = matmul(A, B);
    t.true(r.C.data.every((v, e) => Math.abs(v - C.data[e]) < 1e-9 * 50));
  }
  const err = t.throws<OptionError>(() => resolveCodedOptions({ scheme: 'ew', tmax: 1, rowBlocks: 9, colBlocks: 1, levels: 3, granularity: 'product' }), { instanceOf: OptionError });
  t.is(err?.key, 'granularity');
  // a 2-D grid keeps the old rule: levels ≤ min(N, P)
  t.is(t.throws<OptionError>(() => resolveCodedOptions({ scheme: 'ew', tmax: 1, rowBlocks: 2, colBlocks: 3, levels: 3 }))?.key, 'levels');
});

test('Monte Carlo on 9×1 with the class table 0/0/0/1/1/1/2/2/2: NOW, EW, MDS, systematic MDS, uncoded agree with their formulas', async (t) => {
  const setup: MonteCarloSetup = { ...PAPER_MC_SETUP, U: 2, M: 12, Q: 2, rowBlocks: 9, colBlocks: 1, workers: 15, classTable: [[0], [0], [0], [1], [1], [1], [2], [2], [2]] };
  t.deepEqual(classSizesOfSetup(setup), [3, 3, 3]);
  const times = [0.4, 1, 2, 3.5];
  const lines: LineSpec[] = (['now', 'ew', 'mds', 'sysmds', 'uncoded'] as const).map((scheme) => ({ scheme, granularity: 'class' }));
  const r = await simulateByWorkers(setup, lines, { trials: 600, seed: 3, times, threads: 1 });
  for (const l of r.lines) {
    theoryVsTime(setup, l.line, times)!.forEach((v, g) => {
      const e = l.byTime[g];
      t.true(Math.abs(e.mean - v) <= (3 * e.sd) / Math.sqrt(e.n) + 3 / e.n, `${l.line.scheme} t=${times[g]}: MC ${e.mean} vs formula ${v}`);
    });
  }
});

test('fig3 --row-blocks 9 --col-blocks 1 --class-table 0/0/0/1/1/1/2/2/2 runs (class windows only); product-only windows are refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'one-d-'));
  try {
    const q = () => undefined;
    const common = ['--trials', '40', '--threads', '1', '--times', '0:2:1', '--U', '2', '--M', '10', '--Q', '2', '--no-progress'];
    await fig3(['--row-blocks', '9', '--col-blocks', '1', '--class-table', '0/0/0/1/1/1/2/2/2', '--schemes', 'ew,mds,uncoded,sysmds', ...common, '--out', dir], q);
    const rows = parseCsv(await readFile(join(dir, 'fig3.csv'), 'utf8'));
    t.deepEqual([...new Set(rows.map((r) => `${r.scheme}/${r.granularity}:${r.workers}`))], ['ew/class:15', 'mds/class:15', 'uncoded/class:9', 'sysmds/class:15']);
    // 1×P: levels from B's columns, by the level rule (no table)
    await fig3(['--row-blocks', '1', '--col-blocks', '9', '--schemes', 'now', ...common, '--out', dir], q);
    t.true((await readFile(join(dir, 'fig3.csv'), 'utf8')).includes('now,class'));
    const msg = cliMessage(await t.throwsAsync(fig3(['--row-blocks', '9', '--col-blocks', '1', '--granularities', 'product', ...common, '--out', dir], q)));
    t.regex(msg, /^--granularities: product windows .* 1-D 9×1 grid use class/);
    t.regex(cliMessage(await t.throwsAsync(fig3(['--row-blocks', '9', '--col-blocks', '1', '--variances', '4,3,2,1,1,1,1,1,1,1', ...common, '--out', dir], q))), /^--variances: at most max\(--row-blocks, --col-blocks\) on a 1-D grid = 9/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
