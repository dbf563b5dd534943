/**
 * Maximum-likelihood fits of the parametric latency models to single-worker times, and the
 * Kolmogorov–Smirnov distance of a sample from a CDF.
 *
 * Censoring: besides the n times observed exactly, m more tasks may be known only to take
 * longer than their own time c_i (a trace's tasks that missed their call's deadline: late or
 * never replied). Each adds ln P(T > c_i) to the log-likelihood. With S = Σx, SL = Σ ln x:
 * - exponential: λ = n/(S + Σc_i);
 * - shifted exponential: shift = min x, λ = n/(S − n·shift + Σ(c_i − shift)⁺);
 * - Pareto: xm = min x, α = n/(SL − n ln xm + Σ ln⁺(c_i/xm));
 * - Gamma (shape k, rate λ): without censoring λ = k/mean and k solves ln k − ψ(k) = ln(mean) −
 *   SL/n, by Newton's method from Minka's starting value; with censoring (no closed form) the
 *   profile likelihood max_λ ℓ(k, λ) is maximised over k, both by golden-section search in log
 *   scale around that uncensored start (ℓ has Σ ln Q(k, λc_i) for the censored tasks).
 * The KS distance compares, over the observed times' range, the empirical CDF of all n + m tasks
 * (#{x ≤ t}/(n + m)) with the fitted CDF (exact below the smallest c_i, e.g. a common deadline).
  The parameters are returned under the option keys the models read (so a
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

/** Right-censored tasks grouped by their censoring time: `count` tasks known only to exceed `at`. */
interface CensorGroup {
  at: number;
  count: number;
}

/** The censoring times, checked (finite, ≥ 0) and grouped (a trace's deadlines repeat). */
function groupCensored(censoredAt: ArrayLike<number>): CensorGroup[] {
  const by = new Map<number, number>();
  for (let i = 0; i < censoredAt.length; i++) {
    const c = censoredAt[i];
    if (!Number.isFinite(c) || c < 0) throw new RangeError(`latency fit: censoring times must be finite and ≥ 0 (got ${c} at ${i})`);
    by.set(c, (by.get(c) ?? 0) + 1);
  }
  return [...by].map(([at, count]) => ({ at, count }));
}

/** Σ count·g(at) over the groups. */
function sumOver(groups: readonly CensorGroup[], g: (at: number) => number): number {
  let s = 0;
  for (const { at, count } of groups) s += count * g(at);
  return s;
}

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

/** MLE of the exponential: λ = n/(S + Σc_i). */
export function fitExponential(xs: ArrayLike<number>, censoredAt: ArrayLike<number> = []): LatencyFit {
  const m = moments(xs);
  const cens = groupCensored(censoredAt);
  const exposure = m.sum + sumOver(cens, (c) => c);
  if (!(exposure > 0)) return failed('exponential', 'needs some time > 0');
  const lambda = m.n / exposure;
  const latency = exponential(lambda);
  return { model: 'exponential', params: { lambda }, latency, logLikelihood: m.n * Math.log(lambda) - lambda * exposure, ks: ks(xs, latency, cens) };
}

function ks(xs: ArrayLike<number>, latency: LatencyModel, cens: readonly CensorGroup[]): number {
  return ksDistance(sortedCopy(xs), latency.cdf, xs.length + sumOver(cens, () => 1));
}

/** MLE of the shifted exponential: shift = min, λ = n/(S − n·min + Σ(c_i − min)⁺). */
export function fitShiftedExponential(xs: ArrayLike<number>, censoredAt: ArrayLike<number> = []): LatencyFit {
  const m = moments(xs);
  const cens = groupCensored(censoredAt);
  const excess = m.sum - m.n * m.min + sumOver(cens, (c) => Math.max(0, c - m.min));
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

/** MLE of the Pareto: xm = min, α = n/(Σ ln(x/xm) + Σ ln⁺(c_i/xm)). */
export function fitPareto(xs: ArrayLike<number>, censoredAt: ArrayLike<number> = []): LatencyFit {
  const m = moments(xs);
  const cens = groupCensored(censoredAt);
  if (!(m.min > 0)) return failed('pareto', 'needs every time > 0');
  const censLog = sumOver(cens, (c) => Math.max(0, Math.log(c / m.min)));
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
export function fitGamma(xs: ArrayLike<number>, censoredAt: ArrayLike<number> = []): LatencyFit {
  const m = moments(xs);
  const cens = groupCensored(censoredAt);
  if (!(m.min > 0)) return failed('gamma', 'needs every time > 0');
  const mean = m.sum / m.n;
  const s = Math.log(mean) - m.sumLog / m.n;
  if (!(s > 1e-14)) return failed('gamma', 'all times are equal');
  const ll = (k: number, lambda: number) =>
    m.n * k * Math.log(lambda) + (k - 1) * m.sumLog - lambda * m.sum - m.n * lnGamma(k) + sumOver(cens, (c) => Math.log(regularizedGammaQ(k, lambda * c)));
  let k = gammaShapeMle(s);
  let lambda = k / mean;
  if (cens.length > 0) {
    // for a given k, the rate lies between k·n/(S + Σc_i) (censored times as c_i) and k/mean (censored left out), give or take
    const lo = Math.log(m.n / (m.sum + sumOver(cens, (c) => c)));
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
 * @param censoredAt one entry per censored task: the time it is known to exceed
 */
export function fitLatencyModels(xs: ArrayLike<number>, censoredAt: ArrayLike<number> = []): LatencyFit[] {
  if (xs.length < 2) throw new RangeError(`latency fit: needs at least 2 times (got ${xs.length})`);
  return [fitExponential(xs, censoredAt), fitShiftedExponential(xs, censoredAt), fitPareto(xs, censoredAt), fitGamma(xs, censoredAt)];
}

/** The fit with the smallest KS distance (among those that succeeded). */
export function bestFit(fits: readonly LatencyFit[]): LatencyFit {
  const ok = fits.filter((f) => f.latency && Number.isFinite(f.ks));
  if (ok.length === 0) throw new RangeError('latency fit: no model could be fitted');
  return ok.reduce((a, b) => (b.ks < a.ks ? b : a));
}
