/**
 * The parameters of the Monte Carlo of Figs. 3–4 (paper Sec. V-A), their validation, and the
 * matching formulas of Sec. IV.
 *
 * A is (N·U)×M and B is M×(P·Q) (N = rowBlocks, P = colBlocks, both default S =
 * variances.length importance levels: one block per level). Row block i of A has level
 * floor(i·S/N) (util/class-table.ts blockLevels; the same for B's column blocks) and entries
 * i.i.d. N(0, variances[level]). C block (i, j) has class min(level_i + level_j, S − 1) by the one
 * level-based rule (S = 3 on 3×3: HH; HM and MH; the other six), or the class of an explicit
 * `classTable` (N rows of P). E‖C_ij‖² = M·U·Q·σ²_i·σ²_j, so E‖C‖² is known exactly.
 */
import { getCode, resolveCodedOptions, type Granularity, type Ordering, type ResolvedCodedOptions } from '../coded-backprop/plan-api.ts';
import { blockLevels, classSizesOf, classTableRows, gridClassTable, maxGridLevels } from '../util/class-table.ts';
import {
  PAPER_SETUP,
  checkGamma,
  classEnergies,
  blockEnergy,
  classSizesFromTable,
  copiesLossAtProbability,
  lossAtProbability,
  productCodeLossVsReceived,
  systematicMdsLossAtProbability,
  systematicMdsLossVsReceived,
  copiesLossVsReceived,
  expectedLossCurve,
  exponentialCdf,
  lossVsReceived,
} from '../theory/index.ts';

/**
 * Schemes the Monte Carlo runs (each with its formula). uncoded and rep run with their own worker
 * count where the setup's does not fit them ({@link lineWorkers}).
 */
export const MC_SCHEMES = ['now', 'ew', 'mds', 'uncoded', 'rep', 'sysmds', 'product', 'bacc'] as const;
export type McScheme = (typeof MC_SCHEMES)[number];

/** Window granularities of the UEP codes (MDS has only 'class'). */
export const MC_GRANULARITIES: readonly Granularity[] = ['class', 'product'];

/** Orderings of rows of A / columns of B before blocking. */
export const MC_ORDERINGS: readonly Ordering[] = ['l2', 'mean-abs', 'none'];

/** One curve of the figure: a scheme with a window granularity. */
export interface LineSpec {
  scheme: McScheme;
  granularity: Granularity;
}

/** Everything that defines one Monte Carlo experiment except trials and seed. */
export interface MonteCarloSetup {
  /** Rows per row block of A. */
  U: number;
  /** Inner dimension. */
  M: number;
  /** Columns per column block of B. */
  Q: number;
  /** Entry variance of each importance level, most important first (S = length ≥ 1). */
  variances: readonly number[];
  /** Row blocks N of A (default S); block i has level floor(i·S/N). */
  rowBlocks?: number;
  /** Column blocks P of B (default S). */
  colBlocks?: number;
  /** Number of workers W. */
  workers: number;
  /** Exponential rate λ > 0 of one worker. */
  lambda: number;
  /** Time scaling K > 0: worker times are Exp(λ·K) (Fig. 3 uses K = 1). */
  K: number;
  /** Window-selection distribution Γ (length S: over classes, or over levels for product granularity). */
  gamma: readonly number[];
  /** Ordering of A's rows and B's columns by norm before blocking. */
  ordering: Ordering;
  /**
   * Explicit class of each C block, classTable[i][j] (N rows of P entries, classes 0..L−1, every
   * class used); undefined = the level-based rule. Class-window Γ then has L entries.
   */
  classTable?: readonly (readonly number[])[];
  /** Decoder's relative tolerance (pivots, least-squares residual); undefined = the engine's default. */
  tolerance?: number;
}

/** The paper's Sec. V-A setup (Figs. 3–4). */
export const PAPER_MC_SETUP: Readonly<MonteCarloSetup> = Object.freeze({
  U: PAPER_SETUP.U,
  M: PAPER_SETUP.M,
  Q: PAPER_SETUP.Q,
  variances: PAPER_SETUP.levelVariances,
  workers: PAPER_SETUP.W,
  lambda: PAPER_SETUP.lambda,
  K: PAPER_SETUP.K,
  gamma: PAPER_SETUP.gamma,
  ordering: 'l2' as Ordering,
});

/** Stable label of a line, e.g. "now/class". */
export function lineKey(line: LineSpec): string {
  return `${line.scheme}/${line.granularity}`;
}

/** Whether the scheme has windows (NOW, EW): the others are one line (granularity 'class'). */
export function hasWindows(scheme: McScheme): boolean {
  return scheme === 'now' || scheme === 'ew';
}

/**
 * The lines for a list of schemes and granularities, scheme-major. MDS, uncoded and rep have one
 * line (granularity 'class': no windows) whenever listed, whatever the granularities.
 */
export function linesFor(schemes: readonly McScheme[], granularities: readonly Granularity[]): LineSpec[] {
  const lines: LineSpec[] = [];
  for (const scheme of schemes) {
    if (!hasWindows(scheme)) lines.push({ scheme, granularity: 'class' });
    else for (const granularity of granularities) lines.push({ scheme, granularity });
  }
  return lines;
}

function positiveInteger(v: number, name: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${name}: must be an integer ≥ 1, got ${String(v)}`);
}

function positiveFinite(v: number, name: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${name}: must be a finite number > 0, got ${String(v)}`);
}

/**
 * Validates a setup; throws RangeError naming the option (`names` maps option → the name to
 * report, e.g. a command's flag).
 */
export function checkSetup(setup: MonteCarloSetup, names: Partial<Record<keyof MonteCarloSetup, string>> = {}): void {
  const n = (k: keyof MonteCarloSetup) => names[k] ?? k;
  positiveInteger(setup.U, n('U'));
  positiveInteger(setup.M, n('M'));
  positiveInteger(setup.Q, n('Q'));
  const v = setup.variances;
  if (!Array.isArray(v) || v.length === 0) throw new RangeError(`${n('variances')}: must list at least one variance (one per importance level)`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new RangeError(`${n('variances')}: variances must be finite and ≥ 0, got ${String(x)} at position ${i + 1}`);
    }
  });
  if (!v.some((x) => x > 0)) throw new RangeError(`${n('variances')}: at least one variance must be > 0`);
  if (setup.rowBlocks !== undefined) positiveInteger(setup.rowBlocks, n('rowBlocks'));
  if (setup.colBlocks !== undefined) positiveInteger(setup.colBlocks, n('colBlocks'));
  positiveInteger(setup.workers, n('workers'));
  positiveFinite(setup.lambda, n('lambda'));
  positiveFinite(setup.K, n('K'));
  const { N, P } = gridOf(setup);
  if (v.length > maxGridLevels(N, P)) {
    throw new RangeError(
      `${n('variances')}: at most ${N === 1 || P === 1 ? `max(${n('rowBlocks')}, ${n('colBlocks')}) on a 1-D grid` : `min(${n('rowBlocks')}, ${n('colBlocks')})`} = ${maxGridLevels(N, P)} importance levels on a ${N}×${P} grid, got ${v.length}`,
    );
  }
  if (setup.classTable !== undefined) checkClassTable(setup.classTable, N, P, n('classTable'));
  const L = classSizesOfSetup(setup).length;
  checkGamma(
    setup.gamma,
    L,
    n('gamma'),
    setup.classTable === undefined ? `one per importance level / class, as many as ${n('variances')}` : `one per class of ${n('classTable')}`,
  );
  if (!MC_ORDERINGS.includes(setup.ordering)) {
    throw new RangeError(`${n('ordering')}: must be one of ${MC_ORDERINGS.join(', ')}, got ${JSON.stringify(setup.ordering)}`);
  }
  if (setup.tolerance !== undefined) positiveFinite(setup.tolerance, n('tolerance'));
}

/** Number of importance levels S (= classes L of the level-based rule). */
export function levelsOf(setup: MonteCarloSetup): number {
  return setup.variances.length;
}

/** The block grid: N row blocks of A, P column blocks of B (default S each), N·P blocks of C. */
export function gridOf(setup: MonteCarloSetup): { N: number; P: number; blocks: number } {
  const S = levelsOf(setup);
  const N = setup.rowBlocks ?? S;
  const P = setup.colBlocks ?? S;
  return { N, P, blocks: N * P };
}

/** Entry variance of each row block of A (length N) and column block of B (length P). */
export function blockVariances(setup: MonteCarloSetup): { varA: number[]; varB: number[] } {
  const S = levelsOf(setup);
  const { N, P } = gridOf(setup);
  return {
    varA: blockLevels(N, S).map((l) => setup.variances[l]),
    varB: blockLevels(P, S).map((l) => setup.variances[l]),
  };
}

/** The default worker count of an N×P grid: round(5/3 · N·P) (Table III's 15 on 3×3). */
export function defaultWorkers(blocks: number): number {
  return Math.round((5 / 3) * blocks);
}

/** The class table of the setup: the explicit one, else the level-based rule (util/class-table.ts). */
export function classTableOf(setup: MonteCarloSetup): number[][] {
  const S = levelsOf(setup);
  const { N, P } = gridOf(setup);
  if (setup.classTable !== undefined) return setup.classTable.map((row) => [...row]);
  return classTableRows(gridClassTable(N, P, S), P);
}

/** Checks an explicit N×P class table: integers ≥ 0, classes 0..L−1 all used. */
function checkClassTable(table: readonly (readonly number[])[], N: number, P: number, name: string): void {
  if (!Array.isArray(table) || table.length !== N || table.some((row) => !Array.isArray(row) || row.length !== P)) {
    throw new RangeError(`${name}: must have ${N} rows of ${P} classes (one per C block of the ${N}×${P} grid)`);
  }
  const flat = table.flat();
  if (flat.some((c) => typeof c !== 'number' || !Number.isInteger(c) || c < 0)) throw new RangeError(`${name}: classes must be integers ≥ 0`);
  if (classSizesOf(flat).some((k) => k === 0)) throw new RangeError(`${name}: classes must be 0..L−1 with every class used`);
}

/** Class sizes k (blocks per class). S = 3: (1, 2, 6). */
export function classSizesOfSetup(setup: MonteCarloSetup): number[] {
  return classSizesFromTable(classTableOf(setup));
}

/** Class energies E_l = Σ_{blocks of class l} M·U·Q·σ²_i·σ²_j. */
export function classEnergiesOfSetup(setup: MonteCarloSetup): number[] {
  const { varA, varB } = blockVariances(setup);
  return classEnergies({
    varA,
    varB,
    U: setup.U,
    M: setup.M,
    Q: setup.Q,
    classTable: classTableOf(setup),
  });
}

/**
 * E‖C‖² = Σ_l E_l (theory's blockEnergy, summed class by class): the Monte Carlo normaliser.
 * (Summed by class, not by block as theory's totalEnergy does, so the published Monte Carlo numbers keep every bit.)
 */
export function expectedEnergy(setup: MonteCarloSetup): number {
  return classEnergiesOfSetup(setup).reduce((a, b) => a + b, 0);
}

/**
 * The workers W of one line: the setup's, except for uncoded and rep when the setup's W does not
 * fit the code (uncoded: W = N·P; rep: a positive multiple of N·P); then the code's Table III
 * default (src/coded-backprop/codes: uncoded N·P, rep 2·N·P). Every worker of every line has the
 * same time distribution (Exp(λ·K), the setup's K): each computes one block-sized product.
 */
export function lineWorkers(setup: MonteCarloSetup, line: LineSpec): number {
  if (hasWindows(line.scheme) || line.scheme === 'mds') return setup.workers;
  const code = getCode(line.scheme);
  const { N, P } = gridOf(setup);
  const classSizes = classSizesOfSetup(setup);
  const grid = { N, P, levels: levelsOf(setup), classSizes };
  try {
    code.check({ workers: setup.workers, granularity: line.granularity, gamma: [...setup.gamma] }, grid);
    return setup.workers;
  } catch {
    return code.defaultWorkers(grid);
  }
}

/** The setup as one line runs it: with the line's workers ({@link lineWorkers}). */
export function lineSetup(setup: MonteCarloSetup, line: LineSpec): MonteCarloSetup {
  const workers = lineWorkers(setup, line);
  return workers === setup.workers ? setup : { ...setup, workers };
}

/**
 * The engine's resolved options for one line of the setup, with the line's workers (deadline ∞:
 * the Monte Carlo grows the received set itself).
 */
export function resolveLine(setup: MonteCarloSetup, line: LineSpec): ResolvedCodedOptions {
  const S = levelsOf(setup);
  const { N, P } = gridOf(setup);
  return resolveCodedOptions({
    scheme: line.scheme,
    granularity: line.granularity,
    workers: lineWorkers(setup, line),
    gamma: [...setup.gamma],
    tmax: Infinity,
    rowBlocks: N,
    colBlocks: P,
    levels: S,
    ordering: setup.ordering,
    latency: { model: 'exponential', lambda: setup.lambda },
    K: setup.K,
    ...(setup.tolerance !== undefined ? { tolerance: setup.tolerance } : {}),
    ...(setup.classTable !== undefined ? { classTable: setup.classTable.flat() } : {}),
  });
}

/**
 * Whether a formula exists for the line (class granularity, MDS, uncoded, rep, systematic MDS, the
 * product code by enumeration; not product granularity).
 */
export function hasTheory(line: LineSpec): boolean {
  if (line.scheme === 'bacc') return false; // approximate: Monte Carlo only
  return !hasWindows(line.scheme) || line.granularity === 'class';
}

/**
 * Formula (Th. 1 and its EW/MDS analogues; uncoded/rep: (1 − F(K·t))^r, theory/expected-loss.ts):
 * normalised loss at each deadline with the line's workers, or null without theory.
 */
export function theoryVsTime(setup: MonteCarloSetup, line: LineSpec, times: readonly number[]): number[] | null {
  if (!hasTheory(line) || line.scheme === 'bacc') return null;
  if (line.scheme === 'uncoded' || line.scheme === 'rep') {
    const { blocks } = gridOf(setup);
    const W = lineWorkers(setup, line);
    return times.map((t) => copiesLossAtProbability(blocks, W, exponentialCdf(setup.lambda, setup.K, t)));
  }
  if (line.scheme === 'sysmds') {
    const { blocks } = gridOf(setup);
    const W = lineWorkers(setup, line);
    return times.map((t) => systematicMdsLossAtProbability(blocks, W, exponentialCdf(setup.lambda, setup.K, t)));
  }
  if (line.scheme === 'product') {
    const l = theoryVsReceived(setup, line)!;
    return times.map((t) => lossAtProbability(l, exponentialCdf(setup.lambda, setup.K, t)));
  }
  return expectedLossCurve(
    line.scheme,
    classSizesOfSetup(setup),
    setup.gamma,
    classEnergiesOfSetup(setup),
    { W: setup.workers, lambda: setup.lambda, K: setup.K },
    times,
  );
}

/**
 * Formula: normalised loss after N = 0..W received results (W: the line's workers; uncoded/rep:
 * C(W − r, N)/C(W, N)), or null without theory.
 */
export function theoryVsReceived(setup: MonteCarloSetup, line: LineSpec): Float64Array | null {
  if (!hasTheory(line) || line.scheme === 'bacc') return null;
  if (line.scheme === 'uncoded' || line.scheme === 'rep') return copiesLossVsReceived(gridOf(setup).blocks, lineWorkers(setup, line));
  if (line.scheme === 'sysmds') return systematicMdsLossVsReceived(gridOf(setup).blocks, lineWorkers(setup, line));
  if (line.scheme === 'product') {
    const { N, P } = gridOf(setup);
    const { varA, varB } = blockVariances(setup);
    return productCodeLossVsReceived(N, P, varA.flatMap((a) => varB.map((b) => blockEnergy(a, b, setup.U, setup.M, setup.Q))));
  }
  return lossVsReceived(line.scheme, classSizesOfSetup(setup), setup.gamma, classEnergiesOfSetup(setup), setup.workers);
}
