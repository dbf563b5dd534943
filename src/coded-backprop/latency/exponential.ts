/** Exponential worker times: F(t) = 1 − e^{−λt} (the paper's model, DESIGN.md §4). */
import { exponentialCdf } from '../../util/exponential.ts';
import { checkPositive } from './checks.ts';
import type { LatencyModel, LatencyModelDef } from './model.ts';

/** The model with rate λ. */
export function exponential(lambda: number): LatencyModel {
  return {
    name: `exponential(λ=${lambda})`,
    sample: (rng) => rng.exponential(lambda),
    cdf: (t) => exponentialCdf(lambda, t),
  };
}

export const exponentialModel = {
  name: 'exponential',
  params: ['lambda'],
  describe: 'F(t) = 1 − e^{−λt}',
  check: (p) => checkPositive('lambda', p.lambda),
  create: (p) => exponential(p.lambda),
} as const satisfies LatencyModelDef<'exponential'>;
