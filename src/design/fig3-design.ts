/**
 * Fig. 3 with designed codes (issue 12, part 2): the formula curves of NOW/EW with Γ optimised at
 * each deadline (the lower envelope of all fixed-Γ curves), Monte Carlo points of the real codes
 * at a few deadlines with their own optimal Γ, and where each curve crosses MDS.
 * Class granularity only (the formula exists there); the Monte Carlo is src/montecarlo's.
 */
import {
  classEnergiesOfSetup,
  classSizesOfSetup,
  confidenceInterval,
  simulateParallel,
  theoryVsTime,
  type MonteCarloSetup,
} from '../montecarlo/index.ts';
import { streamSeed } from '../util/rng.ts';
import { designLoss, receivedAtDeadline, type DesignScheme, type DesignLatency } from './objective.ts';
import { designGamma, designSweep, type DeadlineDesign, type DesignSetup } from './gamma.ts';
import type { SimplexOptions } from './optimise.ts';

/** Optimiser settings for a sweep over a figure's deadline grid (warm-started; checked against a grid in the tests). */
export const SWEEP_OPTIMISER: SimplexOptions = { gridPoints: 66, starts: 2 };

/** The exponential latency of a Monte Carlo setup, as a design latency. */
export function latencyOfSetup(setup: MonteCarloSetup): DesignLatency {
  return { spec: { model: 'exponential', lambda: setup.lambda, shift: 0, paretoScale: 1, paretoShape: 1 }, K: setup.K };
}

/** The design setup (class granularity) of a Monte Carlo setup. */
export function designSetupOf(setup: MonteCarloSetup, scheme: DesignScheme): DesignSetup {
  return { scheme, k: classSizesOfSetup(setup), energies: classEnergiesOfSetup(setup), W: setup.workers, latency: latencyOfSetup(setup) };
}

/**
 * The designed (lower-envelope) curve: optimal Γ and loss at each deadline, with the setup's own
 * Γ as reference.
 * @returns one row per entry of `times`
 */
export function designedCurve(setup: MonteCarloSetup, scheme: DesignScheme, times: readonly number[], opts: SimplexOptions = SWEEP_OPTIMISER): DeadlineDesign[] {
  return designSweep(designSetupOf(setup, scheme), times, setup.gamma, opts);
}

/** The optimal loss at one deadline (for root finding). */
export function designedLossAt(setup: MonteCarloSetup, scheme: DesignScheme, t: number, opts: SimplexOptions = SWEEP_OPTIMISER): number {
  const s = designSetupOf(setup, scheme);
  const p = { scheme, k: s.k, energies: s.energies, received: receivedAtDeadline(s.latency, s.W, t) };
  return designGamma(p, { ...opts, extraStarts: [setup.gamma] }).loss;
}

/** MDS formula curve of the setup at each deadline. */
export function mdsCurve(setup: MonteCarloSetup, times: readonly number[]): number[] {
  return theoryVsTime(setup, { scheme: 'mds', granularity: 'class' }, times)!;
}

/** UEP worse than MDS at this point (relative slack so that equal values, e.g. EW with Γ = (0, …, 0, 1) = MDS, do not count). */
function worse(uep: number, mds: number): boolean {
  return uep > mds * (1 + 1e-9) + 1e-15;
}

/**
 * Where a UEP curve first becomes worse than MDS after having been better, on a grid, refined by
 * bisection of f(t) = uep(t) − mds(t) between the two grid points around the sign change.
 * @param times increasing grid; uep and mds: values on it
 * @param uepAt the UEP loss at any t (for the refinement)
 * @returns the crossing deadline (±`tol`), or null if UEP never becomes worse on the grid
 */
export function firstCrossing(
  times: readonly number[],
  uep: readonly number[],
  mds: readonly number[],
  uepAt: (t: number) => number,
  mdsAt: (t: number) => number,
  tol = 1e-3,
): number | null {
  let better = false;
  for (let i = 0; i < times.length; i++) {
    if (!better) {
      if (uep[i] < mds[i]) better = true;
      continue;
    }
    if (worse(uep[i], mds[i])) {
      let lo = times[i - 1];
      let hi = times[i];
      while (hi - lo > tol) {
        const mid = (lo + hi) / 2;
        if (worse(uepAt(mid), mdsAt(mid))) hi = mid;
        else lo = mid;
      }
      return (lo + hi) / 2;
    }
  }
  return null;
}

/** One Monte Carlo point of a designed code. */
export interface DesignedPoint {
  scheme: DesignScheme;
  t: number;
  /** Γ optimal at t (used by the simulated code). */
  gamma: number[];
  /** Formula value with that Γ. */
  formula: number;
  mean: number;
  ciLow: number;
  ciHigh: number;
  trials: number;
  /** Seed of this point's simulation: streamSeed(seed, `design/<scheme>/t=<t>`). */
  seed: number;
}

/** Options of {@link designedMonteCarlo}. */
export interface DesignedMcOptions {
  trials: number;
  seed: number;
  threads: number;
  /** z of the confidence interval (1.96 for 95%). */
  z: number;
  onProgress?: (label: string) => void;
}

/**
 * Monte Carlo of the real codes (class windows), each at its deadline with the Γ optimal there.
 * Each (scheme, t) is its own simulation with a named seed stream.
 * @returns one point per scheme and deadline, scheme-major
 */
export async function designedMonteCarlo(
  setup: MonteCarloSetup,
  schemes: readonly DesignScheme[],
  times: readonly number[],
  o: DesignedMcOptions,
): Promise<DesignedPoint[]> {
  const out: DesignedPoint[] = [];
  for (const scheme of schemes) {
    const s = designSetupOf(setup, scheme);
    for (const t of times) {
      const p = { scheme, k: s.k, energies: s.energies, received: receivedAtDeadline(s.latency, s.W, t) };
      const d = designGamma(p, { extraStarts: [setup.gamma] });
      const seed = streamSeed(o.seed, `design/${scheme}/t=${t}`);
      o.onProgress?.(`${scheme} t=${t} Γ=(${d.gamma.map((g) => g.toFixed(3)).join(', ')})`);
      const sim = await simulateParallel({ ...setup, gamma: d.gamma }, [{ scheme, granularity: 'class' }], {
        trials: o.trials,
        seed,
        times: [t],
        threads: o.threads,
      });
      const e = sim.lines[0].byTime[0];
      const ci = confidenceInterval(e, o.z);
      out.push({ scheme, t, gamma: d.gamma, formula: designLoss(p, d.gamma), mean: e.mean, ciLow: ci.low, ciHigh: ci.high, trials: o.trials, seed });
    }
  }
  return out;
}
