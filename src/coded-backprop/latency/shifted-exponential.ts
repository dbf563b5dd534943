/** Shifted exponential: a fixed start-up time plus an exponential tail, F(t) = 1 − e^{−λ(t − shift)} for t ≥ shift. */
import { exponentialCdf } from '../../util/exponential.ts';
import { checkNonNegative, checkPositive } from './checks.ts';
import type { LatencyModel, LatencyModelDef } from './model.ts';

/** The model with rate λ and start-up time `shift`. */
export function shiftedExponential(lambda: number, shift: number): LatencyModel {
  return {
    name: `shifted-exponential(λ=${lambda}, shift=${shift})`,
    sample: (rng) => shift + rng.exponential(lambda),
    cdf: (t) => exponentialCdf(lambda, t - shift),
  };
}

export const shiftedExponentialModel = {
  name: 'shifted-exponential',
  params: ['lambda', 'shift'],
  describe: 'F(t) = 1 − e^{−λ(t − shift)} for t ≥ shift',
  check: (p) => {
    checkPositive('lambda', p.lambda);
    checkNonNegative('shift', p.shift);
  },
  create: (p) => shiftedExponential(p.lambda, p.shift),
} as const satisfies LatencyModelDef<'shifted-exponential'>;
