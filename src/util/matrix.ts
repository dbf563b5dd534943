/** Plain row-major float64 matrices for the exact reference path (small shapes only). */
import type { Rng } from './rng.ts';

export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major, length rows·cols. */
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** A: m×n, B: n×p → m×p. */
export function matmul(A: Matrix, B: Matrix): Matrix {
  if (A.cols !== B.rows) throw new RangeError(`matmul: inner dimensions differ (${A.rows}×${A.cols} · ${B.rows}×${B.cols})`);
  const C = zeros(A.rows, B.cols);
  matmulAddInto(C.data, A.data, B.data, A.rows, A.cols, B.cols);
  return C;
}

/** c (m×p) += a (m×n) · b (n×p), all row-major. */
export function matmulAddInto(c: Float64Array, a: Float64Array, b: Float64Array, m: number, n: number, p: number): void {
  for (let i = 0; i < m; i++) {
    const ci = i * p;
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      const bk = k * p;
      for (let j = 0; j < p; j++) c[ci + j] += aik * b[bk + j];
    }
  }
}

/** Entries i.i.d. N(0, variance[r]) where r = rowVariance ? row : column. */
export function gaussian(rows: number, cols: number, rng: Rng, std: (r: number, c: number) => number): Matrix {
  const M = zeros(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) M.data[r * cols + c] = std(r, c) * rng.normal();
  return M;
}

/** Squared Frobenius norm. */
export function frob2(M: Matrix): number {
  let s = 0;
  for (const v of M.data) s += v * v;
  return s;
}
