/**
 * Running mean and variance (Welford) and normal-theory confidence intervals for Monte Carlo
 * estimates that are plain means of i.i.d. trials: CI = mean ± z·sd/√n.
 */

/** Mean, sample standard deviation and count of one estimated quantity. */
export interface MeanEstimate {
  /** Number of trials n. */
  n: number;
  /** Sample mean. */
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator; 0 when n < 2). */
  sd: number;
}

/** A mean with its confidence interval. */
export interface Interval extends MeanEstimate {
  low: number;
  high: number;
  /** Half-width z·sd/√n. */
  halfWidth: number;
}

/** Serialisable state of a {@link MeanAccumulator}. */
export interface AccumulatorState {
  size: number;
  n: number;
  mean: Float64Array;
  m2: Float64Array;
}

/**
 * Welford accumulators for `size` quantities updated together once per trial
 * (e.g. the loss at every point of a time grid).
 */
export class MeanAccumulator {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  /** Plain state (structured-cloneable, e.g. to pass between threads). */
  state(): AccumulatorState {
    return { size: this.size, n: this.n, mean: this.mean.slice(), m2: this.m2.slice() };
  }

  /** An accumulator from {@link state}. */
  static fromState(s: AccumulatorState): MeanAccumulator {
    const acc = new MeanAccumulator(s.size);
    acc.n = s.n;
    acc.mean.set(s.mean);
    acc.m2.set(s.m2);
    return acc;
  }

  /** Number of trials added. */
  get count(): number {
    return this.n;
  }

  /** Adds one trial's values (`values[i]` for quantity i; length ≥ size). */
  add(values: ArrayLike<number>): void {
    this.n++;
    const inv = 1 / this.n;
    for (let i = 0; i < this.size; i++) {
      const x = values[i];
      const d = x - this.mean[i];
      this.mean[i] += d * inv;
      this.m2[i] += d * (x - this.mean[i]);
    }
  }

  /** Adds another accumulator's trials (Chan et al.'s pairwise update); sizes must match. */
  merge(other: MeanAccumulator): void {
    if (other.size !== this.size) throw new RangeError(`merge: sizes differ (${this.size} vs ${other.size})`);
    if (other.n === 0) return;
    const n = this.n + other.n;
    const wOther = other.n / n;
    const cross = (this.n * other.n) / n;
    for (let i = 0; i < this.size; i++) {
      const d = other.mean[i] - this.mean[i];
      this.mean[i] += d * wOther;
      this.m2[i] += other.m2[i] + d * d * cross;
    }
    this.n = n;
  }

  /** Estimate of quantity i. */
  estimate(i: number): MeanEstimate {
    const n = this.n;
    return { n, mean: this.mean[i], sd: n > 1 ? Math.sqrt(Math.max(0, this.m2[i]) / (n - 1)) : 0 };
  }

  /** Estimates of every quantity. */
  estimates(): MeanEstimate[] {
    return Array.from({ length: this.size }, (_, i) => this.estimate(i));
  }
}

/**
 * Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation, relative
 * error below 1.2e-9: ample for confidence intervals).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p: must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/** Two-sided z for a confidence level in (0, 1): Φ⁻¹((1 + level)/2); 0.95 → 1.95996…, 0.99 → 2.57583…. */
export function zForConfidence(level: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence: must be in (0, 1), got ${level}`);
  return normalQuantile((1 + level) / 2);
}

/** CI = mean ± z·sd/√n of an estimate. */
export function confidenceInterval(e: MeanEstimate, z: number): Interval {
  const halfWidth = e.n > 0 ? (z * e.sd) / Math.sqrt(e.n) : Infinity;
  return { ...e, low: e.mean - halfWidth, high: e.mean + halfWidth, halfWidth };
}
