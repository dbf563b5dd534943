/**
 * `markov:…`: a two-state Gilbert–Elliott chain per worker (DESIGN.md §13). Worker w is fast or
 * slow; a fast worker's time follows the base law F (any closed-form registered model, `law=`,
 * default exponential: Exp(λ)), a slow worker's the same law times s (F(t/s): Exp(λ/s)). After
 * every call each worker moves fast→slow with probability a and slow→fast with probability b,
 * independently. The chain starts from its stationary distribution: slow with probability
 * π = a/(a + b). So every call's marginal is the stationary mixture (1 − π)·F(t) + π·F(t/s),
 * which is what cdf() gives (the i.i.d. theory: with random window assignment each call's
 * expected loss is exactly Theorem 1 under it); persistence only correlates the calls. The mean
 * run of slow calls is 1/b, of fast calls 1/a.
 *
 * Argument: `a=A,b=B,s=S[,law=NAME]`, or the persistence form `share=π,run=R,s=S[,law=NAME]`
 * (b = 1/R, a = π·b/(1 − π)): fixing the slow share and varying the mean slow run R gives
 * persistence levels with the same marginal. State per (product site, worker), from the seed
 * (site-state.ts).
 */
import type { Rng } from '../../util/rng.ts';
import { OptionError } from '../../util/option-error.ts';
import { numberArg, parseKeyValues } from './args.ts';
import { baseLaw, mixture, slowed } from './base-laws.ts';
import type { LatencyModel, LatencyModelDef, LatencyParams } from './model.ts';
import { DEFAULT_LATENCY_SEED, SiteStates } from './site-state.ts';

/** The chain's parameters. */
export interface MarkovParams {
  /** P(fast → slow) per call. */
  a: number;
  /** P(slow → fast) per call. */
  b: number;
  /** Slowdown factor s ≥ 1 of the slow state. */
  s: number;
  /** The base law's name. */
  law: string;
}

const KEYS = ['a', 'b', 's', 'share', 'run', 'law'] as const;

/** The chain's parameters from `markov:ARG`; OptionError on `latency` naming the bad one and its valid range. */
export function parseMarkovArg(arg: string): MarkovParams {
  const kv = parseKeyValues('markov', arg, KEYS);
  const s = numberArg('markov', 's', kv.s, 1, Infinity, 'a slowdown factor ≥ 1');
  const law = kv.law ?? 'exponential';
  if (kv.share !== undefined || kv.run !== undefined) {
    if (kv.a !== undefined || kv.b !== undefined) throw new OptionError('latency', 'markov: give either a=,b= (transition probabilities) or share=,run= (slow share and mean slow run), not both');
    const share = numberArg('markov', 'share', kv.share, 0, 0.999999, 'a slow share in [0, 1)');
    const run = numberArg('markov', 'run', kv.run, 1, Infinity, 'a mean slow run ≥ 1 call');
    const b = 1 / run;
    const a = (share * b) / (1 - share);
    if (a > 1) throw new OptionError('latency', `markov: share=${share} with run=${run} needs P(fast→slow) = ${a.toFixed(3)} > 1; use a longer run`);
    return { a, b, s, law };
  }
  const a = numberArg('markov', 'a', kv.a, 0, 1, 'a probability in [0, 1] (P(fast→slow) per call)');
  const b = numberArg('markov', 'b', kv.b, 0, 1, 'a probability in [0, 1] (P(slow→fast) per call)');
  if (a + b === 0) throw new OptionError('latency', 'markov: a + b must be > 0 (with a = b = 0 the chain never moves and has no stationary distribution)');
  return { a, b, s, law };
}

/** Stationary slow share π = a/(a + b). */
export function stationarySlowShare({ a, b }: Pick<MarkovParams, 'a' | 'b'>): number {
  return a / (a + b);
}

/** The states of one site's workers (1 = slow), started from the stationary distribution. */
export class MarkovWorkers {
  readonly slow: number[] = [];
  /** The states the workers started in (recorded). */
  readonly initial: number[] = [];

  constructor(
    private readonly chain: Pick<MarkovParams, 'a' | 'b'>,
    private readonly rng: Rng,
  ) {}

  /** Makes sure `workers` workers exist (new ones start from the stationary distribution). */
  ensure(workers: number): void {
    const pi = stationarySlowShare(this.chain);
    while (this.slow.length < workers) {
      const s = this.rng.uniform() < pi ? 1 : 0;
      this.slow.push(s);
      this.initial.push(s);
    }
  }

  /** One call's transitions of every worker. */
  step(): void {
    const { a, b } = this.chain;
    for (let w = 0; w < this.slow.length; w++) {
      const u = this.rng.uniform();
      if (this.slow[w]) {
        if (u < b) this.slow[w] = 0;
      } else if (u < a) this.slow[w] = 1;
    }
  }
}

/** The model: per site a MarkovWorkers; each call draws every worker's time in its state, then steps. */
export function markov(params: MarkovParams, p: LatencyParams): LatencyModel {
  const fast = baseLaw('markov', params.law, p);
  const slow = slowed(fast, params.s);
  const pi = stationarySlowShare(params);
  const seed = p.seed ?? DEFAULT_LATENCY_SEED;
  const sites = new SiteStates(seed, (rng) => new MarkovWorkers(params, rng));
  const marginal = mixture(fast, slow, pi);
  return {
    name: `markov(a=${round(params.a)}, b=${round(params.b)}, s=${params.s}, ${fast.name}; stationary slow share ${round(pi)}, mean slow run ${round(1 / params.b)} calls)`,
    sample: marginal.sample,
    cdf: marginal.cdf,
    callTimes(site, workers) {
      const { rng, state } = sites.at(site);
      state.ensure(workers);
      const t = new Float64Array(workers);
      for (let w = 0; w < workers; w++) t[w] = (state.slow[w] ? slow : fast).sample(rng);
      state.step();
      return t;
    },
    stateRecord: () => ({
      seed,
      a: params.a,
      b: params.b,
      s: params.s,
      law: params.law,
      stationarySlowShare: pi,
      initialSlow: Object.fromEntries(sites.entries().map(([site, st]) => [site, st.initial])),
    }),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export const markovModel = {
  name: 'markov',
  params: ['lambda'],
  stateful: true,
  describe: 'Gilbert–Elliott per worker: a=P(fast→slow), b=P(slow→fast) per call, slow times ×s (a=A,b=B,s=S or share=π,run=R,s=S; law=exponential)',
  arg: { placeholder: 'a=A,b=B,s=S', validate: (arg: string) => void parseMarkovArg(arg), file: null },
  check: (p, arg?) => void baseLaw('markov', parseMarkovArg(arg ?? '').law, p),
  create: (p, arg?) => markov(parseMarkovArg(arg ?? ''), p),
} as const satisfies LatencyModelDef<'markov'>;
