/**
 * The random matrices of the paper's Fig. 3 setup: A (N·U × M) and B (M × P·Q) with i.i.d.
 * N(0, σ²) entries, σ² fixed per importance level: row block n of A has σ²_A[n], column block p
 * of B has σ²_B[p]. E‖C_np‖² = M·U·Q·σ²_A[n]·σ²_B[p].
 */
import { gaussian, type Matrix } from '../util/matrix.ts';
import type { Rng } from '../util/rng.ts';

export interface BlockGaussianSpec {
  /** Rows per row block of A. */
  U: number;
  /** Inner dimension. */
  M: number;
  /** Columns per column block of B. */
  Q: number;
  /** Variance of each row block of A (length N), most important first. */
  varA: readonly number[];
  /** Variance of each column block of B (length P). */
  varB: readonly number[];
}

/** One draw of A: N·U × M and B: M × P·Q. */
export function drawBlockGaussian(spec: BlockGaussianSpec, rng: Rng): { A: Matrix; B: Matrix } {
  const { U, M, Q, varA, varB } = spec;
  const sdA = varA.map(Math.sqrt);
  const sdB = varB.map(Math.sqrt);
  return {
    A: gaussian(varA.length * U, M, rng, (r) => sdA[Math.floor(r / U)]),
    B: gaussian(M, varB.length * Q, rng, (_r, c) => sdB[Math.floor(c / Q)]),
  };
}
