/**
 * The tensor executor's data movement on float32 arrays (heap views on wasm): encoded operands
 * written straight from a matrix in its original layout through the ordering's index lists,
 * decoded blocks written straight into their un-ordered place in Ĉ, and the float64 accumulation
 * of result parts. Loops are written per element type so V8 keeps their loads monomorphic.
 */
import type { BlockLayout } from './partition.ts';

/**
 * The executor's moves for one call's ordering (A's row order, B's column order): the loops
 * below with the order lists bound. Two implementations: {@link orderedMoves} (these JS loops,
 * any arrays) and the heap kernels' (kernels/heap-kernels.ts: wasm, heap views only).
 */
export interface OrderedMoves {
  addRows(dst: Float32Array, base: number, src: Float32Array, cols: number, from: number, to: number, s: number, first: boolean): void;
  copyRows(dst: Float32Array, src: Float32Array, cols: number, from: number, to: number): void;
  gatherColumns(dst: Float32Array, base: number, stride: number, src: Float32Array, p: number, rows: number, from: number, to: number, s: number, first: boolean): void;
  copyColumns(dst: Float32Array, stride: number, src: Float32Array, p: number, rows: number, from: number, to: number): void;
  scatterPart(c: Float32Array, p: number, src: Float32Array, base: number, stride: number, s: number, rowFrom: number, rowTo: number, colFrom: number, colTo: number): void;
  scatterBlock(c: Float32Array, p: number, value: Float64Array, Q: number, rowFrom: number, rowTo: number, colFrom: number, colTo: number): void;
  /** Sets to zero the entries of ordered rows [rowFrom, rowTo) and columns [colFrom, colTo) of the m×p output c (original order). */
  zeroRegion(c: Float32Array, p: number, rowFrom: number, rowTo: number, colFrom: number, colTo: number): void;
}

/**
 * The decode's float64 accumulation of float32 result parts: a rows×cols region of `part`
 * (rows `stride` apart, from `base`). Two implementations: {@link jsAccumulator} (the loops
 * below) and the heap kernels' (wasm, heap views only), with the same block values.
 */
export interface PartAccumulator {
  /** block[r·cols + q] += d·part[base + r·stride + q]; returns Σ part² over the region. */
  addScaled(block: Float64Array, part: Float32Array, base: number, stride: number, rows: number, cols: number, d: number): number;
  /** Σ part² over the region. */
  sumSquares(part: Float32Array, base: number, stride: number, rows: number, cols: number): number;
}

/** The JS loops as a {@link PartAccumulator} (a contiguous region takes the one-run loop). */
export const jsAccumulator: PartAccumulator = {
  addScaled: (block, part, base, stride, rows, cols, d) =>
    stride === cols || rows === 1 ? addScaledRun(block, part, base, rows * cols, d) : addScaledStrided(block, part, base, stride, rows, cols, d),
  sumSquares: (part, base, stride, rows, cols) =>
    stride === cols || rows === 1 ? addScaledRun(null, part, base, rows * cols, 0) : addScaledStrided(null, part, base, stride, rows, cols, 0),
};

/** The JS loops of this file as {@link OrderedMoves} for a row and a column order. */
export function orderedMoves(rowOrder: Int32Array, colOrder: Int32Array): OrderedMoves {
  return {
    addRows: (dst, base, src, cols, from, to, s, first) => addRows(dst, base, src, cols, rowOrder, from, to, s, first),
    copyRows: (dst, src, cols, from, to) => copyRows(dst, src, cols, rowOrder, from, to),
    gatherColumns: (dst, base, stride, src, p, rows, from, to, s, first) => gatherColumns(dst, base, stride, src, p, rows, colOrder, from, to, s, first),
    copyColumns: (dst, stride, src, p, rows, from, to) => copyColumns(dst, stride, src, p, rows, colOrder, from, to),
    scatterPart: (c, p, src, base, stride, s, rowFrom, rowTo, colFrom, colTo) => scatterPart(c, p, src, base, stride, s, rowOrder, rowFrom, rowTo, colOrder, colFrom, colTo),
    scatterBlock: (c, p, value, Q, rowFrom, rowTo, colFrom, colTo) => scatterBlock(c, p, value, Q, rowOrder, rowFrom, rowTo, colOrder, colFrom, colTo),
    zeroRegion: (c, p, rowFrom, rowTo, colFrom, colTo) => zeroRegion(c, p, rowOrder, rowFrom, rowTo, colOrder, colFrom, colTo),
  };
}

/**
 * dst[base + (k − from)·cols + c] (+)= s·src[order[k]·cols + c] for k in [from, to): ordered rows
 * of src, scaled, written (`first`: the region's first term, on zeros) or added.
 */
export function addRows(dst: Float32Array, base: number, src: Float32Array, cols: number, order: Int32Array, from: number, to: number, s: number, first: boolean): void {
  for (let k = from; k < to; k++) {
    const o = order[k] * cols;
    const d = base + (k - from) * cols;
    if (first && s === 1) dst.set(src.subarray(o, o + cols), d);
    else if (first) for (let c = 0; c < cols; c++) dst[d + c] = s * src[o + c];
    else for (let c = 0; c < cols; c++) dst[d + c] += s * src[o + c];
  }
}

/** dst row (k − from) = src row order[k] for k in [from, to) (a copy). */
export function copyRows(dst: Float32Array, src: Float32Array, cols: number, order: Int32Array, from: number, to: number): void {
  for (let k = from; k < to; k++) dst.set(src.subarray(order[k] * cols, (order[k] + 1) * cols), (k - from) * cols);
}

/**
 * dst[r·stride + base + (l − from)] (+)= s·src[r·p + order[l]] for every row r < rows and l in
 * [from, to): src's ordered columns, scaled, written (`first`: the range's first term, on zeros)
 * or added into a column range of dst.
 */
export function gatherColumns(dst: Float32Array, base: number, stride: number, src: Float32Array, p: number, rows: number, order: Int32Array, from: number, to: number, s: number, first: boolean): void {
  const idx = order.subarray(from, to);
  const w = to - from;
  for (let r = 0; r < rows; r++) {
    const o = r * p;
    const d = r * stride + base;
    if (first) for (let q = 0; q < w; q++) dst[d + q] = s * src[o + idx[q]];
    else for (let q = 0; q < w; q++) dst[d + q] += s * src[o + idx[q]];
  }
}

/** dst[r·stride + (l − from)] = src[r·p + order[l]] for every row r < rows and l in [from, to): a plain gather of src's ordered columns. */
export function copyColumns(dst: Float32Array, stride: number, src: Float32Array, p: number, rows: number, order: Int32Array, from: number, to: number): void {
  const idx = order.subarray(from, to);
  const w = to - from;
  for (let r = 0; r < rows; r++) {
    const o = r * p;
    const d = r * stride;
    for (let q = 0; q < w; q++) dst[d + q] = src[o + idx[q]];
  }
}

/** Writes s·(a float32 part: row stride `stride` from `base`) into its un-ordered place in the m×p output c. */
export function scatterPart(c: Float32Array, p: number, src: Float32Array, base: number, stride: number, s: number, rowOrder: Int32Array, rowFrom: number, rowTo: number, colOrder: Int32Array, colFrom: number, colTo: number): void {
  const idx = colOrder.subarray(colFrom, colTo);
  const w = colTo - colFrom;
  for (let k = rowFrom; k < rowTo; k++) {
    const o = rowOrder[k] * p;
    const v = base + (k - rowFrom) * stride;
    for (let q = 0; q < w; q++) c[o + idx[q]] = s * src[v + q];
  }
}

/** Writes a padded block (float64, row stride Q) into its un-ordered place in the m×p output c. */
export function scatterBlock(c: Float32Array, p: number, value: Float64Array, Q: number, rowOrder: Int32Array, rowFrom: number, rowTo: number, colOrder: Int32Array, colFrom: number, colTo: number): void {
  const idx = colOrder.subarray(colFrom, colTo);
  const w = colTo - colFrom;
  for (let k = rowFrom; k < rowTo; k++) {
    const o = rowOrder[k] * p;
    const v = (k - rowFrom) * Q;
    for (let q = 0; q < w; q++) c[o + idx[q]] = value[v + q];
  }
}

/**
 * block[e] += d·src[base + e] for e < n (float64 accumulation of a contiguous float32 part);
 * returns Σ src[base + e]², computed in the same pass (block null: only the sum).
 */
export function addScaledRun(block: Float64Array | null, src: Float32Array, base: number, n: number, d: number): number {
  let sq = 0;
  if (block === null) {
    for (let e = 0; e < n; e++) sq += src[base + e] * src[base + e];
    return sq;
  }
  for (let e = 0; e < n; e++) {
    const x = src[base + e];
    sq += x * x;
    block[e] += d * x;
  }
  return sq;
}

/**
 * block[r·cols + q] += d·src[base + r·stride + q] for a rows×cols block (a column range of a
 * wider float32 part); returns the sum of the squares read, computed in the same pass (block
 * null: only the sum).
 */
export function addScaledStrided(block: Float64Array | null, src: Float32Array, base: number, stride: number, rows: number, cols: number, d: number): number {
  let sq = 0;
  for (let r = 0; r < rows; r++) {
    const s = base + r * stride;
    const o = r * cols;
    if (block === null) {
      for (let q = 0; q < cols; q++) sq += src[s + q] * src[s + q];
      continue;
    }
    for (let q = 0; q < cols; q++) {
      const x = src[s + q];
      sq += x * x;
      block[o + q] += d * x;
    }
  }
  return sq;
}

/** Sets to zero the entries of ordered rows [rowFrom, rowTo) and columns [colFrom, colTo) of the m×p output c (original order). */
export function zeroRegion(c: Float32Array, p: number, rowOrder: Int32Array, rowFrom: number, rowTo: number, colOrder: Int32Array, colFrom: number, colTo: number): void {
  const idx = colOrder.subarray(colFrom, colTo);
  for (let k = rowFrom; k < rowTo; k++) {
    const o = rowOrder[k] * p;
    for (let q = 0; q < idx.length; q++) c[o + idx[q]] = 0;
  }
}

/** Sets to zero, in the m×p output c (original order), the entries of every block b with !keep[b]. */
export function zeroBlocks(c: Float32Array, p: number, layout: BlockLayout, keep: readonly boolean[], moves: OrderedMoves): void {
  const { rows, cols, N, P } = layout;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < P; j++) {
      if (!keep[i * P + j]) moves.zeroRegion(c, p, rows.bounds[i], rows.bounds[i + 1], cols.bounds[j], cols.bounds[j + 1]);
    }
  }
}
