/**
 * Ordering, block split, importance levels and the class table.
 * A: m×n is cut into N row blocks, B: n×p into P column blocks, after ranking A's rows and
 * B's columns by descending norm; C block (i, j) = A_i·B_j has class blockClass[i·P + j].
 */
import { blockLevels, classSizesOf, levelClassTable } from '../util/class-table.ts';
import type { Ordering } from './types.ts';

/** Where each block sits after ordering: block i holds original rows order[bounds[i] .. bounds[i+1]). */
export interface AxisSplit {
  /** order[k]: original index at position k; positions bounds[i]..bounds[i+1] form part i (length = axis length). */
  order: Int32Array;
  /** Block boundaries in sorted positions, length blocks+1, bounds[i] = floor(i·len/blocks). */
  bounds: Int32Array;
  /** Largest block size (blocks are padded to it on the tensor path). */
  maxSize: number;
}

/** Block grid of one product: row split of A, column split of B, levels and classes. */
export interface BlockLayout {
  N: number;
  P: number;
  rows: AxisSplit;
  cols: AxisSplit;
  /** Importance level (0 = most important) of each A row block, length N. */
  levelA: number[];
  /** Importance level of each B column block, length P. */
  levelB: number[];
  /** Number of importance levels S. */
  levels: number;
  /** Class of C block (i, j) at index i·P + j; class 0 is the most important. */
  blockClass: number[];
  /** Number of C blocks in each class, length L. */
  classSizes: number[];
}

/**
 * Scores of the rows (byColumn = false) or columns of a row-major rows×cols matrix: squared L2
 * norm (ordering 'l2') or sum |x| ('mean-abs'); both are monotone in the norm they stand for, so
 * they give the same order. 'none' gives zeros (the stable sort then keeps the original order).
 */
export function axisScores(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  byColumn: boolean,
  ordering: Ordering,
): Float64Array {
  const out = new Float64Array(byColumn ? cols : rows);
  if (ordering === 'none') return out;
  // the tensor path's float32 data gets its own copy of the loops: one element type per call site
  // keeps V8's element loads monomorphic (≈ 3× faster on the backward products)
  if (data instanceof Float32Array) scoresF32(data, rows, cols, byColumn, ordering === 'l2', out);
  else scoresAny(data, rows, cols, byColumn, ordering === 'l2', out);
  return out;
}

function scoresF32(data: Float32Array, rows: number, cols: number, byColumn: boolean, square: boolean, out: Float64Array): void {
  if (byColumn) {
    // four rows per sweep: a quarter of the read-modify-writes of out
    let r = 0;
    for (; r + 3 < rows; r += 4) {
      const b0 = r * cols;
      const b1 = b0 + cols;
      const b2 = b1 + cols;
      const b3 = b2 + cols;
      if (square) {
        for (let c = 0; c < cols; c++) {
          const x0 = data[b0 + c];
          const x1 = data[b1 + c];
          const x2 = data[b2 + c];
          const x3 = data[b3 + c];
          out[c] += x0 * x0 + x1 * x1 + (x2 * x2 + x3 * x3);
        }
      } else {
        for (let c = 0; c < cols; c++) out[c] += Math.abs(data[b0 + c]) + Math.abs(data[b1 + c]) + (Math.abs(data[b2 + c]) + Math.abs(data[b3 + c]));
      }
    }
    for (; r < rows; r++) {
      const base = r * cols;
      if (square) for (let c = 0; c < cols; c++) out[c] += data[base + c] * data[base + c];
      else for (let c = 0; c < cols; c++) out[c] += Math.abs(data[base + c]);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    // four accumulators: the adds do not wait on each other
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let c = 0;
    if (square) {
      for (; c + 3 < cols; c += 4) {
        const x0 = data[base + c];
        const x1 = data[base + c + 1];
        const x2 = data[base + c + 2];
        const x3 = data[base + c + 3];
        a0 += x0 * x0;
        a1 += x1 * x1;
        a2 += x2 * x2;
        a3 += x3 * x3;
      }
      for (; c < cols; c++) a0 += data[base + c] * data[base + c];
    } else {
      for (; c + 3 < cols; c += 4) {
        a0 += Math.abs(data[base + c]);
        a1 += Math.abs(data[base + c + 1]);
        a2 += Math.abs(data[base + c + 2]);
        a3 += Math.abs(data[base + c + 3]);
      }
      for (; c < cols; c++) a0 += Math.abs(data[base + c]);
    }
    out[r] = a0 + a1 + (a2 + a3);
  }
}

/** The same loops as scoresF32 (same summation order, so the same scores) for other arrays. */
function scoresAny(data: ArrayLike<number>, rows: number, cols: number, byColumn: boolean, square: boolean, out: Float64Array): void {
  if (byColumn) {
    // four rows per sweep: a quarter of the read-modify-writes of out
    let r = 0;
    for (; r + 3 < rows; r += 4) {
      const b0 = r * cols;
      const b1 = b0 + cols;
      const b2 = b1 + cols;
      const b3 = b2 + cols;
      if (square) {
        for (let c = 0; c < cols; c++) {
          const x0 = data[b0 + c];
          const x1 = data[b1 + c];
          const x2 = data[b2 + c];
          const x3 = data[b3 + c];
          out[c] += x0 * x0 + x1 * x1 + (x2 * x2 + x3 * x3);
        }
      } else {
        for (let c = 0; c < cols; c++) out[c] += Math.abs(data[b0 + c]) + Math.abs(data[b1 + c]) + (Math.abs(data[b2 + c]) + Math.abs(data[b3 + c]));
      }
    }
    for (; r < rows; r++) {
      const base = r * cols;
      if (square) for (let c = 0; c < cols; c++) out[c] += data[base + c] * data[base + c];
      else for (let c = 0; c < cols; c++) out[c] += Math.abs(data[base + c]);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    // four accumulators: the adds do not wait on each other
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let c = 0;
    if (square) {
      for (; c + 3 < cols; c += 4) {
        const x0 = data[base + c];
        const x1 = data[base + c + 1];
        const x2 = data[base + c + 2];
        const x3 = data[base + c + 3];
        a0 += x0 * x0;
        a1 += x1 * x1;
        a2 += x2 * x2;
        a3 += x3 * x3;
      }
      for (; c < cols; c++) a0 += data[base + c] * data[base + c];
    } else {
      for (; c + 3 < cols; c += 4) {
        a0 += Math.abs(data[base + c]);
        a1 += Math.abs(data[base + c + 1]);
        a2 += Math.abs(data[base + c + 2]);
        a3 += Math.abs(data[base + c + 3]);
      }
      for (; c < cols; c++) a0 += Math.abs(data[base + c]);
    }
    out[r] = a0 + a1 + (a2 + a3);
  }
}

/**
 * Split of one axis into `blocks` parts by descending score: part i gets the bounds[i+1] − bounds[i]
 * highest-scoring indices not in earlier parts (ties go to the earlier part in index order): the
 * parts of a stable descending sort, cut at bounds. Only membership matters, so no full sort:
 * the boundary values come from quickselect (O(n)), one pass assigns the parts, and within a
 * part indices stay in ascending original order.
 */
export function splitAxis(scores: ArrayLike<number>, blocks: number): AxisSplit {
  const len = scores.length;
  // one block: the original order, whatever the scores (what the general path below gives then)
  if (blocks === 1) return originalOrder(len, 1);
  const bounds = new Int32Array(blocks + 1);
  let maxSize = 0;
  for (let i = 0; i <= blocks; i++) bounds[i] = Math.floor((i * len) / blocks);
  for (let i = 0; i < blocks; i++) maxSize = Math.max(maxSize, bounds[i + 1] - bounds[i]);
  // threshold[i]: the smallest score inside part i (descending rank bounds[i+1] − 1); the last
  // part takes whatever is left, so its threshold is never needed
  const threshold = new Float64Array(blocks).fill(-Infinity);
  if (len < BUCKET_MIN_LENGTH || !bucketThresholds(scores, bounds, blocks, threshold)) quickselectThresholds(scores, bounds, blocks, threshold);
  const order = new Int32Array(len);
  return { order: assignParts(scores, threshold, bounds, blocks, order), bounds, maxSize };
}

/** Axes at least this long find their thresholds by buckets; shorter ones by quickselect. */
const BUCKET_MIN_LENGTH = 32;

/** threshold[i] for i < blocks − 1 by quickselect on a copy of the scores. */
function quickselectThresholds(scores: ArrayLike<number>, bounds: Int32Array, blocks: number, threshold: Float64Array): void {
  const len = scores.length;
  const work = scratchOf(len);
  work.set(scores);
  let lo = 0;
  for (let i = 0; i + 1 < blocks; i++) {
    const rank = bounds[i + 1] - 1;
    if (rank < lo) {
      threshold[i] = i > 0 ? threshold[i - 1] : Infinity;
      continue;
    }
    threshold[i] = kthLargest(work, rank, lo, len - 1);
    // quickselect leaves work[0..rank) ≥ work[rank] ≥ work(rank..]: the next rank lies to the right
    lo = rank + 1;
  }
}

/**
 * threshold[i] for i < blocks − 1 by bucket selection: the scores are binned into len equal-width
 * buckets between their minimum and maximum (a monotone map, so ranks follow bucket counts), and
 * only the bucket holding a wanted rank is searched. Unlike quickselect, the passes over all scores
 * have no branches that depend on the data (quickselect's mispredicted comparisons cost more than
 * the rest of the split). Returns false, leaving threshold alone, when the scores do not span a
 * finite positive range (all equal, or not finite).
 */
function bucketThresholds(scores: ArrayLike<number>, bounds: Int32Array, blocks: number, threshold: Float64Array): boolean {
  const len = scores.length;
  let min = scores[0];
  let max = scores[0];
  for (let k = 1; k < len; k++) {
    const s = scores[k];
    min = s < min ? s : min;
    max = s > max ? s : max;
  }
  const scale = len / (max - min);
  if (!(max > min) || !Number.isFinite(scale) || !Number.isFinite(max - min)) return false;
  const { count, bucket } = bucketScratch(len);
  count.fill(0, 0, len + 1);
  for (let k = 0; k < len; k++) {
    const b = ((scores[k] - min) * scale) | 0;
    const c = b < len ? b : len - 1;
    bucket[k] = c;
    count[c + 1]++;
  }
  // count[b] becomes the number of scores in buckets below b (ascending)
  for (let b = 1; b <= len; b++) count[b] += count[b - 1];
  const members = scratchOf(len);
  for (let i = 0; i + 1 < blocks; i++) {
    if (bounds[i + 1] === bounds[i]) {
      threshold[i] = i > 0 ? threshold[i - 1] : Infinity;
      continue;
    }
    // ascending rank of descending rank bounds[i+1] − 1
    const asc = len - bounds[i + 1];
    let lo = 0;
    let hi = len - 1;
    // the bucket b with count[b] ≤ asc < count[b+1]
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (count[mid] <= asc) lo = mid;
      else hi = mid - 1;
    }
    let n = 0;
    for (let k = 0; k < len; k++) if (bucket[k] === lo) members[n++] = scores[k];
    threshold[i] = kthLargest(members, n - 1 - (asc - count[lo]), 0, n - 1);
  }
  return true;
}

// Scratch arrays of splitAxis, reused across calls: allocating typed arrays costs more than
// the split itself when a training step splits twelve short axes.
let scratchF64 = new Float64Array(1024);
let scratchU8 = new Uint8Array(1024);

/** A scratch float64 array of length ≥ len (its contents are the caller's to set). */
function scratchOf(len: number): Float64Array {
  if (scratchF64.length < len) scratchF64 = new Float64Array(2 * len);
  return scratchF64;
}

let scratchCount = new Int32Array(1024);
let scratchBucket = new Int32Array(1024);

/** Scratch bucket counts (length ≥ len + 1) and per-score buckets (length ≥ len). */
function bucketScratch(len: number): { count: Int32Array; bucket: Int32Array } {
  if (scratchCount.length < len + 1) {
    scratchCount = new Int32Array(2 * len + 1);
    scratchBucket = new Int32Array(2 * len + 1);
  }
  return { count: scratchCount, bucket: scratchBucket };
}

/** A scratch byte array of length ≥ len (contents undefined). */
function partsOf(len: number): Uint8Array {
  if (scratchU8.length < len) scratchU8 = new Uint8Array(2 * len);
  return scratchU8;
}

/**
 * Fills `order` part by part, in index order within a part: the parts of a stable descending
 * sort. Without ties at the thresholds (real data) a score's part is the number of thresholds
 * above it; with ties, {@link tiedParts} gives the exact positions.
 */
function assignParts(scores: ArrayLike<number>, threshold: Float64Array, bounds: Int32Array, blocks: number, order: Int32Array): Int32Array {
  const len = scores.length;
  const last = blocks - 1;
  const part = blocks > 255 ? new Int32Array(len) : partsOf(len);
  // equal[i]: scores equal to threshold[i]; exactly one each (the score at that rank) means no ties
  const equal = new Int32Array(last);
  for (let k = 0; k < len; k++) {
    const s = scores[k];
    // thresholds descend: the part is the count of thresholds strictly above s
    let q = 0;
    for (let i = 0; i < last; i++) q += s < threshold[i] ? 1 : 0;
    if (q < last && s === threshold[q]) equal[q]++;
    part[k] = q;
  }
  if (!equal.every((c) => c === 1)) tiedParts(scores, threshold, bounds, last, part);
  const next = bounds.slice(0, blocks);
  for (let k = 0; k < len; k++) order[next[part[k]]++] = k;
  return order;
}

/**
 * part[k] for scores with ties at the thresholds: a score equal to threshold[i] takes its
 * position in the stable descending order, #{scores > it} + #{equal scores at lower indices};
 * any other score lies strictly between two thresholds, and its part is the upper one's.
 */
function tiedParts(scores: ArrayLike<number>, threshold: Float64Array, bounds: Int32Array, last: number, part: Uint8Array | Int32Array): void {
  const len = scores.length;
  // above[i] = #{k: scores[k] > threshold[i]}; seen[i]: scores equal to threshold[i] met so far
  const above = new Int32Array(last);
  const seen = new Int32Array(last);
  for (let k = 0; k < len; k++) {
    const s = scores[k];
    for (let i = last - 1; i >= 0 && s > threshold[i]; i--) above[i]++;
  }
  for (let k = 0; k < len; k++) {
    const s = scores[k];
    let q = last;
    for (let i = 0; i < last; i++) {
      if (s > threshold[i]) {
        q = i;
        break;
      }
      if (s === threshold[i]) {
        const pos = above[i] + seen[i]++;
        q = i;
        while (pos >= bounds[q + 1]) q++;
        break;
      }
    }
    part[k] = q;
  }
}

/**
 * The k-th largest value (0-based) of a[0..hi], searching a[lo..hi] only (everything before lo
 * is at least everything after it), reordering `a` in place (Hoare quickselect): afterwards
 * a[0..k) ≥ a[k] ≥ a(k..hi].
 */
function kthLargest(a: Float64Array, k: number, lo: number, hi: number): number {
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

export { blockLevels, classSizesOf } from '../util/class-table.ts';

/** The paper's level-based class table (flat, row-major): see util/class-table.ts, the one definition. */
export { levelClassTable as paperClassTable } from '../util/class-table.ts';

/** Options that fix a block grid (validated by resolveCodedOptions). */
export interface GridOptions {
  rowBlocks: number;
  colBlocks: number;
  levels: number;
  /** Explicit class of each C block (length N·P), or undefined for the paper's table. */
  classTable?: number[];
}

/** Builds the layout from A's row scores and B's column scores. */
export function makeLayout(rowScores: ArrayLike<number>, colScores: ArrayLike<number>, grid: GridOptions): BlockLayout {
  return layoutOfSplits(splitAxis(rowScores, grid.rowBlocks), splitAxis(colScores, grid.colBlocks), grid);
}

/** The split of an axis of length len into `blocks` parts in its original order (what splitAxis gives for equal scores). */
export function originalOrder(len: number, blocks: number): AxisSplit {
  const bounds = new Int32Array(blocks + 1);
  let maxSize = 0;
  for (let i = 0; i <= blocks; i++) bounds[i] = Math.floor((i * len) / blocks);
  for (let i = 0; i < blocks; i++) maxSize = Math.max(maxSize, bounds[i + 1] - bounds[i]);
  const order = new Int32Array(len);
  for (let k = 0; k < len; k++) order[k] = k;
  return { order, bounds, maxSize };
}

/** The layout of given row and column splits (N and P are their block counts). */
export function layoutOfSplits(rows: AxisSplit, cols: AxisSplit, grid: GridOptions): BlockLayout {
  const { rowBlocks: N, colBlocks: P, levels } = grid;
  const levelA = blockLevels(N, levels);
  const levelB = blockLevels(P, levels);
  const blockClass = grid.classTable ?? levelClassTable(levelA, levelB, levels);
  return {
    N,
    P,
    rows,
    cols,
    levelA,
    levelB,
    levels,
    blockClass,
    classSizes: classSizesOf(blockClass),
  };
}
