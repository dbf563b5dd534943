/**
 * The six backward products of the MNIST MLP at batch b (paper Table II), and random inputs of
 * their shapes for the benchmarks (a few pairs per product, cycled, so no call reuses one tensor).
 */
import * as tf from '@tensorflow/tfjs';
import type { ProductSite } from '../model/backprop.ts';
import type { Rng } from '../util/rng.ts';

/** Table II at batch b: [name, m, n, p, site] of A: m×n times B: n×p. */
export function tableII(b: number): [string, number, number, number, ProductSite][] {
  return [
    ['dense1 grad-input', b, 100, 784, { layer: 1, kind: 'grad-input' }],
    ['dense1 grad-weight', 784, b, 100, { layer: 1, kind: 'grad-weight' }],
    ['dense2 grad-input', b, 200, 100, { layer: 2, kind: 'grad-input' }],
    ['dense2 grad-weight', 100, b, 200, { layer: 2, kind: 'grad-weight' }],
    ['dense3 grad-input', b, 10, 200, { layer: 3, kind: 'grad-input' }],
    ['dense3 grad-weight', 200, b, 10, { layer: 3, kind: 'grad-weight' }],
  ];
}

export interface BenchProduct {
  name: string;
  /** e.g. (64×100)·(100×784) */
  shape: string;
  site: ProductSite;
  pairs: [tf.Tensor2D, tf.Tensor2D][];
}

/** The six products of Table II with `count` random N(0, 1) input pairs each; the caller disposes them. */
export function benchProducts(batch: number, rng: Rng, count = 4): BenchProduct[] {
  return tableII(batch).map(([name, m, n, p, site]) => ({
    name,
    shape: `(${m}×${n})·(${n}×${p})`,
    site,
    pairs: Array.from({ length: count }, (): [tf.Tensor2D, tf.Tensor2D] => [
      tf.tensor2d(Float32Array.from({ length: m * n }, () => rng.normal()), [m, n]),
      tf.tensor2d(Float32Array.from({ length: n * p }, () => rng.normal()), [n, p]),
    ]),
  }));
}
