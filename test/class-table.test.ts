/** The class table: one level-based rule everywhere, and an explicit table as an option. */
import test from 'ava';
import { blockLevels, paperClassTable as engineTable, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { PAPER_MC_SETUP, classSizesOfSetup, classTableOf, simulate, theoryVsReceived, type MonteCarloSetup } from '../src/montecarlo/index.ts';
import { paperClassTable as theoryTable } from '../src/theory/index.ts';
import { classTableRows, gridClassTable } from '../src/util/class-table.ts';

test('engine, theory and Monte Carlo use the same level-based rule, also beyond the 3×3 grid', (t) => {
  // 6×4 blocks with 3 levels: levels (0,0,1,1,2,2) and (0,0,1,2); min(i + j, 2) on indices would differ.
  const flat = engineTable(blockLevels(6, 3), blockLevels(4, 3), 3);
  t.deepEqual(flat, gridClassTable(6, 4, 3));
  t.deepEqual(theoryTable(6, 4, 3), classTableRows(flat, 4));
  t.deepEqual(theoryTable(6, 4, 3)[1], [0, 0, 1, 2]); // row block 1 has level 0, not index 1
  const opts = resolveCodedOptions({ scheme: 'ew', rowBlocks: 6, colBlocks: 4, levels: 3, workers: 30, tmax: 1 });
  t.deepEqual(opts.grid.classSizes, [4, 6, 14]);
  const S4: MonteCarloSetup = { ...PAPER_MC_SETUP, variances: [4, 3, 2, 1], gamma: [0.25, 0.25, 0.25, 0.25] };
  t.deepEqual(classTableOf(S4), theoryTable(4, 4, 4));
});

test('an explicit class table changes class sizes, formula and Monte Carlo; the default table gives the same numbers', (t) => {
  const setup: MonteCarloSetup = { ...PAPER_MC_SETUP, workers: 12 };
  const lines = [{ scheme: 'ew' as const, granularity: 'class' as const }];
  const run = (s: MonteCarloSetup) => simulate(s, lines, { trials: 300, seed: 3 });
  const same = run({ ...setup, classTable: classTableOf(setup) });
  t.deepEqual(same.lines[0].byReceived, run(setup).lines[0].byReceived);

  // HH and HM alone in class 0 (k = 2, 2, 5 instead of 1, 2, 6).
  const table = [
    [0, 0, 2],
    [1, 1, 2],
    [2, 2, 2],
  ];
  const custom: MonteCarloSetup = { ...setup, classTable: table };
  t.deepEqual(classSizesOfSetup(custom), [2, 2, 5]);
  const theory = theoryVsReceived(custom, lines[0])!;
  t.notDeepEqual([...theory], [...theoryVsReceived(setup, lines[0])!]);
  const mc = run(custom).lines[0].byReceived;
  // At N = 2 the formula differs between the tables; the Monte Carlo follows the custom one.
  const e = mc[2];
  t.true(Math.abs(e.mean - theory[2]) < 4 * (e.sd / Math.sqrt(e.n)) + 1e-9, `${e.mean} vs ${theory[2]}`);
  t.throws(() => simulate({ ...setup, classTable: [[0, 0, 0]] }, lines, { trials: 1, seed: 1 }), { message: /classTable: must have 3 rows/ });
  t.throws(() => simulate({ ...setup, classTable: [[0, 2, 2], [2, 2, 2], [2, 2, 2]] }, lines, { trials: 1, seed: 1 }), { message: /classTable: .*every class used/ });
});
