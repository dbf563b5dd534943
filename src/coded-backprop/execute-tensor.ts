/**
 * Tensor executor (tfjs, float32): the coded multiply the training loop calls. It runs the same
 * plan as the float64 reference with a few large ops for all workers together (on wasm every op
 * costs ~10 µs and gather/pad cost as much as the product, so the data movement — ordering,
 * padding, encoding sums, undoing the ordering — is done on JS typed arrays, reading and writing
 * the wasm heap in place through tensor-io.ts):
 *   encoding: worker w's product Σ_{ij} g_w[i,j]·A_i·B_j is computed in parts that each pair one
 *     block with a combination of blocks on the other side (the code's own terms, with those
 *     that share a block summed; for class-granularity windows, uncoded and repetition exactly
 *     the code's task);
 *   products: one matrix product per block group for the parts of every received worker;
 *   decoding: on the parts (read in place in the wasm heap) with the decode vectors of the float64
 *     decoder, accumulated in float64 and written straight into Ĉ in the original row and column
 *     order. A worker's result is the sum of its parts, one per group of blocks; block b's decode
 *     Σ_r d_b[r]·R_r adds only the parts in b's group, because the other groups' parts cancel
 *     exactly (Σ_r d_b[r]·g_r = e_b) and would add only their rounding. A determined block is kept
 *     only if its float32 rounding bound passes the precision check (precision.ts: amplification
 *     · 2⁻²⁴ · largest contributing part ≤ tolerance · ‖Ĉ_b‖); otherwise it is withheld (zero) and
 *     counted in the stats as withheld, apart from the undetermined blocks.
 * Workers that miss the deadline are not computed: their results could not change Ĉ. Nor are the
 * parts of received results that no decode reads (the decoder picks an independent subset of the
 * received rows, so redundant results get zero weight).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import { classRelErrors, worstBlockError } from './blocks.ts';
import type { ResolvedCodedOptions } from './options.ts';
import { type CallPlan, type CallTag, gridLayout, layoutFor, layoutOfScores, planCall, statsOf, withhold } from './plan.ts';
import type { BlockLayout } from './partition.ts';
import { heapKernels } from './kernels/heap-kernels.ts';
import { DEFAULT_PRECISION_TOLERANCE, UNIT_ROUNDOFF } from './precision.ts';
import { decodeResults, type ResultSource } from './plan-executor.ts';
import type { CodedMatMulStats } from './types.ts';
import { soleNonzero } from './decode.ts';
import { cxrMatMulTensor } from './cxr/execute-tensor.ts';
import { ownStaged, readF32, type Staged, stage } from './tensor-io.ts';
import { jsAccumulator, type OrderedMoves, orderedMoves, zeroBlocks } from './tensor-moves.ts';

/**
 * Computes the received workers' products and decodes them into `out` (m×p, original order).
 * Worker w returns Σ_{ij} g_w[i,j]·A_i·B_j. Its product is computed in parts that share one
 * block of the side with the larger blocks, the combination being taken on the side with the
 * smaller blocks (the cheaper encoding):
 *   A side (U ≤ Q): part (w, j) = Ã_wj·B_j with Ã_wj = Σ_i g_w[i,j]·A_i — the stacking of the
 *     code's terms along the inner dimension, grouped by column block;
 *   B side (U > Q): part (w, i) = A_i·B̃_wi with B̃_wi = Σ_j g_w[i,j]·B_j.
 * One matrix product per group computes the parts of every received worker that touch it (no
 * work on blocks outside a window); the worker's product is the sum of its parts. The encoded
 * operands are written straight from A and B in their original layout (through the ordering's
 * index lists) into the product's input tensors, and decoding, Ĉ_b = Σ_w d_bw·(Σ parts of w),
 * runs in float64 on the parts and writes each block straight into its un-ordered place in Ĉ.
 * @returns withheld[b]: block b was determined but failed the precision check (left at zero)
 */
function computeAndDecode(A: tf.Tensor2D, B: tf.Tensor2D, plan: CallPlan, out: Staged, tolerance: number): boolean[] {
  const { layout, received, coef, decode } = plan;
  const { N, P, rows, cols } = layout;
  const M = A.shape[1];
  const p = B.shape[1];
  const U = rows.maxSize;
  const Q = cols.maxSize;
  const R = received.length;
  const UQ = U * Q;
  // an estimate (BACC, N×1) reads whole results: one group (P = 1 when grouped by B's column blocks)
  const aSide = decode.estimated ? P === 1 : U <= Q;
  const groups = aSide ? P : N;
  const terms = aSide ? N : P;
  const weight = (g: Float64Array, group: number, t: number) => (aSide ? g[t * P + group] : g[group * P + t]);
  // A part is computed only if some block of its group is decoded from it (the decode reads no
  // other part, so the others, like late workers' results, could not change Ĉ).
  const blockAt = (group: number, t: number) => (aSide ? t * P + group : group * P + t);
  const read = (r: number, group: number) => {
    for (let t = 0; t < terms; t++) {
      const blk = blockAt(group, t);
      if (decode.determined[blk] && decode.matrix[blk * R + r] !== 0) return true;
    }
    return false;
  };
  // users[group]: received indices whose part in the group is read; slot[r][group]: its position
  const users: number[][] = Array.from({ length: groups }, () => []);
  const slot = Array.from({ length: R }, () => new Int32Array(groups).fill(-1));
  coef.forEach((g, r) => {
    for (let group = 0; group < groups; group++) {
      if (!read(r, group)) continue;
      for (let t = 0; t < terms; t++) {
        if (weight(g, group, t) !== 0) {
          slot[r][group] = users[group].length;
          users[group].push(r);
          break;
        }
      }
    }
  });
  // B whole as the shared block (one column block, N×1: its order is the original one, splitAxis)
  // is B itself, not a copy
  const wholeB = aSide && P === 1;
  // each group's product inputs (encoded side, shared block), all allocated before any heap view is taken
  const inputs = users.map((rs) => {
    const n = rs.length;
    if (n === 0) return null;
    return aSide ? [stage(n * U, M), wholeB ? null : stage(M, Q)] : [stage(U, M), stage(M, n * Q)];
  });
  // on wasm the moves and the decode's accumulation run as heap kernels (their order lists and
  // the decode's buffer reserved now, before the views below)
  const kernels = heapKernels();
  kernels?.reserveBlock(UQ);
  kernels?.reserveTerms(R);
  const mv = movesFor(layout);
  const acc = kernels ?? jsAccumulator;
  const a = readF32(A);
  const b = readF32(B);
  users.forEach((rs, group) => {
    const io = inputs[group];
    if (!io) return;
    const left = io[0]!.data();
    if (aSide) {
      // rows k·U..(k+1)·U of left: Ã of the k-th user of column block `group`
      rs.forEach((r, k) => {
        let first = true;
        for (let t = 0; t < terms; t++) {
          const c = weight(coef[r], group, t);
          if (c === 0) continue;
          mv.addRows(left, k * U * M, a, M, rows.bounds[t], rows.bounds[t + 1], c, first);
          first = false;
        }
      });
      if (!wholeB) mv.copyColumns(io[1]!.data(), Q, b, p, M, cols.bounds[group], cols.bounds[group + 1]);
    } else {
      const right = io[1]!.data();
      mv.copyRows(left, a, M, rows.bounds[group], rows.bounds[group + 1]);
      // columns k·Q..(k+1)·Q of right: B̃ of the k-th user of row block `group`
      const width = rs.length * Q;
      rs.forEach((r, k) => {
        let first = true;
        for (let t = 0; t < terms; t++) {
          const c = weight(coef[r], group, t);
          if (c === 0) continue;
          mv.gatherColumns(right, k * Q, width, b, p, M, cols.bounds[t], cols.bounds[t + 1], c, first);
          first = false;
        }
      });
    }
  });
  const products = inputs.map((io) => (io ? tf.matMul(io[0]!.tensor(), io[1]?.tensor() ?? B) : null));
  for (const io of inputs) if (io) for (const s of io) s?.tensor().dispose();
  // no allocation from here on: the heap views stay valid
  const results = products.map((t) => (t ? readF32(t) : null));
  // Result r is the sum of its parts, one per group. The decode of block b adds only r's part in
  // b's group (ResultSource.addScaled), and its norm, computed in the same pass, is what enters
  // b's precision check.
  const partNorm = new Float64Array(R * groups).fill(NaN);
  const termBase = new Int32Array(R);
  const termD = new Float64Array(R);
  const groupOf = (target: number) => (aSide ? target % P : Math.floor(target / P));
  const source: ResultSource = {
    blockSize: UQ,
    unitRoundoff: UNIT_ROUNDOFF.float32,
    norm(r, target) {
      const group = groupOf(target);
      const k = slot[r][group];
      if (k < 0) return 0;
      const e = r * groups + group;
      if (Number.isNaN(partNorm[e])) {
        const part = results[group] as Float32Array;
        partNorm[e] = Math.sqrt(aSide ? acc.sumSquares(part, k * UQ, UQ, 1, UQ) : acc.sumSquares(part, k * Q, users[group].length * Q, U, Q));
      }
      return partNorm[e];
    },
    addScaled(block, r, d, target) {
      const group = groupOf(target);
      const k = slot[r][group];
      if (k < 0) return;
      const part = results[group] as Float32Array;
      const sq = aSide ? acc.addScaled(block, part, k * UQ, UQ, 1, UQ, d) : acc.addScaled(block, part, k * Q, users[group].length * Q, U, Q, d);
      partNorm[r * groups + group] = Math.sqrt(sq);
    },
    buffer: kernels ? () => kernels.block(UQ) : undefined,
    // A side: every part is a contiguous U·Q run, so a block's decode is one kernel pass over its
    // group's parts (each read once, the block written once) instead of one pass per part
    combine:
      kernels && aSide
        ? (block, d, target) => {
            const group = groupOf(target);
            let count = 0;
            for (let r = 0; r < R; r++) {
              const k = slot[r][group];
              if (d[r] === 0 || k < 0) continue;
              termBase[count] = k * UQ;
              termD[count++] = d[r];
            }
            return kernels.combineRuns(block, results[group] as Float32Array, termBase, termD, count, UQ);
          }
        : undefined,
  };
  const decoding = decodeResults(decode, coef, source, tolerance);
  const c = out.data();
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < P; j++) {
      const blk = i * P + j;
      const r = decode.determined[blk] ? soleNonzero(decode.matrix, blk * R, (blk + 1) * R) : -1;
      if (r >= 0) {
        // Ĉ_b = d·(one part): written straight from the part (its rounding bound, |d|·u·‖part‖,
        // always passes the precision check against ‖Ĉ_b‖ = |d|·‖part‖)
        const group = groupOf(blk);
        const k = slot[r][group];
        const part = results[group] as Float32Array;
        const [base, stride] = aSide ? [k * UQ, Q] : [k * Q, users[group].length * Q];
        mv.scatterPart(c, p, part, base, stride, decode.matrix[blk * R + r], rows.bounds[i], rows.bounds[i + 1], cols.bounds[j], cols.bounds[j + 1]);
        continue;
      }
      const value = decoding.block(blk);
      if (value) mv.scatterBlock(c, p, value, Q, rows.bounds[i], rows.bounds[i + 1], cols.bounds[j], cols.bounds[j + 1]);
    }
  }
  for (const t of products) t?.dispose();
  return decoding.withheld;
}

/**
 * tensor-moves' loops for a layout's orders: the heap kernels on wasm (the orders copied into
 * the heap, which may allocate there: take no heap views before it), else the JS loops.
 */
function movesFor(layout: BlockLayout): OrderedMoves {
  const { rows, cols } = layout;
  const kernels = heapKernels();
  if (!kernels) return orderedMoves(rows.order, cols.order);
  kernels.reserveOrders(rows.order.length + cols.order.length);
  return kernels.moves(rows.order, cols.order);
}

/**
 * The block layout of A: m×M and B: M×p as layoutFor gives it. On wasm the L2 scores (the
 * default ordering) come from the SIMD kernels on the heap, the same numbers as the JS loops.
 * It may allocate in the heap: take no heap views before it.
 */
function tensorLayout(A: tf.Tensor2D, B: tf.Tensor2D, opts: ResolvedCodedOptions): BlockLayout {
  const [m, M] = A.shape;
  const p = B.shape[1];
  const kernels = opts.ordering === 'l2' ? heapKernels() : null;
  if (kernels) {
    kernels.reserveScores(Math.max(m, p));
    // an axis in one block keeps its original order whatever its scores (splitAxis): none computed
    const rowScores = opts.grid.N === 1 ? new Float64Array(m) : kernels.rowSq(readF32(A), m, M);
    const colScores = opts.grid.P === 1 ? new Float64Array(p) : kernels.colSq(readF32(B), M, p);
    if (rowScores && colScores) return layoutOfScores(rowScores, colScores, opts);
  }
  return layoutFor(readF32(A), m, M, readF32(B), p, opts);
}

/**
 * Uncoded and repetition compute their received blocks as the one product A·B (then zero the
 * others) when the blocks cover at least this fraction of C; below it, block by block like the
 * codes. Measured crossover of the training step (interleaved, T_max 0.5 / 1 / 2): ≈ 0.4.
 */
const FULL_PRODUCT_MIN_AREA = 0.4;

/** Whether a coefficient row is one block with coefficient 1 (an uncoded or repeated block product). */
function isUnitBlock(g: Float64Array): boolean {
  const b = soleNonzero(g, 0, g.length);
  return b >= 0 && g[b] === 1;
}

/** Fraction of the product's entries in determined blocks (grid shape: original-order split sizes). */
function determinedArea(plan: CallPlan): number {
  const { rows, cols, N, P } = plan.layout;
  let area = 0;
  for (let b = 0; b < N * P; b++) {
    if (!plan.decode.determined[b]) continue;
    const i = Math.floor(b / P);
    const j = b % P;
    area += (rows.bounds[i + 1] - rows.bounds[i]) * (cols.bounds[j + 1] - cols.bounds[j]);
  }
  return area / (rows.bounds[N] * cols.bounds[P]);
}

/**
 * Coded approximate product on tensors. A: m×n, B: n×p → Ĉ: m×p float32, holding the blocks of
 * A·B that the workers received before T_max determine, and zeros elsewhere. `tag` (step and
 * product of the call) is needed only by a trace replay.
 */
export function codedMatMul(
  A: tf.Tensor2D,
  B: tf.Tensor2D,
  opts: ResolvedCodedOptions,
  rng: Rng,
  tag?: CallTag,
): { C: tf.Tensor2D; stats: CodedMatMulStats } {
  if (opts.partition === 'cxr') return cxrMatMulTensor(A, B, opts, rng);
  const [m, M] = A.shape;
  const [Mb, p] = B.shape;
  if (M !== Mb) throw new RangeError(`codedMatMul: inner dimensions differ (${A.shape.join('×')} · ${B.shape.join('×')})`);
  // The plan needs only the grid's shape (codes, times and the decoder never look at which rows
  // and columns a block holds), so the ordering — a pass over A and B — is computed only when
  // some block is decoded; the rng draws are the same either way.
  let plan = planCall(gridLayout(m, p, opts), opts, rng, tag);
  let out: Staged;
  let withheld: boolean[] = [];
  if (!plan.decode.determined.some(Boolean)) {
    out = stage(m, p);
  } else {
    // Uncoded and repetition: each received worker computes one block product A_i·B_j, Ĉ_b is
    // that product. When they cover enough of C they are computed together, as the one product
    // A·B (the same dot products, in one wasm call), and the blocks no worker returned are set to zero.
    // (not under unbiased decoding: its blocks are the results scaled by 1/P, which this path does not apply)
    const together = !opts.unbiased && plan.coef.every(isUnitBlock) && determinedArea(plan) >= FULL_PRODUCT_MIN_AREA;
    out = together ? ownStaged(tf.matMul(A, B)) : stage(m, p);
    plan = { ...plan, layout: tensorLayout(A, B, opts) };
    if (together) {
      const moves = movesFor(plan.layout);
      zeroBlocks(out.data(), p, plan.layout, plan.decode.determined, moves);
    } else withheld = computeAndDecode(A, B, plan, out, DEFAULT_PRECISION_TOLERANCE);
  }
  const layout = plan.layout;
  const stats = withhold(statsOf(plan), withheld);
  if (opts.measureError) {
    const exact = tf.tidy(() => tf.matMul(A, B));
    const data = exact.dataSync();
    const c = out.data();
    stats.decodeRelError = worstBlockError(c, data, layout, p, (blk) => stats.recovered[blk]);
    stats.classRelError = classRelErrors(c, data, layout, p, stats.recovered);
    exact.dispose();
  }
  return { C: out.tensor(), stats };
}
