/** Random test matrices with block-varying scale, as float64 and as tfjs tensors. */
import * as tf from '@tensorflow/tfjs';
import { gaussian, type Matrix } from '../../src/util/matrix.ts';
import { Rng } from '../../src/util/rng.ts';

/** A: m×n and B: n×p with row/column scales spread over two decades, so that ordering matters. */
export function randomPair(m: number, n: number, p: number, seed: number): { A: Matrix; B: Matrix } {
  const rng = new Rng(seed);
  const rowScale = Array.from({ length: m }, () => Math.exp(2 * rng.uniform() - 1));
  const colScale = Array.from({ length: p }, () => Math.exp(2 * rng.uniform() - 1));
  return {
    A: gaussian(m, n, rng, (r) => rowScale[r]),
    B: gaussian(n, p, rng, (_r, c) => colScale[c]),
  };
}

export function toTensor(M: Matrix): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(M.data), [M.rows, M.cols]);
}
