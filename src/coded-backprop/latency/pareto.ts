/** Pareto worker times (heavy-tailed stragglers): F(t) = 1 − (xm/t)^α for t ≥ xm. */
import { checkPositive } from './checks.ts';
import type { LatencyModel, LatencyModelDef } from './model.ts';

/** The model with scale xm and shape α. */
export function pareto(xm: number, alpha: number): LatencyModel {
  return {
    name: `pareto(xm=${xm}, α=${alpha})`,
    sample: (rng) => xm / Math.pow(1 - rng.uniform(), 1 / alpha),
    cdf: (t) => (t <= xm ? 0 : 1 - Math.pow(xm / t, alpha)),
  };
}

export const paretoModel = {
  name: 'pareto',
  params: ['paretoScale', 'paretoShape'],
  describe: 'F(t) = 1 − (xm/t)^α for t ≥ xm (xm = paretoScale, α = paretoShape)',
  check: (p) => {
    checkPositive('paretoScale', p.paretoScale);
    checkPositive('paretoShape', p.paretoShape);
  },
  create: (p) => pareto(p.paretoScale, p.paretoShape),
} as const satisfies LatencyModelDef<'pareto'>;
