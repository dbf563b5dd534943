/** Agreement of Monte Carlo estimates with formula values, point by point (Figs. 3–4 sidecars). */
import { confidenceInterval, type MeanEstimate } from '../util/stats.ts';

/** Agreement of Monte Carlo and formula over a grid. */
export interface Agreement {
  points: number;
  /** Grid points whose formula value lies inside the Monte Carlo interval. */
  inside: number;
  /**
   * Points outside the interval where formula and MC mean are both below the resolution 3/n of
   * n trials (rule of three: an event of probability ≲ 3/n, e.g. fewer than N·P arrivals by a late
   * deadline, is likely absent from all n trials, and the normal interval then collapses).
   */
  outsideBelowResolution: number;
  resolution: number;
  /** Largest |MC − formula|. */
  maxAbsDiff: number;
  /** Largest |MC − formula| / (sd/√n) over points with sd > 0, except those below resolution. */
  maxAbsZ: number;
}

/** Compares estimates with formula values point by point (`z`: the interval's normal quantile). */
export function agreement(est: readonly MeanEstimate[], theory: ArrayLike<number>, z: number): Agreement {
  let inside = 0;
  let outsideBelowResolution = 0;
  let maxAbsDiff = 0;
  let maxAbsZ = 0;
  const resolution = est.length > 0 ? 3 / est[0].n : 0;
  est.forEach((e, i) => {
    const ci = confidenceInterval(e, z);
    const th = theory[i];
    const diff = Math.abs(e.mean - th);
    maxAbsDiff = Math.max(maxAbsDiff, diff);
    if (th >= ci.low && th <= ci.high) inside++;
    else if (th < resolution && e.mean < resolution) {
      outsideBelowResolution++;
      return; // z means nothing where the interval has collapsed
    }
    if (e.sd > 0) maxAbsZ = Math.max(maxAbsZ, diff / (e.sd / Math.sqrt(e.n)));
  });
  return { points: est.length, inside, outsideBelowResolution, resolution, maxAbsDiff, maxAbsZ };
}
