import test from 'ava';
import { exponential, fitLatencyModels, gamma, bestFit, ksDistance, pareto, shiftedExponential, type LatencyModel } from '../src/coded-backprop/latency.ts';
import { fitExponential, fitGamma, fitPareto, fitShiftedExponential, gammaShapeMle } from '../src/coded-backprop/latency/fit.ts';
import { digamma, lnGamma, regularizedGammaP, regularizedGammaQ, trigamma } from '../src/coded-backprop/latency/special.ts';
import { Rng } from '../src/util/rng.ts';

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** P(n, x) for integer n: 1 − e^{−x} Σ_{k<n} x^k/k! (terms by recurrence, no ln Γ). */
function pInteger(n: number, x: number): number {
  let term = Math.exp(-x);
  let sum = term;
  for (let k = 1; k < n; k++) {
    term *= x / k;
    sum += term;
  }
  return 1 - sum;
}

/** erf by its Maclaurin series (converges fast for |x| ≤ 3). */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

test('ln Γ, ψ and ψ′ against known values', (t) => {
  t.true(close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14));
  t.true(close(lnGamma(1), 0, 1e-14));
  t.true(close(lnGamma(10), Math.log(362880), 1e-14));
  t.true(close(lnGamma(0.1), Math.log(9.513507698668732), 1e-13));
  t.true(close(lnGamma(171.5), 709.1431630309282, 1e-12));
  t.true(close(digamma(1), -0.5772156649015329, 1e-13));
  t.true(close(digamma(0.5), -0.5772156649015329 - 2 * Math.LN2, 1e-13));
  t.true(close(digamma(10), 2.251752589066721, 1e-13));
  t.true(close(trigamma(1), (Math.PI * Math.PI) / 6, 1e-12));
  t.true(close(trigamma(0.5), (Math.PI * Math.PI) / 2, 1e-12));
});

test('regularised incomplete gamma P(a, x) against closed forms (integer and half-integer a), series and continued fraction', (t) => {
  for (const n of [1, 2, 3, 7, 30, 100]) {
    for (const x of [0.01, 0.5, 1, 2.5, n - 0.5, n, n + 1.5, 2 * n, 3 * n + 10]) {
      const p = regularizedGammaP(n, x);
      t.true(close(p, pInteger(n, x), 1e-12), `P(${n}, ${x}) = ${p} vs ${pInteger(n, x)}`);
    }
  }
  for (const x of [0.04, 0.5, 1, 2.25, 4, 6.25]) {
    const r = Math.sqrt(x);
    t.true(close(regularizedGammaP(0.5, x), erf(r), 1e-12), `P(0.5, ${x})`);
    t.true(close(regularizedGammaP(1.5, x), erf(r) - (2 * r * Math.exp(-x)) / Math.sqrt(Math.PI), 1e-12), `P(1.5, ${x})`);
  }
  t.true(close(regularizedGammaP(100, 100), 0.5132987982791486, 1e-9));
  // the far upper tail, where 1 − P loses everything: Q(1, x) = e^{−x}
  t.true(close(regularizedGammaQ(1, 50), Math.exp(-50), 1e-12));
  t.is(regularizedGammaP(2, 0), 0);
  t.is(regularizedGammaP(2, Infinity), 1);
  t.true(Number.isNaN(regularizedGammaP(0, 1)));
});

test('the Gamma model: k = 1 is the exponential, and Marsaglia–Tsang samples follow the CDF for k < 1 and k > 1', (t) => {
  for (const x of [0.1, 1, 3, 10]) t.true(close(gamma(1, 0.5).cdf(x), exponential(0.5).cdf(x), 1e-13));
  for (const k of [0.4, 3.5]) {
    const m = gamma(k, 2);
    const rng = new Rng(11);
    const n = 20000;
    const xs = Float64Array.from({ length: n }, () => m.sample(rng)).sort();
    const d = ksDistance(xs, m.cdf);
    t.true(d < 1.95 / Math.sqrt(n), `k = ${k}: KS ${d}`);
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    t.true(Math.abs(mean - k / 2) < 4 * Math.sqrt(k / 4 / n), `k = ${k}: mean ${mean} vs ${k / 2}`);
  }
});

function draw(model: LatencyModel, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => model.sample(rng));
}

const N = 20000;

test('maximum likelihood recovers the parameters of large seeded samples', (t) => {
  const e = fitExponential(draw(exponential(0.7), N, 1));
  t.true(close(e.params.lambda!, 0.7, 0.03), `λ ${e.params.lambda}`);
  const s = fitShiftedExponential(draw(shiftedExponential(2, 0.3), N, 2));
  t.true(close(s.params.lambda!, 2, 0.03), `λ ${s.params.lambda}`);
  t.true(Math.abs(s.params.shift! - 0.3) < 1e-3, `shift ${s.params.shift}`);
  const p = fitPareto(draw(pareto(0.5, 1.8), N, 3));
  t.true(close(p.params.paretoShape!, 1.8, 0.03), `α ${p.params.paretoShape}`);
  t.true(Math.abs(p.params.paretoScale! - 0.5) < 1e-3, `xm ${p.params.paretoScale}`);
  for (const [k, rate] of [[0.6, 1.5], [2.5, 0.5], [9, 3]] as const) {
    const g = fitGamma(draw(gamma(k, rate), N, 4));
    t.true(close(g.params.gammaShape!, k, 0.04), `k ${g.params.gammaShape} vs ${k}`);
    t.true(close(g.params.lambda!, rate, 0.05), `λ ${g.params.lambda} vs ${rate}`);
  }
});

test('with censoring (tasks known only to exceed c), maximum likelihood still recovers the parameters', (t) => {
  const censor = (xs: Float64Array, c: number) => ({ seen: xs.filter((x) => x <= c), cens: new Float64Array(xs.filter((x) => x > c).length).fill(c) });
  const cases: [string, LatencyModel, number, (f: ReturnType<typeof fitGamma>) => [number, number][]][] = [
    ['exponential', exponential(0.5), 2, (f) => [[f.params.lambda!, 0.5]]],
    ['shifted-exponential', shiftedExponential(1, 0.2), 1.2, (f) => [[f.params.lambda!, 1], [f.params.shift!, 0.2]]],
    ['pareto', pareto(0.5, 1.5), 1, (f) => [[f.params.paretoShape!, 1.5], [f.params.paretoScale!, 0.5]]],
    ['gamma', gamma(2.5, 1.5), 1.5, (f) => [[f.params.gammaShape!, 2.5], [f.params.lambda!, 1.5]]],
    ['gamma', gamma(0.7, 2), 0.3, (f) => [[f.params.gammaShape!, 0.7], [f.params.lambda!, 2]]],
  ];
  const fitters = { exponential: fitExponential, 'shifted-exponential': fitShiftedExponential, pareto: fitPareto, gamma: fitGamma } as const;
  for (const [name, model, c, read] of cases) {
    const { seen, cens } = censor(draw(model, N, 9), c);
    t.true(cens.length > N / 10, `${name}: ${cens.length} censored`);
    const fit = fitters[name as keyof typeof fitters](seen, cens);
    for (const [got, want] of read(fit)) t.true(close(got, want, 0.06), `${name}: ${got} vs ${want}`);
    // KS over t ≤ c against the ECDF of all N tasks: small for the right model
    t.true(fit.ks < 1.95 / Math.sqrt(seen.length), `${name}: KS ${fit.ks}`);
  }
  // the censored Gamma fit is a maximum of its likelihood (censored tasks through Q(k, λc))
  const { seen, cens } = censor(draw(gamma(2, 1), 3000, 10), 2);
  const f = fitGamma(seen, cens);
  const ll = (k: number, rate: number) => {
    let v = 0;
    for (const x of seen) v += k * Math.log(rate) + (k - 1) * Math.log(x) - rate * x - lnGamma(k);
    return v + cens.length * Math.log(regularizedGammaQ(k, rate * 2));
  };
  const { gammaShape: k, lambda: rate } = f.params as { gammaShape: number; lambda: number };
  t.true(close(f.logLikelihood, ll(k, rate), 1e-9));
  for (const [dk, dr] of [[0.01, 0], [-0.01, 0], [0, 0.01], [0, -0.01], [0.01, 0.01], [-0.01, -0.01]]) t.true(ll(k + dk, rate + dr) < f.logLikelihood);
  t.throws(() => fitExponential([1, 3], [Infinity]), { message: /censoring times must be finite/ });
  // per-task censoring times (calls with different deadlines): the exponential's closed form
  const e = fitExponential([1, 2, 3], [4, 4, 6]);
  t.true(close(e.params.lambda!, 3 / (6 + 14), 1e-15));
});

test('the Gamma shape MLE solves ln k − ψ(k) = s (Newton), and the log-likelihood is at its maximum', (t) => {
  for (const s of [1e-3, 0.05, 0.5, 2, 10]) {
    const k = gammaShapeMle(s);
    t.true(Math.abs(Math.log(k) - digamma(k) - s) < 1e-10 * Math.max(1, s), `s = ${s}: k = ${k}`);
  }
  const xs = draw(gamma(2, 1), 2000, 5);
  const fit = fitGamma(xs);
  const ll = (k: number, rate: number) => {
    let v = 0;
    for (const x of xs) v += k * Math.log(rate) + (k - 1) * Math.log(x) - rate * x - lnGamma(k);
    return v;
  };
  const { gammaShape: k, lambda: rate } = fit.params as { gammaShape: number; lambda: number };
  t.true(close(fit.logLikelihood, ll(k, rate), 1e-10));
  for (const [dk, dr] of [[0.02, 0], [-0.02, 0], [0, 0.02], [0, -0.02]]) t.true(ll(k + dk, rate + dr) < fit.logLikelihood);
});

test('KS distance: small against the generating model, large against a wrong one; the best fit is the generating family', (t) => {
  const xs = draw(gamma(3, 1), 5000, 6);
  const sorted = Float64Array.from(xs).sort();
  t.true(ksDistance(sorted, gamma(3, 1).cdf) < 1.95 / Math.sqrt(5000));
  t.true(ksDistance(sorted, exponential(1 / 3).cdf) > 0.1);
  t.true(ksDistance(sorted, pareto(0.5, 1).cdf) > 0.3);
  // exact value on a tiny sample: points 1, 2, 3 against Uniform(0, 4): max(|1/4 − 0|, |1/3 − 1/4|, …) = 1/4
  t.true(close(ksDistance([1, 2, 3], (x) => x / 4), 0.25, 1e-15));
  const fits = fitLatencyModels(xs);
  t.is(bestFit(fits).model, 'gamma');
  const heavy = fitLatencyModels(draw(pareto(1, 1.3), 5000, 7));
  t.is(bestFit(heavy).model, 'pareto');
});

test('fits that cannot be made say why (times of 0 for Pareto and Gamma; equal times)', (t) => {
  const fits = fitLatencyModels([0, 1, 2, 3]);
  t.truthy(fits.find((f) => f.model === 'pareto')!.note);
  t.truthy(fits.find((f) => f.model === 'gamma')!.note);
  t.truthy(fits.find((f) => f.model === 'exponential')!.latency);
  const equal = fitLatencyModels([2, 2, 2]);
  t.is(bestFit(equal).model, 'exponential');
  t.throws(() => fitLatencyModels([1, Infinity]), { message: /finite/ });
});
