/**
 * Γ design where there is no formula (product windows, eq. 5): minimise the Monte Carlo estimate
 * of the normalised loss at T_max with COMMON RANDOM NUMBERS — every candidate Γ is simulated with
 * the same seed, so the matrices, worker times and code draws come from the same streams and the
 * comparison between candidates is far less noisy than the estimates themselves. The objective is
 * then piecewise constant in Γ, so the optimiser runs grid + pairwise polish without gradients,
 * down to a step of `tolerance`. The result is the best Γ for THESE trials; its loss is re-estimated
 * on an independent seed so the printed value is not biased down by the selection.
 */
import { simulate, type LineSpec, type MonteCarloSetup } from '../montecarlo/index.ts';
import { streamSeed } from '../util/rng.ts';
import { confidenceInterval } from '../util/stats.ts';
import { minimiseOnSimplex } from './optimise.ts';

/** Options of {@link designGammaMonteCarlo}. */
export interface McDesignOptions {
  /** Trials per evaluated Γ (and of the final re-estimate). */
  trials: number;
  seed: number;
  /** Points of the starting grid (default 21: step 1/5 for 3 levels). */
  gridPoints?: number;
  /** Smallest polish step (default 1/64). */
  tolerance?: number;
  /** z of the confidence intervals (default 1.96). */
  z?: number;
}

/** Result of {@link designGammaMonteCarlo}. */
export interface McGammaDesign {
  gamma: number[];
  /** Loss of `gamma` on the common-random-numbers trials (optimistic: it was selected on them). */
  selectionLoss: number;
  /** Re-estimate of both Γ on independent trials (same trials for both): mean and CI. */
  loss: { mean: number; low: number; high: number };
  referenceLoss: { mean: number; low: number; high: number };
  evaluations: number;
  /** Seeds: CRN seed used for every candidate, and the independent re-estimate seed. */
  selectionSeed: number;
  estimateSeed: number;
}

/**
 * Optimal Γ (length = levels of the setup) of one line at deadline t, by Monte Carlo with common
 * random numbers. The setup's own Γ is the reference.
 */
export function designGammaMonteCarlo(setup: MonteCarloSetup, line: LineSpec, t: number, o: McDesignOptions): McGammaDesign {
  if (line.scheme === 'mds') throw new RangeError('scheme: MDS has no Γ to design (valid: now, ew)');
  const selectionSeed = streamSeed(o.seed, `design-mc/select/${line.scheme}/${line.granularity}/t=${t}`);
  const estimateSeed = streamSeed(o.seed, `design-mc/estimate/${line.scheme}/${line.granularity}/t=${t}`);
  const run = (gamma: readonly number[], seed: number) =>
    simulate({ ...setup, gamma: [...gamma] }, [line], { trials: o.trials, seed, times: [t] }).lines[0].byTime[0];
  const m = minimiseOnSimplex((g) => run(g, selectionSeed).mean, setup.variances.length, {
    gridPoints: o.gridPoints ?? 21,
    starts: 2,
    gradient: false,
    tolerance: o.tolerance ?? 1 / 64,
    extraStarts: [setup.gamma],
  });
  const z = o.z ?? 1.96;
  const est = (g: readonly number[]) => {
    const e = run(g, estimateSeed);
    const ci = confidenceInterval(e, z);
    return { mean: e.mean, low: ci.low, high: ci.high };
  };
  return {
    gamma: m.x,
    selectionLoss: m.value,
    loss: est(m.x),
    referenceLoss: est(setup.gamma),
    evaluations: m.evaluations,
    selectionSeed,
    estimateSeed,
  };
}
