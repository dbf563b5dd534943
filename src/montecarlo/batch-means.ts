/**
 * Confidence intervals for the mean of a correlated sequence (consecutive calls under a latency
 * model with memory, or an adaptive assignment that learns): the method of batch means. The n
 * values are cut into B contiguous batches of ⌊n/B⌋ (the remainder at the end is dropped); with
 * batches much longer than the correlation time their means are nearly independent, so
 *   CI = mean of batch means ± t_{B−1} · sd(batch means)/√B.
 * The t quantile is the Cornish–Fisher expansion of the normal one (error < 1e-3 for B − 1 ≥ 10).
 */
import { normalQuantile, type Interval } from '../util/stats.ts';

/** Default number of batches. */
export const DEFAULT_BATCHES = 30;

/** Student-t quantile with ν degrees of freedom at probability p (Cornish–Fisher). */
export function studentQuantile(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3);
}

/** Batch-means interval of `xs` at confidence `level` with `batches` batches (RangeError when there are fewer values than batches). */
export function batchMeansInterval(xs: ArrayLike<number>, level = 0.99, batches = DEFAULT_BATCHES): Interval {
  const size = Math.floor(xs.length / batches);
  if (batches < 2 || size < 1) throw new RangeError(`batch means: need at least ${batches} values (got ${xs.length})`);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = b * size; i < (b + 1) * size; i++) s += xs[i];
    means.push(s / size);
  }
  const mean = means.reduce((a, v) => a + v, 0) / batches;
  const sd = Math.sqrt(means.reduce((a, v) => a + (v - mean) ** 2, 0) / (batches - 1));
  const halfWidth = (studentQuantile((1 + level) / 2, batches - 1) * sd) / Math.sqrt(batches);
  return { n: batches * size, mean, sd, low: mean - halfWidth, high: mean + halfWidth, halfWidth };
}
