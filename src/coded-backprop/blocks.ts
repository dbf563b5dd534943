/**
 * Moving data between a matrix and its padded blocks, in JS typed arrays (on wasm a JS copy is
 * far cheaper than tfjs gather/pad). Both executors use these.
 */
import type { BlockLayout } from './partition.ts';

type FloatArray = Float32Array | Float64Array;
type FloatArrayCtor<T extends FloatArray> = { new (length: number): T };

/** The blocks of A and B, zero-padded to the largest block, in one contiguous buffer each. */
export interface PaddedBlocks<T extends FloatArray = FloatArray> {
  /** [A_1; …; A_N] as N × (U·M): block i = rows i·U..(i+1)·U of an (N·U) × M matrix. */
  aAll: T;
  /** [B_1; …; B_P] stacked vertically as (P·M) × Q. */
  bAll: T;
  /** Views: A_i (U×M) and B_j (M×Q), row-major. */
  a: T[];
  b: T[];
  U: number;
  M: number;
  Q: number;
}

/**
 * Cuts A: m×M (row-major) into its N ordered row blocks and B: M×p into its P ordered column
 * blocks, padded with zeros to U = largest row block and Q = largest column block.
 */
export function padBlocks<T extends FloatArray>(
  A: ArrayLike<number>,
  M: number,
  B: ArrayLike<number>,
  p: number,
  layout: BlockLayout,
  Ctor: FloatArrayCtor<T>,
): PaddedBlocks<T> {
  const { rows, cols, N, P } = layout;
  const U = rows.maxSize;
  const Q = cols.maxSize;
  const aAll = new Ctor(N * U * M);
  for (let i = 0; i < N; i++) {
    for (let k = rows.bounds[i]; k < rows.bounds[i + 1]; k++) {
      const src = rows.order[k] * M;
      const dst = (i * U + k - rows.bounds[i]) * M;
      if (ArrayBuffer.isView(A)) aAll.set((A as unknown as T).subarray(src, src + M), dst);
      else for (let c = 0; c < M; c++) aAll[dst + c] = A[src + c];
    }
  }
  const bAll = new Ctor(P * M * Q);
  // block by block, row by row: sequential writes, reads within one row of B
  for (let j = 0; j < P; j++) {
    const first = cols.bounds[j];
    const width = cols.bounds[j + 1] - first;
    const cols_j = cols.order.subarray(first, first + width);
    for (let r = 0; r < M; r++) {
      const src = r * p;
      const dst = (j * M + r) * Q;
      for (let q = 0; q < width; q++) bAll[dst + q] = B[src + cols_j[q]];
    }
  }
  const a = Array.from({ length: N }, (_, i) => aAll.subarray(i * U * M, (i + 1) * U * M) as T);
  const b = Array.from({ length: P }, (_, j) => bAll.subarray(j * M * Q, (j + 1) * M * Q) as T);
  return { aAll, bAll, a, b, U, M, Q };
}

/**
 * Writes padded U×Q block values into the m×p output `out` (row-major, original order).
 * `value(b)` gives block b's values (index u·Q + q) or null for a lost block (left as is: zero).
 */
export function scatterBlocks(
  value: (block: number) => ArrayLike<number> | null,
  layout: BlockLayout,
  Q: number,
  out: FloatArray,
  p: number,
): void {
  const { rows, cols, N, P } = layout;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < P; j++) {
      const v = value(i * P + j);
      if (!v) continue;
      for (let k = rows.bounds[i]; k < rows.bounds[i + 1]; k++) {
        const rowBase = rows.order[k] * p;
        const u = (k - rows.bounds[i]) * Q;
        for (let l = cols.bounds[j]; l < cols.bounds[j + 1]; l++) out[rowBase + cols.order[l]] = v[u + l - cols.bounds[j]];
      }
    }
  }
}

/**
 * Max over the blocks with `ok(b)` of ‖Ĉ_b − C_b‖_F / max(‖C_b‖_F, 1e-4·‖C‖_F), both m×p
 * row-major in original order. The floor keeps blocks that are (nearly) zero in the exact
 * product — e.g. gradients of MNIST's always-blank border pixels — from dividing rounding noise
 * by zero; any other block is measured against its own norm.
 */
export function worstBlockError(
  approx: ArrayLike<number>,
  exact: ArrayLike<number>,
  layout: BlockLayout,
  p: number,
  ok: (block: number) => boolean,
): number {
  const { rows, cols, N, P } = layout;
  let total = 0;
  for (let e = 0; e < exact.length; e++) total += exact[e] * exact[e];
  const floor = 1e-4 * Math.sqrt(total);
  let worst = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < P; j++) {
      if (!ok(i * P + j)) continue;
      let num = 0;
      let den = 0;
      for (let k = rows.bounds[i]; k < rows.bounds[i + 1]; k++) {
        for (let l = cols.bounds[j]; l < cols.bounds[j + 1]; l++) {
          const e = rows.order[k] * p + cols.order[l];
          num += (approx[e] - exact[e]) ** 2;
          den += exact[e] ** 2;
        }
      }
      const scale = Math.max(Math.sqrt(den), floor);
      worst = Math.max(worst, scale > 0 ? Math.sqrt(num) / scale : Math.sqrt(num) > 0 ? Infinity : 0);
    }
  }
  return worst;
}

/**
 * Per class: max over the blocks with recovered[b] of ‖Ĉ_b − C_b‖_F / ‖C_b‖_F, against the exact
 * block's own Frobenius norm (Infinity for a nonzero error on a zero block; 0 for a class with no
 * recovered block). Ĉ and C are m×p row-major in original order.
 */
export function classRelErrors(
  approx: ArrayLike<number>,
  exact: ArrayLike<number>,
  layout: BlockLayout,
  p: number,
  recovered: readonly boolean[],
): number[] {
  const { rows, cols, N, P } = layout;
  const worst = new Array<number>(layout.classSizes.length).fill(0);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < P; j++) {
      const blk = i * P + j;
      if (!recovered[blk]) continue;
      let num = 0;
      let den = 0;
      for (let k = rows.bounds[i]; k < rows.bounds[i + 1]; k++) {
        for (let l = cols.bounds[j]; l < cols.bounds[j + 1]; l++) {
          const e = rows.order[k] * p + cols.order[l];
          num += (approx[e] - exact[e]) ** 2;
          den += exact[e] ** 2;
        }
      }
      const rel = den > 0 ? Math.sqrt(num / den) : num > 0 ? Infinity : 0;
      const c = layout.blockClass[blk];
      worst[c] = Math.max(worst[c], rel);
    }
  }
  return worst;
}
