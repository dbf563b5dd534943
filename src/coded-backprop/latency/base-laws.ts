/**
 * The i.i.d. laws the models with memory are built from (markov's fast and slow laws, correlated's
 * normal and slowed law): the registered closed-form models, which read only LatencyParams (no
 * file, no state). A slowed law is the same law with every time multiplied by s: for Exp(λ) that
 * is Exp(λ/s).
 */
import { OptionError } from '../../util/option-error.ts';
import { exponentialModel } from './exponential.ts';
import { gammaModel } from './gamma.ts';
import type { LatencyModel, LatencyModelDef, LatencyParams } from './model.ts';
import { paretoModel } from './pareto.ts';
import { shiftedExponentialModel } from './shifted-exponential.ts';

export const BASE_LAWS: readonly LatencyModelDef[] = [exponentialModel, shiftedExponentialModel, paretoModel, gammaModel];

/** The base law `name` (default exponential) with the run's parameters, checked. */
export function baseLaw(model: string, name: string | undefined, p: LatencyParams): LatencyModel {
  const key = (name ?? 'exponential').trim().toLowerCase();
  const def = BASE_LAWS.find((d) => d.name === key);
  if (!def) throw new OptionError('latency', `${model}: law must be one of ${BASE_LAWS.map((d) => d.name).join(', ')} (got "${name}")`);
  def.check(p);
  return def.create(p);
}

/** The law with every time multiplied by s: F_s(t) = F(t/s). */
export function slowed(law: LatencyModel, s: number): LatencyModel {
  return { name: `${s}×${law.name}`, sample: (rng) => s * law.sample(rng), cdf: (t) => law.cdf(t / s) };
}

/** The mixture (1 − w)·F + w·G: the stationary marginal of a worker slowed with probability w. */
export function mixture(fast: LatencyModel, slow: LatencyModel, w: number): Pick<LatencyModel, 'sample' | 'cdf'> {
  return {
    sample: (rng) => (rng.uniform() < w ? slow.sample(rng) : fast.sample(rng)),
    cdf: (t) => (1 - w) * fast.cdf(t) + w * slow.cdf(t),
  };
}
