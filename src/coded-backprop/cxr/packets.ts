/**
 * The c×r (inner-dimension) partition: A: m×n is cut into column blocks A_k (m×n_k) and B: n×p
 * into the matching row blocks B_k (n_k×p), so that C = A·B = Σ_k A_k·B_k (m×p). One outer-block
 * product A_k·B_k is a "packet". The inner indices are ranked by ‖A[:, t]‖·‖B[t, :]‖ (or the
 * mean-|x| variant) and split into K packets of floor-rule sizes (uneven when K ∤ n), most
 * important first; packet k belongs to class classOf[k] (class 0 the most important).
 */
import { axisScores, splitAxis, type AxisSplit } from '../partition.ts';
import type { Ordering } from '../types.ts';
import { OptionError } from '../../util/option-error.ts';

/** What a packet code may look at before any matrix is seen. */
export interface PacketShape {
  /** Number of packets K. */
  K: number;
  /** Class of each packet (length K, values 0..L−1, each used). */
  classOf: number[];
  /** Packets per class (length L). */
  classSizes: number[];
}

/** Packets of one product: the inner split plus the packet classes. */
export interface PacketLayout extends PacketShape {
  /** Inner split: packet k holds inner indices order[bounds[k] .. bounds[k+1]). */
  inner: AxisSplit;
}

/** Default packet classes: L consecutive groups of (nearly) equal size, class of k = floor(k·L/K). */
export function defaultPacketClasses(K: number, L: number): number[] {
  return Array.from({ length: K }, (_, k) => Math.floor((k * L) / K));
}

/**
 * Importance score of every inner index t (length n) of A: m×n, B: n×p (row-major):
 * ‖A[:, t]‖²·‖B[t, :]‖² ('l2'), Σ|A[:, t]|·Σ|B[t, :]| ('mean-abs'), zeros ('none': original order).
 */
export function innerScores(a: ArrayLike<number>, m: number, n: number, b: ArrayLike<number>, p: number, ordering: Ordering): Float64Array {
  // the r×c scores' loops (axisScores), so the tensor path's heap kernels give the same numbers
  return scoreProducts(axisScores(a, m, n, true, ordering), axisScores(b, n, p, false, ordering));
}

/** The inner scores from A's column scores and B's row scores: their products, in place in `columnsOfA`. */
export function scoreProducts(columnsOfA: Float64Array, rowsOfB: ArrayLike<number>): Float64Array {
  for (let t = 0; t < columnsOfA.length; t++) columnsOfA[t] *= rowsOfB[t];
  return columnsOfA;
}

/** Packet layout from the inner scores (length n); OptionError on `packets` if K > n. */
export function makePacketLayout(scores: ArrayLike<number>, shape: PacketShape): PacketLayout {
  if (shape.K > scores.length) {
    throw new OptionError('packets', `K = ${shape.K} packets need an inner dimension of at least K (got ${scores.length})`);
  }
  return { ...shape, inner: splitAxis(scores, shape.K) };
}
