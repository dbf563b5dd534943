/**
 * Unbiased decoding (`--estimate unbiased`, DESIGN §12): each decoded block is scaled by
 * 1/P(block recovered by T_max), so that E[Ĉ_b] = P_b·C_b/P_b = C_b under the latency model
 * ("drop stragglers and rescale", applied to exact-or-missing codes). It trades bias for variance:
 * Var(Ĉ_b) = ‖C_b‖²·(1/P_b − 1). Blocks with P_b below a floor are not rescaled (1/P explodes for
 * rare classes: EW's class 3 is recovered about 0.1% of the time), so they keep their bias.
 *
 * P_b from the theory where it exists, i.e. i.i.d. worker times with CDF F (every registered
 * latency model; F = F(K·T_max)):
 *   uncoded, repetition (r copies)   1 − (1 − F)^r
 *   MDS                              P(Bin(W, F) ≥ N·P)
 *   systematic MDS                   1 − Σ_{n<NP} Bin(W, F)(n)·(W − n)/W
 *   product code                     Σ_n Bin(W, F)(n)·(share of n-subsets determining b)  (enumeration)
 *   NOW/EW, class windows            Σ_n Bin(W, F)(n)·P_{d,class(b)}(n)  (theory/decoding.ts)
 * and from a Monte Carlo of the code's own plans otherwise (NOW/EW with product windows):
 * {@link MC_PLANS} plans of a one-row-per-block grid with a fixed seed, counting determined blocks.
 */
import { Rng, streamSeed } from '../util/rng.ts';
import { OptionError } from '../util/option-error.ts';
import {
  decodingTable,
  productCodeDeterminedTable,
  receivedDistribution,
  systematicMdsLossAtProbability,
  type Scheme,
} from '../theory/index.ts';
import { blockLevels, layoutOfSplits, originalOrder, paperClassTable } from './partition.ts';
import { type Code, type GridShape, coefficientRow } from './codes/code.ts';
import { decodeReceived } from './decode.ts';
import { type LatencyModel, receivedBy, workerTimes } from './latency.ts';
import type { Granularity, Partition } from './types.ts';

/** What the scaling reads of the resolved options (options.ts's ResolvedCodedOptions; a structural type, so options.ts can call this). */
export interface ScalingOptions {
  code: Code;
  scheme: string;
  granularity: Granularity;
  workers: number;
  gamma: number[];
  grid: GridShape & { classTable?: number[] };
  latency: LatencyModel;
  K: number;
  tmax: number;
  tolerance: number;
  partition: Partition;
  replay?: unknown;
}

/** How Ĉ's blocks are estimated: as decoded (plain), or rescaled by 1/P(recovered) (unbiased). */
export const ESTIMATES = ['plain', 'unbiased'] as const;
export type Estimate = (typeof ESTIMATES)[number];

/** Default floor: blocks recovered with probability below it are not rescaled (1/P ≤ 20). */
export const DEFAULT_ESTIMATE_FLOOR = 0.05;

/** Plans of the Monte Carlo estimate of P_b (where no formula exists). */
export const MC_PLANS = 4000;

/** The per-block recovery probabilities and the scales unbiased decoding applies. */
export interface UnbiasedScaling {
  floor: number;
  /** P(block b recovered by T_max), b = i·P + j (layout order). */
  probability: number[];
  /** 1/P_b where P_b ≥ floor, else 1. */
  scale: number[];
  /** Where P_b came from. */
  source: 'theory' | 'monte-carlo';
  /** Monte Carlo plans behind P_b (0 for theory). */
  plans: number;
}

/** Class of each block of the r×c grid (b = i·P + j): the explicit table or the level rule. */
function blockClasses(opts: ScalingOptions): number[] {
  const { N, P, levels, classTable } = opts.grid;
  return classTable ?? paperClassTable(blockLevels(N, levels), blockLevels(P, levels), levels);
}

/** P(block recovered by T_max) for every block, and where it came from. */
export function recoveryProbabilities(opts: ScalingOptions): { probability: number[]; source: 'theory' | 'monte-carlo'; plans: number } {
  const { N, P } = opts.grid;
  const NP = N * P;
  const W = opts.workers;
  const F = Math.min(1, Math.max(0, opts.latency.cdf(opts.K * opts.tmax)));
  const classes = blockClasses(opts);
  const pn = receivedDistribution(W, F);
  const byN = (f: (n: number) => number) => {
    let s = 0;
    for (let n = 0; n <= W; n++) if (pn[n] > 0) s += pn[n] * f(n);
    return Math.min(1, s);
  };
  const all = (p: number) => ({ probability: new Array<number>(NP).fill(p), source: 'theory' as const, plans: 0 });
  switch (opts.scheme) {
    case 'uncoded':
    case 'rep':
      return all(1 - (1 - F) ** (W / NP));
    case 'mds':
      return all(byN((n) => (n >= NP ? 1 : 0)));
    case 'sysmds':
      return all(1 - systematicMdsLossAtProbability(NP, W, F));
    case 'product': {
      const table = productCodeDeterminedTable(N, P);
      const hits = Array.from({ length: NP }, () => new Float64Array(W + 1));
      const count = new Float64Array(W + 1);
      for (let mask = 0; mask < table.length; mask++) {
        let n = 0;
        for (let x = mask; x; x &= x - 1) n++;
        count[n]++;
        for (let b = 0; b < NP; b++) if (table[mask] & (1 << b)) hits[b][n]++;
      }
      return { probability: hits.map((h) => byN((n) => h[n] / count[n])), source: 'theory', plans: 0 };
    }
    case 'now':
    case 'ew':
      if (opts.granularity === 'class') {
        const t = decodingTable(opts.scheme as Scheme, opts.grid.classSizes, opts.gamma, W);
        const perClass = opts.grid.classSizes.map((_, l) => byN((n) => t[n][l]));
        return { probability: classes.map((l) => perClass[l]), source: 'theory', plans: 0 };
      }
      return monteCarloProbabilities(opts);
    default:
      return monteCarloProbabilities(opts);
  }
}

/** P_b from {@link MC_PLANS} plans of the code (fixed seed): the share in which b is determined. */
export function monteCarloProbabilities(opts: ScalingOptions): { probability: number[]; source: 'monte-carlo'; plans: number } {
  const { N, P, levels, classTable } = opts.grid;
  const layout = layoutOfSplits(originalOrder(N, N), originalOrder(P, P), { rowBlocks: N, colBlocks: P, levels, classTable });
  const rng = new Rng(streamSeed(0, `unbiased:${opts.scheme}/${opts.granularity}`));
  const hits = new Array<number>(N * P).fill(0);
  for (let k = 0; k < MC_PLANS; k++) {
    const tasks = opts.code.encode(layout, opts, rng);
    const received = receivedBy(workerTimes(opts.latency, opts.workers, opts.K, rng), opts.tmax);
    const d = decodeReceived(received.map((w) => coefficientRow(tasks[w], N, P)), N * P, opts.tolerance);
    d.determined.forEach((ok, b) => (hits[b] += ok ? 1 : 0));
  }
  return { probability: hits.map((h) => h / MC_PLANS), source: 'monte-carlo', plans: MC_PLANS };
}

/**
 * The scaling of `--estimate unbiased` for resolved options; OptionError naming the flag when it
 * cannot apply: an approximate code (BACC), the c×r partition, a trace replay (times not i.i.d.),
 * or no block recoverable by T_max (P = 0).
 */
export function unbiasedScaling(opts: ScalingOptions, floor: number): UnbiasedScaling {
  if (!(floor > 0 && floor <= 1)) throw new OptionError('estimateFloor', `must be in (0, 1] (got ${floor})`);
  if (opts.code.estimate) throw new OptionError('estimate', `unbiased is for exact-or-missing codes; ${opts.scheme}'s blocks are estimates already: use plain`);
  if (opts.partition === 'cxr') throw new OptionError('estimate', 'unbiased decoding is for the r×c partition (use --partition rxc or --estimate plain)');
  if (opts.replay) throw new OptionError('estimate', 'unbiased decoding needs i.i.d. worker times; a trace replay has none (use --estimate plain)');
  const { probability, source, plans } = recoveryProbabilities(opts);
  if (probability.every((p) => p === 0)) {
    throw new OptionError('estimate', `no block can be recovered by --tmax ${opts.tmax} under ${opts.latency.name} (P(recovered) = 0): unbiased decoding would divide by 0; use plain`);
  }
  return { floor, probability, source, plans, scale: probability.map((p) => (p >= floor ? 1 / p : 1)) };
}
