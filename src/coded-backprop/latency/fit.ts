/**
 * Maximum-likelihood fits of the parametric latency models to observed single-worker times, and
 * the Kolmogorov–Smirnov distance of a sample from a CDF:
 * - exponential: λ = 1/mean;
 * - shifted exponential: shift = min, λ = 1/(mean − min);
 * - Pareto: xm = min, α = n/Σ ln(x/xm);
 * - Gamma (shape k, rate λ): λ = k/mean and k solves ln k − ψ(k) = ln(mean) − mean(ln x), by
 *   Newton's method from Minka's starting value.
 * The parameters are returned under the option keys the models read (so a fit reads as flags:
 * `--latency gamma --gamma-shape k --lambda λ`). The times must be finite: a trace's censored
 * tasks (+∞) are not part of a fit (see trace.ts); the caller says how many there were.
 */
import { exponential } from './exponential.ts';
import { gamma } from './gamma.ts';
import type { LatencyModel, LatencyParams } from './model.ts';
import { pareto } from './pareto.ts';
import { shiftedExponential } from './shifted-exponential.ts';
import { digamma, lnGamma, trigamma } from './special.ts';

/** The models the fits cover. */
export const FITTED_MODELS = ['exponential', 'shifted-exponential', 'pareto', 'gamma'] as const;
export type FittedModel = (typeof FITTED_MODELS)[number];

/** One fit: its parameters (by option key), the fitted model, log-likelihood and KS distance. */
export interface LatencyFit {
  model: FittedModel;
  params: Partial<LatencyParams>;
  /** Undefined when the model cannot be fitted to these times (then `note` says why). */
  latency?: LatencyModel;
  logLikelihood: number;
  ks: number;
  note?: string;
}

/** Kolmogorov–Smirnov distance sup_t |F_n(t) − F(t)| of the ascending sample `sorted` from `cdf`. */
export function ksDistance(sorted: ArrayLike<number>, cdf: (t: number) => number): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    // F_n jumps from i/n to (j+1)/n at a run of ties x_i = … = x_j: compare both sides of the jump.
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    d = Math.max(d, Math.abs(f - i / n), Math.abs((j + 1) / n - f));
    i = j;
  }
  return d;
}

interface Moments {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Σ ln x (NaN when some x ≤ 0). */
  sumLog: number;
}

function moments(xs: ArrayLike<number>): Moments {
  let sum = 0;
  let sumLog = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) throw new RangeError(`latency fit: times must be finite (got ${x} at ${i})`);
    if (x < 0) throw new RangeError(`latency fit: times must be ≥ 0 (got ${x} at ${i})`);
    sum += x;
    sumLog += x > 0 ? Math.log(x) : NaN;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  return { n: xs.length, sum, min, max, sumLog };
}

function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

function failed(model: FittedModel, note: string): LatencyFit {
  return { model, params: {}, logLikelihood: NaN, ks: NaN, note };
}

/** MLE of the exponential: λ = 1/mean. */
export function fitExponential(xs: ArrayLike<number>): LatencyFit {
  const m = moments(xs);
  if (!(m.sum > 0)) return failed('exponential', 'needs some time > 0');
  const lambda = m.n / m.sum;
  const latency = exponential(lambda);
  return { model: 'exponential', params: { lambda }, latency, logLikelihood: m.n * Math.log(lambda) - lambda * m.sum, ks: ksDistance(sortedCopy(xs), latency.cdf) };
}

/** MLE of the shifted exponential: shift = min, λ = 1/(mean − min). */
export function fitShiftedExponential(xs: ArrayLike<number>): LatencyFit {
  const m = moments(xs);
  const excess = m.sum - m.n * m.min;
  if (!(excess > 0)) return failed('shifted-exponential', 'all times are equal');
  const lambda = m.n / excess;
  const latency = shiftedExponential(lambda, m.min);
  return {
    model: 'shifted-exponential',
    params: { lambda, shift: m.min },
    latency,
    logLikelihood: m.n * Math.log(lambda) - lambda * excess,
    ks: ksDistance(sortedCopy(xs), latency.cdf),
  };
}

/** MLE of the Pareto: xm = min, α = n/Σ ln(x/xm). */
export function fitPareto(xs: ArrayLike<number>): LatencyFit {
  const m = moments(xs);
  if (!(m.min > 0)) return failed('pareto', 'needs every time > 0');
  const sumLogRatio = m.sumLog - m.n * Math.log(m.min);
  if (!(sumLogRatio > 0)) return failed('pareto', 'all times are equal');
  const alpha = m.n / sumLogRatio;
  const latency = pareto(m.min, alpha);
  return {
    model: 'pareto',
    params: { paretoScale: m.min, paretoShape: alpha },
    latency,
    logLikelihood: m.n * Math.log(alpha) + m.n * alpha * Math.log(m.min) - (alpha + 1) * m.sumLog,
    ks: ksDistance(sortedCopy(xs), latency.cdf),
  };
}

/**
 * The Gamma shape k solving ln k − ψ(k) = s (s = ln mean − mean ln x > 0), by Newton's method
 * (the left side decreases in k; a step that would leave k > 0 is halved).
 */
export function gammaShapeMle(s: number): number {
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`gamma fit: needs ln(mean) − mean(ln x) > 0 (got ${s})`);
  let k = (3 - s + Math.sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
  for (let it = 0; it < 100; it++) {
    const g = Math.log(k) - digamma(k) - s;
    const dg = 1 / k - trigamma(k);
    let step = g / dg;
    while (k - step <= 0) step /= 2;
    k -= step;
    if (Math.abs(step) <= 1e-13 * k) break;
  }
  return k;
}

/** MLE of the Gamma (shape k, rate λ = k/mean). */
export function fitGamma(xs: ArrayLike<number>): LatencyFit {
  const m = moments(xs);
  if (!(m.min > 0)) return failed('gamma', 'needs every time > 0');
  const mean = m.sum / m.n;
  const s = Math.log(mean) - m.sumLog / m.n;
  if (!(s > 1e-14)) return failed('gamma', 'all times are equal');
  const k = gammaShapeMle(s);
  const lambda = k / mean;
  const latency = gamma(k, lambda);
  return {
    model: 'gamma',
    params: { gammaShape: k, lambda },
    latency,
    logLikelihood: m.n * k * Math.log(lambda) + (k - 1) * m.sumLog - lambda * m.sum - m.n * lnGamma(k),
    ks: ksDistance(sortedCopy(xs), latency.cdf),
  };
}

/** Every fit, in {@link FITTED_MODELS} order. */
export function fitLatencyModels(xs: ArrayLike<number>): LatencyFit[] {
  if (xs.length < 2) throw new RangeError(`latency fit: needs at least 2 times (got ${xs.length})`);
  return [fitExponential(xs), fitShiftedExponential(xs), fitPareto(xs), fitGamma(xs)];
}

/** The fit with the smallest KS distance (among those that succeeded). */
export function bestFit(fits: readonly LatencyFit[]): LatencyFit {
  const ok = fits.filter((f) => f.latency && Number.isFinite(f.ks));
  if (ok.length === 0) throw new RangeError('latency fit: no model could be fitted');
  return ok.reduce((a, b) => (b.ks < a.ks ? b : a));
}
