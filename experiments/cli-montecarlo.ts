/**
 * What the Monte Carlo figure commands (fig3, fig4) share: their catalogue options
 * (src/config), the {@link McFigureRun} built from the resolved values, and a progress
 * reporter. Not a command itself (like cli-common.ts).
 */
import { OptionError, type Values } from '../src/config/index.ts';
import { progressReporter } from './cli-common.ts';
import type { Granularity, Ordering } from '../src/coded-backprop/index.ts';
import { defaultPacketClasses } from '../src/coded-backprop/plan-api.ts';
import type { CxrFigureRun } from '../src/figures/journal-cxr.ts';
import type { McFigureRun } from '../src/figures/run.ts';
import {
  CXR_MC_SCHEMES,
  checkCxrSetup,
  checkSetup,
  defaultWorkers,
  linesFor,
  zForConfidence,
  type CxrMcScheme,
  type CxrMonteCarloSetup,
  type McScheme,
  type MonteCarloSetup,
} from '../src/montecarlo/index.ts';
import { maxGridLevels, parseClassTableText } from '../src/util/class-table.ts';

/** The grid of the resolved values: N, P and the class table when given. */
export interface GridFlags {
  rowBlocks?: number;
  colBlocks?: number;
  classTable?: number[][];
}

/**
 * The r×c grid from resolved values (null: not given); the c×r flags (`given`: what the user
 * typed) are refused here, naming them.
 */
export function gridFromValues(v: Values, given: Record<string, unknown>): GridFlags {
  for (const key of ['packets', 'packetClasses'] as const) {
    if (given[key] !== undefined) throw new OptionError(key, 'is a c×r option; add --partition cxr (r×c grids: --row-blocks, --col-blocks, --class-table)');
  }
  return {
    ...(v.rowBlocks !== null ? { rowBlocks: v.rowBlocks as number } : {}),
    ...(v.colBlocks !== null ? { colBlocks: v.colBlocks as number } : {}),
    ...(v.classTable !== null ? { classTable: parseClassTableText(v.classTable as string) } : {}),
  };
}

/** The catalogue options Figs. 3 and 4 share (their starting values: the `fig3` preset and the catalogue). */
export const MC_FIGURE_KEYS = [
  'trials',
  'seed',
  'workers',
  'gamma',
  'variances',
  'U',
  'M',
  'Q',
  'figureSchemes',
  'granularities',
  'ordering',
  'confidence',
  'threads',
  'progress',
  'yScale',
  'partition',
  'packets',
  'packetClasses',
  'rowBlocks',
  'colBlocks',
  'classTable',
  'out',
] as const;

/**
 * The run of a Monte Carlo figure from resolved catalogue values ({@link MC_FIGURE_KEYS} plus
 * `lambda` and `K`); the checks between options (Γ's length, MDS's workers) as OptionError.
 */
export function mcFigureRun(v: Values, label: string, grid: GridFlags = {}, workersGiven = true): McFigureRun {
  const variances = v.variances as number[];
  const gamma = v.gamma as number[];
  const schemes = v.figureSchemes as McScheme[];
  const S = variances.length;
  const N = grid.rowBlocks ?? S;
  const P = grid.colBlocks ?? S;
  const paperGrid = N === S && P === S && grid.classTable === undefined;
  // The preset's W (the paper's 40) on the paper's one-block-per-level grid; else round(5/3·N·P).
  const workers = workersGiven || paperGrid ? (v.workers as number) : defaultWorkers(N * P);
  if (S > maxGridLevels(N, P)) {
    const rule = N === 1 || P === 1 ? 'max(--row-blocks, --col-blocks) on a 1-D grid' : 'min(--row-blocks, --col-blocks)';
    throw new OptionError('variances', `at most ${rule} = ${maxGridLevels(N, P)} levels on a ${N}×${P} grid, got ${S}`);
  }
  const table = grid.classTable;
  if (table && (table.length !== N || table.some((r) => r.length !== P))) {
    throw new OptionError('classTable', `must have ${N} rows of ${P} classes (one per C block of the ${N}×${P} grid), got ${table.map((r) => r.length).join('/')}`);
  }
  const L = table ? Math.max(...table.flat()) + 1 : S;
  if (gamma.length !== L) {
    throw new OptionError(
      'gamma',
      table
        ? `must have ${L} entries (one per class of --class-table), got ${gamma.length}`
        : `must have ${S} entries (one per importance level / class, as many as --variances), got ${gamma.length}`,
    );
  }
  if (schemes.includes('mds') && workers < N * P) {
    throw new OptionError('workers', `MDS needs at least N·P = ${N * P} workers (${N}×${P} grid), got ${workers}`);
  }
  // a 1-D grid (N×1 or 1×P) has levels on one side only: product windows (A level × B level) mean nothing there
  const oneD = (N === 1 || P === 1) && S > 1;
  const granularities = (v.granularities as Granularity[]).filter((g) => !oneD || g === 'class');
  if (granularities.length === 0 && schemes.some((s) => s === 'now' || s === 'ew')) {
    throw new OptionError('granularities', `product windows pair an A level with a B level; on the 1-D ${N}×${P} grid use class`);
  }
  const setup: MonteCarloSetup = {
    ...(grid.rowBlocks !== undefined ? { rowBlocks: N } : {}),
    ...(grid.colBlocks !== undefined ? { colBlocks: P } : {}),
    ...(table ? { classTable: table } : {}),
    U: v.U as number,
    M: v.M as number,
    Q: v.Q as number,
    variances,
    workers,
    gamma,
    ordering: v.ordering as Ordering,
    lambda: v.lambda as number,
    K: v.K as number,
  };
  checkSetup(setup); // every check above and in the catalogue: cannot fail here
  const confidence = v.confidence as number;
  return {
    setup,
    lines: linesFor(schemes, granularities),
    trials: v.trials as number,
    seed: v.seed as number,
    threads: v.threads as number,
    confidence,
    z: zForConfidence(confidence),
    yScale: v.yScale as McFigureRun['yScale'],
    ...(v.progress ? { onProgress: progressReporter(`${label} Monte Carlo`) } : {}),
  };
}

/** A progress reporter writing to stderr (experiments/cli-common.ts; re-exported for the figure commands). */
export { progressReporter };

/**
 * The c×r run of fig3/fig4 `--partition cxr` from resolved values: A is U×n and B n×Q with
 * n = --M, cut into --packets packets of classes --packet-classes (default 3 equal groups, most
 * important first); packets of class l have entry variance --variances[l]. The grid flags and
 * product windows have no meaning here (OptionError naming the flag). `argv` tells which flags
 * were given.
 */
export function cxrFigureRun(v: Values, label: string, argv: Record<string, unknown>): CxrFigureRun {
  for (const [flag, key] of [['row-blocks', 'rowBlocks'], ['col-blocks', 'colBlocks'], ['class-table', 'classTable']] as const) {
    if (argv[flag] !== undefined) throw new OptionError(key, 'is an r×c option; with --partition cxr use --packets and --packet-classes');
  }
  if (argv.granularities !== undefined && (v.granularities as string[]).includes('product')) {
    throw new OptionError('granularities', 'product windows have no meaning with --partition cxr (A and B share the packet index); use class');
  }
  const K = v.packets as number;
  const n = v.M as number;
  if (K > n) throw new OptionError('packets', `K = ${K} packets is more than the inner dimension --M ${n}`);
  const given = v.packetClasses as number[] | null | undefined;
  const classOf = given ?? defaultPacketClasses(K, Math.min(3, K));
  if (classOf.length !== K) throw new OptionError('packetClasses', `needs K = ${K} classes, one per packet (--packets), got ${classOf.length}`);
  const L = Math.max(...classOf) + 1;
  const variances = v.variances as number[];
  const gamma = v.gamma as number[];
  if (variances.length !== L) throw new OptionError('variances', `needs one variance per packet class (${L} classes), got ${variances.length}`);
  if (gamma.length !== L) throw new OptionError('gamma', `needs one entry per packet class (${L} classes), got ${gamma.length}`);
  const schemes = v.figureSchemes as CxrMcScheme[];
  const rxcOnly = schemes.filter((s) => !(CXR_MC_SCHEMES as readonly string[]).includes(s));
  if (rxcOnly.length > 0) throw new OptionError('figureSchemes', `${rxcOnly.join(', ')} ha${rxcOnly.length > 1 ? 've' : 's'} no c×r form; with --partition cxr use ${CXR_MC_SCHEMES.join(', ')}`, 'schemes');
  const setup: CxrMonteCarloSetup = {
    U: v.U as number,
    Q: v.Q as number,
    n,
    classOf,
    variances,
    workers: v.workers as number,
    lambda: v.lambda as number,
    K: v.K as number,
    gamma,
    ordering: 'none',
  };
  if (schemes.includes('mds') && setup.workers < 2 * K - 1) {
    throw new OptionError('workers', `MatDot (mds) on c×r needs at least 2K − 1 = ${2 * K - 1} workers (K = ${K} packets), got ${setup.workers}`);
  }
  try {
    checkCxrSetup(setup, schemes);
  } catch (err) {
    if (err instanceof OptionError) throw err;
    throw new OptionError('packetClasses', (err as Error).message);
  }
  const confidence = v.confidence as number;
  return {
    setup,
    fullSize: setup,
    schemes,
    trials: v.trials as number,
    seed: v.seed as number,
    times: (v.times as number[] | undefined) ?? [],
    confidence,
    z: zForConfidence(confidence),
    yScale: v.yScale as 'linear' | 'log',
    ...(v.progress ? { onProgress: progressReporter(`${label} Monte Carlo`) } : {}),
  };
}
