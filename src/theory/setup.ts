/**
 * The parameters of the paper's Sec. V-A (Figs. 2–4) as defaults.
 */
import { classTableRows, gridClassTable } from '../util/class-table.ts';
import { PRESETS } from '../util/presets.ts';
import { classEnergies, classSizesFromTable } from './expected-loss.ts';

/** Importance levels of A's row blocks and B's column blocks, most important first. */
export const LEVELS = ['H', 'M', 'L'] as const;

/** Figs. 2–4 setup (DESIGN.md §6); W, λ, K and Γ are the `fig3` preset's (src/util/presets.ts). */
export const PAPER_SETUP = Object.freeze({
  /** Number of workers W. */
  W: PRESETS.fig3.workers,
  /** Exponential rate λ of one worker. */
  lambda: PRESETS.fig3.lambda,
  /** Time scaling K (worker CDF F(K·t)). */
  K: PRESETS.fig3.K,
  /** Window-selection distribution Γ over the 3 classes. */
  gamma: Object.freeze([...PRESETS.fig3.gamma]) as readonly number[],
  /** Blocks per class k = (1, 2, 6). */
  k: Object.freeze([1, 2, 6]) as readonly number[],
  /** Rows per block of A. */
  U: 5,
  /** Columns per block of B. */
  Q: 5,
  /** Inner dimension. */
  M: 100,
  /** Row blocks of A. */
  N: 3,
  /** Column blocks of B. */
  P: 3,
  /** Entry variance for levels H, M, L (block n of A / p of B has level n / p). */
  levelVariances: Object.freeze([10, 1, 0.1]) as readonly number[],
});

/**
 * The paper's class table on an N×P grid with L levels per axis and L classes, by the one
 * level-based rule (util/class-table.ts): on 3×3 with L = 3, class 0 = HH, class 1 = HM and MH,
 * class 2 = the other six blocks.
 * @returns classTable[i][j]
 */
export function paperClassTable(N: number = PAPER_SETUP.N, P: number = PAPER_SETUP.P, L = 3): number[][] {
  return classTableRows(gridClassTable(N, P, L), P);
}

/** Class energies E_l of the paper's setup: 2500·(100, 20, 3.21). */
export function paperClassEnergies(): number[] {
  const s = PAPER_SETUP;
  return classEnergies({
    varA: s.levelVariances,
    varB: s.levelVariances,
    U: s.U,
    M: s.M,
    Q: s.Q,
    classTable: paperClassTable(),
  });
}

/** Class sizes of the paper's table: (1, 2, 6). */
export function paperClassSizes(): number[] {
  return classSizesFromTable(paperClassTable());
}
