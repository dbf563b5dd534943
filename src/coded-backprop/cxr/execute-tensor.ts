/**
 * Tensor entry of the c×r partition (A: m×n, B: n×p tensors → Ĉ: m×p tensor). It downloads the
 * operands and runs the float64 executor (cxr/execute-f64.ts), then uploads Ĉ in float32: the same
 * plan and decode as the reference, exact up to the final rounding, but not optimised for speed.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/rng.ts';
import type { ResolvedCodedOptions } from '../options.ts';
import type { CodedMatMulStats } from '../types.ts';
import { cxrMatMulF64 } from './execute-f64.ts';

export function cxrMatMulTensor(A: tf.Tensor2D, B: tf.Tensor2D, opts: ResolvedCodedOptions, rng: Rng): { C: tf.Tensor2D; stats: CodedMatMulStats } {
  const [m, n] = A.shape;
  const [nb, p] = B.shape;
  const a = { rows: m, cols: n, data: Float64Array.from(A.dataSync()) };
  const b = { rows: nb, cols: p, data: Float64Array.from(B.dataSync()) };
  const { C, stats } = cxrMatMulF64(a, b, opts, rng);
  return { C: tf.tensor2d(Float32Array.from(C.data), [m, p]), stats };
}
