/**
 * `hetero:…`: heterogeneous workers. Worker w has its own rate λ_w = λ·r_w, drawn once per run
 * (per product site, from the seed: site-state.ts) and fixed thereafter; its times are Exp(λ_w),
 * independent across calls. The speed factors r_w come from
 *   - `gamma=k`: r_w ~ Gamma(k, 1)/k (mean 1; smaller k, more spread). The marginal of a random
 *     worker is then Lomax: F(t) = 1 − (1 + λt/k)^{−k};
 *   - `lognormal=σ`: r_w = exp(σZ − σ²/2), Z ~ N(0, 1) (mean 1). Marginal E[1 − e^{−λ r t}] by
 *     quadrature over Z;
 *   - `rates=r_1/r_2/…/r_W`: the given factors, one per worker (W of them), the same at every
 *     site. Marginal (1/W)·Σ_w (1 − e^{−λ r_w t}).
 * cdf() is that marginal (the i.i.d. theory over a random worker); the calls are not i.i.d. in w.
 */
import { OptionError } from '../../util/option-error.ts';
import { exponentialCdf } from '../../util/exponential.ts';
import { numberArg, parseKeyValues } from './args.ts';
import { checkPositive } from './checks.ts';
import { sampleGammaUnitRate } from './gamma.ts';
import type { LatencyModel, LatencyModelDef, LatencyParams } from './model.ts';
import { DEFAULT_LATENCY_SEED, SiteStates } from './site-state.ts';
import type { Rng } from '../../util/rng.ts';

/** Where the speed factors come from. */
export type HeteroSpread = { kind: 'gamma'; k: number } | { kind: 'lognormal'; sigma: number } | { kind: 'rates'; rates: number[] };

/** `hetero:ARG` → the spread; OptionError on `latency` otherwise. */
export function parseHeteroArg(arg: string): HeteroSpread {
  const kv = parseKeyValues('hetero', arg, ['gamma', 'lognormal', 'rates']);
  const given = Object.keys(kv);
  if (given.length !== 1) throw new OptionError('latency', `hetero takes one of gamma=k, lognormal=σ, rates=r1/r2/… (got ${given.join(', ')})`);
  if (kv.gamma !== undefined) return { kind: 'gamma', k: numberArg('hetero', 'gamma', kv.gamma, 1e-6, 1e6, 'a Gamma shape k > 0') };
  if (kv.lognormal !== undefined) return { kind: 'lognormal', sigma: numberArg('hetero', 'lognormal', kv.lognormal, 0, 10, 'a log-spread σ in [0, 10]') };
  const rates = (kv.rates ?? '').split('/').map((r) => numberArg('hetero', 'rates', r, 1e-12, Infinity, 'a list of speed factors > 0 separated by /'));
  return { kind: 'rates', rates };
}

/** One speed factor of the spread (gamma, lognormal). */
function drawFactor(spread: HeteroSpread, rng: Rng, w: number): number {
  if (spread.kind === 'gamma') return sampleGammaUnitRate(spread.k, rng) / spread.k;
  if (spread.kind === 'lognormal') return Math.exp(spread.sigma * rng.normal() - (spread.sigma * spread.sigma) / 2);
  return spread.rates[w];
}

/** Marginal CDF of a random worker's time. */
function marginalCdf(spread: HeteroSpread, lambda: number): (t: number) => number {
  if (spread.kind === 'gamma') return (t) => (t <= 0 ? 0 : 1 - Math.pow(1 + (lambda * t) / spread.k, -spread.k));
  if (spread.kind === 'rates') return (t) => spread.rates.reduce((s, r) => s + exponentialCdf(lambda * r, t), 0) / spread.rates.length;
  // Z on [−9, 9] by Simpson's rule (2000 intervals): error far below the KS tests' resolution
  const { sigma } = spread;
  const n = 2000;
  const h = 18 / n;
  const nodes = Array.from({ length: n + 1 }, (_, i) => -9 + i * h);
  const weights = nodes.map((z, i) => ((i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * h * Math.exp(-(z * z) / 2)) / (3 * Math.sqrt(2 * Math.PI)));
  const factors = nodes.map((z) => Math.exp(sigma * z - (sigma * sigma) / 2));
  return (t) => (t <= 0 ? 0 : factors.reduce((s, r, i) => s + weights[i] * exponentialCdf(lambda * r, t), 0));
}

/** The model: per site the factors of its workers, drawn on first use. */
export function hetero(spread: HeteroSpread, p: LatencyParams): LatencyModel {
  const lambda = p.lambda;
  const seed = p.seed ?? DEFAULT_LATENCY_SEED;
  const sites = new SiteStates(seed, () => [] as number[]);
  const cdf = marginalCdf(spread, lambda);
  const label = spread.kind === 'gamma' ? `Gamma(${spread.k})/${spread.k}` : spread.kind === 'lognormal' ? `lognormal σ=${spread.sigma}` : `${spread.rates.length} given`;
  return {
    name: `hetero(λ_w = ${lambda}·r_w, r_w ${label}, drawn once per run; marginal over workers)`,
    sample: (rng) => rng.exponential(lambda * drawFactor(spread, rng, rng.int(spread.kind === 'rates' ? spread.rates.length : 1))),
    cdf,
    checkWorkers(workers) {
      if (spread.kind === 'rates' && spread.rates.length !== workers) {
        throw new OptionError('latency', `hetero:rates= needs one speed factor per worker: ${workers} (got ${spread.rates.length})`);
      }
    },
    callTimes(site, workers) {
      const { rng, state } = sites.at(site);
      while (state.length < workers) state.push(drawFactor(spread, rng, state.length));
      const t = new Float64Array(workers);
      for (let w = 0; w < workers; w++) t[w] = rng.exponential(lambda * state[w]);
      return t;
    },
    stateRecord: () => ({ seed, spread, speedFactors: Object.fromEntries(sites.entries()) }),
  };
}

export const heteroModel = {
  name: 'hetero',
  params: ['lambda'],
  stateful: true,
  describe: 'heterogeneous workers: Exp(λ·r_w), r_w drawn once per run (gamma=k: Gamma(k)/k, lognormal=σ) or given (rates=r1/r2/…)',
  arg: { placeholder: 'gamma=K', validate: (arg: string) => void parseHeteroArg(arg), file: null },
  check: (p, arg?) => {
    checkPositive('lambda', p.lambda);
    parseHeteroArg(arg ?? '');
  },
  create: (p, arg?) => hetero(parseHeteroArg(arg ?? ''), p),
} as const satisfies LatencyModelDef<'hetero'>;
