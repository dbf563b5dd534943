/**
 * Gamma worker times with shape k and rate λ (the same `--lambda` as the exponential, of which
 * this is the generalisation: k = 1 is Exp(λ)): density λ^k t^{k−1} e^{−λt}/Γ(k), mean k/λ,
 * F(t) = P(k, λt), the regularised lower incomplete gamma (./special.ts). Sampled by
 * Marsaglia–Tsang (2000) from the seeded Rng's normals and uniforms; for k < 1 through
 * Gamma(k + 1)·U^{1/k}.
 */
import type { Rng } from '../../util/rng.ts';
import { checkPositive } from './checks.ts';
import type { LatencyModel, LatencyModelDef } from './model.ts';
import { regularizedGammaP } from './special.ts';

/** One draw of Gamma(shape, rate 1) by Marsaglia–Tsang. */
export function sampleGammaUnitRate(shape: number, rng: Rng): number {
  if (shape < 1) {
    // Gamma(k) = Gamma(k + 1)·U^{1/k}; 1 − U keeps the uniform in (0, 1].
    return sampleGammaUnitRate(shape + 1, rng) * Math.pow(1 - rng.uniform(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.uniform(); // (0, 1]
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** The model with shape k and rate λ. */
export function gamma(shape: number, rate: number): LatencyModel {
  return {
    name: `gamma(k=${shape}, λ=${rate})`,
    sample: (rng) => sampleGammaUnitRate(shape, rng) / rate,
    cdf: (t) => (t <= 0 ? 0 : regularizedGammaP(shape, rate * t)),
  };
}

export const gammaModel = {
  name: 'gamma',
  params: ['gammaShape', 'lambda'],
  describe: 'F(t) = P(k, λt), the regularised incomplete gamma (k = gammaShape, rate λ; k = 1 is the exponential)',
  check: (p) => {
    checkPositive('gammaShape', p.gammaShape as number);
    checkPositive('lambda', p.lambda);
  },
  create: (p) => gamma(p.gammaShape as number, p.lambda),
} as const satisfies LatencyModelDef<'gamma'>;
