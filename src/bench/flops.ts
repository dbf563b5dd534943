/**
 * Floating-point work of one training step of the MLP (multiply-adds counted as 2 flops; the
 * elementwise ops, softmax and SGD update are O(parameters) and left out).
 */
import type { LayerSizes } from '../model/mlp.ts';

export interface StepFlops {
  /** The three dense layers' forward products, X·W. */
  forward: number;
  /** The six backward products (Table II): grad input dY·Wᵀ and grad weight Xᵀ·dY per layer. */
  backward: number;
}

/** Flops of one step at batch b: forward 2·b·Σ in·out, backward twice that. */
export function stepFlops(sizes: LayerSizes, batch: number): StepFlops {
  let macs = 0;
  for (let l = 0; l < 3; l++) macs += batch * sizes[l] * sizes[l + 1];
  return { forward: 2 * macs, backward: 4 * macs };
}
