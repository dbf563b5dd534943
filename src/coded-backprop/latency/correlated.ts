/**
 * `correlated:q=Q,f=F,s=S[,law=NAME]`: stragglers that come together. Each call is "bad" with
 * probability q (per product site, independently across calls); in a bad call each worker is
 * slowed by the factor s with probability f, independently (so on average a fraction f of the
 * workers, a random one; the fraction is Binomial(W, f)/W). Times follow the base law F
 * (`law=`, default exponential), slowed ones F(t/s). A worker's marginal is the mixture
 * (1 − q·f)·F(t) + q·f·F(t/s) (cdf(): the i.i.d. theory), but the workers of one call are
 * dependent: many are late together. Per-site streams from the seed (site-state.ts).
 */
import { numberArg, parseKeyValues } from './args.ts';
import { baseLaw, mixture, slowed } from './base-laws.ts';
import type { LatencyModel, LatencyModelDef, LatencyParams } from './model.ts';
import { DEFAULT_LATENCY_SEED, SiteStates } from './site-state.ts';

export interface CorrelatedParams {
  q: number;
  f: number;
  s: number;
  law: string;
}

/** `correlated:ARG` → its parameters; OptionError on `latency` otherwise. */
export function parseCorrelatedArg(arg: string): CorrelatedParams {
  const kv = parseKeyValues('correlated', arg, ['q', 'f', 's', 'law']);
  return {
    q: numberArg('correlated', 'q', kv.q, 0, 1, 'a probability in [0, 1] (that a call is bad)'),
    f: numberArg('correlated', 'f', kv.f, 0, 1, 'a fraction in [0, 1] (of the workers slowed in a bad call)'),
    s: numberArg('correlated', 's', kv.s, 1, Infinity, 'a slowdown factor ≥ 1'),
    law: kv.law ?? 'exponential',
  };
}

export function correlated(params: CorrelatedParams, p: LatencyParams): LatencyModel {
  const fast = baseLaw('correlated', params.law, p);
  const slow = slowed(fast, params.s);
  const marginal = mixture(fast, slow, params.q * params.f);
  const seed = p.seed ?? DEFAULT_LATENCY_SEED;
  const sites = new SiteStates(seed, () => ({ calls: 0, bad: 0 }));
  return {
    name: `correlated(q=${params.q}, f=${params.f}, s=${params.s}, ${fast.name}; marginal slowed share ${params.q * params.f})`,
    sample: marginal.sample,
    cdf: marginal.cdf,
    callTimes(site, workers) {
      const { rng, state } = sites.at(site);
      const bad = rng.uniform() < params.q;
      state.calls++;
      if (bad) state.bad++;
      const t = new Float64Array(workers);
      for (let w = 0; w < workers; w++) t[w] = (bad && rng.uniform() < params.f ? slow : fast).sample(rng);
      return t;
    },
    stateRecord: () => ({ seed, ...params, badCalls: Object.fromEntries(sites.entries().map(([s, st]) => [s, st])) }),
  };
}

export const correlatedModel = {
  name: 'correlated',
  params: ['lambda'],
  stateful: true,
  describe: 'correlated stragglers: with probability q a call is bad and each worker is slowed ×s with probability f (q=Q,f=F,s=S; law=exponential)',
  arg: { placeholder: 'q=Q,f=F,s=S', validate: (arg: string) => void parseCorrelatedArg(arg), file: null },
  check: (p, arg?) => void baseLaw('correlated', parseCorrelatedArg(arg ?? '').law, p),
  create: (p, arg?) => correlated(parseCorrelatedArg(arg ?? ''), p),
} as const satisfies LatencyModelDef<'correlated'>;
