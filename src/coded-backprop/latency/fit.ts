/**
 * Maximum-likelihood fits of the parametric latency models to single-worker times, and the
 * Kolmogorov–Smirnov distance of a sample from a CDF.
 *
 * Censoring (Type I): besides the n times observed exactly, m more tasks may be known only to
 * take longer than a time c (a trace's tasks that missed their deadline: late or never replied;
 * c = the largest in-time time, which no such task undercuts). Their likelihood is P(T > c).
 * With S = Σx, SL = Σ ln x:
 * - exponential: λ = n/(S + m·c);
 * - shifted exponential: shift = min x, λ = n/(S − n·shift + m·(c − shift));
 * - Pareto: xm = min x, α = n/(SL − n ln xm + m ln(c/xm));
 * - Gamma (shape k, rate λ): without censoring λ = k/mean and k solves ln k − ψ(k) = ln(mean) −
 *   SL/n, by Newton's method from Minka's starting value; with censoring (no closed form) the
 *   profile likelihood max_λ ℓ(k, λ) is maximised over k, both by golden-section search in log
 *   scale around that uncensored start (ℓ uses the tail Q(k, λc) for the censored tasks).
 * The KS distance compares, over t ≤ c, the empirical CDF of all n + m tasks (#{x ≤ t}/(n + m))
 * with the fitted CDF. The parameters are returned under the option keys the models read (so a
 * fit reads as flags: `--latency gamma --gamma-shape k --lambda λ`).
 */
import { exponential } from './exponential.ts';
import { gamma } from './gamma.ts';
import type { LatencyModel, LatencyParams } from './model.ts';
import { pareto } from './pareto.ts';
import { shiftedExponential } from './shifted-exponential.ts';
import { digamma, lnGamma, regularizedGammaQ, trigamma } from './special.ts';

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

/** Tasks known only to take longer than `at` (right-censored at one time). */
export interface Censoring {
  count: number;
  at: number;
}

const NONE: Censoring = { count: 0, at: Infinity };

/**
 * Kolmogorov–Smirnov distance sup_t |F_N(t) − F(t)| of the ascending sample `sorted` from `cdf`,
 * with F_N(t) = #{x ≤ t}/N; N = `total` ≥ the sample size when more tasks are censored beyond the
 * sample (then the sup runs over the sample's range only).
 */
export function ksDistance(sorted: ArrayLike<number>, cdf: (t: number) => number, total = sorted.length): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    // F_N jumps from i/N to (j+1)/N at a run of ties x_i = … = x_j: compare both sides of the jump.
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    d = Math.max(d, Math.abs(f - i / total), Math.abs((j + 1) / total - f));
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

function moments(xs: ArrayLike<number>, cens: Censoring = NONE): Moments {
  if (!(cens.count >= 0) || !Number.isInteger(cens.count)) throw new RangeError(`latency fit: censored count must be an integer ≥ 0 (got ${cens.count})`);
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
  if (cens.count > 0 && !(cens.at >= max && Number.isFinite(cens.at))) throw new RangeError(`latency fit: the censoring time must be finite and ≥ every observed time (got ${cens.at} < ${max})`);
  return { n: xs.length, sum, min, max, sumLog };
}

function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

function failed(model: FittedModel, note: string): LatencyFit {
  return { model, params: {}, logLikelihood: NaN, ks: NaN, note };
}

/** MLE of the exponential: λ = n/(S + m·c). */
export function fitExponential(xs: ArrayLike<number>, cens: Censoring = NONE): LatencyFit {
  const m = moments(xs, cens);
  const exposure = m.sum + (cens.count ? cens.count * cens.at : 0);
  if (!(exposure > 0)) return failed('exponential', 'needs some time > 0');
  const lambda = m.n / exposure;
  const latency = exponential(lambda);
  return { model: 'exponential', params: { lambda }, latency, logLikelihood: m.n * Math.log(lambda) - lambda * exposure, ks: ks(xs, latency, cens) };
}

function ks(xs: ArrayLike<number>, latency: LatencyModel, cens: Censoring): number {
  return ksDistance(sortedCopy(xs), latency.cdf, xs.length + cens.count);
}

/** MLE of the shifted exponential: shift = min, λ = n/(S − n·min + m·(c − min)). */
export function fitShiftedExponential(xs: ArrayLike<number>, cens: Censoring = NONE): LatencyFit {
  const m = moments(xs, cens);
  const excess = m.sum - m.n * m.min + (cens.count ? cens.count * (cens.at - m.min) : 0);
  if (!(excess > 0)) return failed('shifted-exponential', 'all times are equal');
  const lambda = m.n / excess;
  const latency = shiftedExponential(lambda, m.min);
  return {
    model: 'shifted-exponential',
    params: { lambda, shift: m.min },
    latency,
    logLikelihood: m.n * Math.log(lambda) - lambda * excess,
    ks: ks(xs, latency, cens),
  };
}

/** MLE of the Pareto: xm = min, α = n/(Σ ln(x/xm) + m·ln(c/xm)). */
export function fitPareto(xs: ArrayLike<number>, cens: Censoring = NONE): LatencyFit {
  const m = moments(xs, cens);
  if (!(m.min > 0)) return failed('pareto', 'needs every time > 0');
  const censLog = cens.count ? cens.count * Math.log(cens.at / m.min) : 0;
  const sumLogRatio = m.sumLog - m.n * Math.log(m.min) + censLog;
  if (!(sumLogRatio > 0)) return failed('pareto', 'all times are equal');
  const alpha = m.n / sumLogRatio;
  const latency = pareto(m.min, alpha);
  return {
    model: 'pareto',
    params: { paretoScale: m.min, paretoShape: alpha },
    latency,
    logLikelihood: m.n * Math.log(alpha) + m.n * alpha * Math.log(m.min) - (alpha + 1) * m.sumLog - alpha * censLog,
    ks: ks(xs, latency, cens),
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

/** Maximiser of a unimodal f on [a, b] by golden-section search (to |b − a| ≤ tol). */
function goldenMax(f: (x: number) => number, a: number, b: number, tol = 1e-10): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** MLE of the Gamma (shape k, rate λ): Newton on k without censoring, profile likelihood with it. */
export function fitGamma(xs: ArrayLike<number>, cens: Censoring = NONE): LatencyFit {
  const m = moments(xs, cens);
  if (!(m.min > 0)) return failed('gamma', 'needs every time > 0');
  const mean = m.sum / m.n;
  const s = Math.log(mean) - m.sumLog / m.n;
  if (!(s > 1e-14)) return failed('gamma', 'all times are equal');
  const ll = (k: number, lambda: number) =>
    m.n * k * Math.log(lambda) + (k - 1) * m.sumLog - lambda * m.sum - m.n * lnGamma(k) + (cens.count ? cens.count * Math.log(regularizedGammaQ(k, lambda * cens.at)) : 0);
  let k = gammaShapeMle(s);
  let lambda = k / mean;
  if (cens.count > 0) {
    // for a given k, the rate lies between k·n/(S + m·c) (censored times as c) and k/mean (censored left out), give or take
    const lo = Math.log((m.n) / (m.sum + cens.count * cens.at));
    const hi = Math.log(m.n / m.sum);
    const bestRate = (kk: number) => Math.exp(goldenMax((l) => ll(kk, Math.exp(l)), Math.log(kk) + lo - 5, Math.log(kk) + hi + 5));
    k = Math.exp(goldenMax((lk) => ll(Math.exp(lk), bestRate(Math.exp(lk))), Math.log(k) - 6, Math.log(k) + 6));
    lambda = bestRate(k);
  }
  const latency = gamma(k, lambda);
  return {
    model: 'gamma',
    params: { gammaShape: k, lambda },
    latency,
    logLikelihood: ll(k, lambda),
    ks: ks(xs, latency, cens),
  };
}

/**
 * Every fit, in {@link FITTED_MODELS} order.
 * @param xs the times observed exactly
 * @param cens tasks known only to take longer than `cens.at` (≥ every observed time)
 */
export function fitLatencyModels(xs: ArrayLike<number>, cens: Censoring = NONE): LatencyFit[] {
  if (xs.length < 2) throw new RangeError(`latency fit: needs at least 2 times (got ${xs.length})`);
  return [fitExponential(xs, cens), fitShiftedExponential(xs, cens), fitPareto(xs, cens), fitGamma(xs, cens)];
}

/** The fit with the smallest KS distance (among those that succeeded). */
export function bestFit(fits: readonly LatencyFit[]): LatencyFit {
  const ok = fits.filter((f) => f.latency && Number.isFinite(f.ks));
  if (ok.length === 0) throw new RangeError('latency fit: no model could be fitted');
  return ok.reduce((a, b) => (b.ks < a.ks ? b : a));
}
