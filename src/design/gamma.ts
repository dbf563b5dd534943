/**
 * Optimal window distributions Γ (class granularity, exact formula): at one deadline, and per
 * deadline over a list (each warm-started from the previous optimum).
 */
import { designLoss, receivedAtDeadline, checkProblem, type DesignLatency, type DesignProblem, type DesignScheme } from './objective.ts';
import { minimiseOnSimplex, type SimplexOptions } from './optimise.ts';

/** The optimum of one design problem. */
export interface GammaDesign {
  /** Optimal Γ, length L. */
  gamma: number[];
  /** Its expected normalised loss. */
  loss: number;
  /** Best point of the optimiser's grid and its loss (the optimum is never worse). */
  gridGamma: number[];
  gridLoss: number;
  /** Objective evaluations used. */
  evaluations: number;
}

/** The Γ minimising {@link designLoss} for the problem. */
export function designGamma(p: DesignProblem, opts: SimplexOptions = {}): GammaDesign {
  checkProblem(p);
  const m = minimiseOnSimplex((g) => designLoss(p, g), p.k.length, opts);
  return { gamma: m.x, loss: m.value, gridGamma: m.gridBest.x, gridLoss: m.gridBest.value, evaluations: m.evaluations };
}

/** Everything but the deadline: a sweep over T_max. */
export interface DesignSetup {
  scheme: DesignScheme;
  k: readonly number[];
  energies: readonly number[];
  W: number;
  latency: DesignLatency;
}

/** One row of a sweep. */
export interface DeadlineDesign extends GammaDesign {
  tmax: number;
  /** Loss of the reference Γ (e.g. the paper's) at this deadline. */
  referenceLoss: number;
}

/**
 * The optimal Γ at each deadline, in the given order; each optimisation also starts from the
 * previous deadline's optimum.
 * @param reference Γ to compare with (length L)
 * @returns one row per deadline
 */
export function designSweep(
  s: DesignSetup,
  tmaxes: readonly number[],
  reference: readonly number[],
  opts: SimplexOptions = {},
): DeadlineDesign[] {
  const rows: DeadlineDesign[] = [];
  let previous: number[] | null = null;
  for (const tmax of tmaxes) {
    const p: DesignProblem = { scheme: s.scheme, k: s.k, energies: s.energies, received: receivedAtDeadline(s.latency, s.W, tmax) };
    const extra = [...(opts.extraStarts ?? []), reference, ...(previous ? [previous] : [])];
    const d = designGamma(p, { ...opts, extraStarts: extra });
    rows.push({ ...d, tmax, referenceLoss: designLoss(p, reference) });
    previous = d.gamma;
  }
  return rows;
}
