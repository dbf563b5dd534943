/**
 * Tensor executor (tfjs, float32): the coded multiply the training loop calls. It runs the same
 * plan as the float64 reference with a few large ops for all workers together (on wasm every op
 * costs ~10 µs and gather/pad cost as much as the product, so the data movement — ordering,
 * padding, encoding sums, undoing the ordering — is done on JS typed arrays):
 *   encoding: worker w gets W_A^w = [Ã_wj]_j with Ã_wj = Σ_i g_w[i,j]·A_i over the column blocks j
 *     its coefficients touch, and W_B^w = [B_j]_j; W_A^w·W_B^w = Σ_{ij} g_w[i,j]·A_i·B_j is its
 *     result (the code's own encoding with the terms that share a column block summed; for
 *     class-granularity windows, uncoded and repetition it is exactly the code's task);
 *   products: per column block j, one product of the stacked parts Ã_wj of every worker, times B_j;
 *   decoding: on the downloaded parts with the decode vectors of the float64 decoder, written
 *     straight into Ĉ in the original row and column order.
 * Workers that miss the deadline are not computed: their results could not change Ĉ.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import { padBlocks, scatterBlocks, worstBlockError } from './blocks.ts';
import type { ResolvedCodedOptions } from './options.ts';
import { axisScores, makeLayout } from './partition.ts';
import { type CallPlan, planCall, statsOf } from './plan.ts';
import type { CodedMatMulStats } from './types.ts';

/** dst += c·src over the whole of src (monomorphic float32 hot loop). */
function axpy32(dst: Float32Array, src: Float32Array, c: number): void {
  for (let e = 0; e < src.length; e++) dst[e] += c * src[e];
}

/**
 * Computes the received workers' products and decodes them into `out` (m×p, original order).
 * Worker w's product W_A^w·W_B^w = Σ_j Ã_wj·B_j (Ã_wj = Σ_i g_w[i,j]·A_i) is computed as its
 * column-block parts: for each j, the parts Ã_wj of all received workers that use column block j,
 * stacked, times B_j — one matrix product per column block, no work on blocks outside a window.
 * Decoding, Ĉ_b = Σ_w d_bw Σ_j Ã_wj·B_j, is done on the downloaded parts while undoing the order.
 */
function computeAndDecode(a: Float32Array, b: Float32Array, M: number, p: number, plan: CallPlan, out: Float32Array): void {
  const { layout, received, coef, decode } = plan;
  const { N, P } = layout;
  const blocks = padBlocks(a, M, b, p, layout, Float32Array);
  const { U, Q } = blocks;
  const R = received.length;
  const UM = U * M;
  const UQ = U * Q;
  // users[j]: received indices r whose coefficients touch column block j
  const users: number[][] = Array.from({ length: P }, () => []);
  received.forEach((w, r) => {
    for (let j = 0; j < P; j++) {
      for (let i = 0; i < N; i++) {
        if (coef[w][i * P + j] !== 0) {
          users[j].push(r);
          break;
        }
      }
    }
  });
  // E (T × N): one row per (worker, column block) part, grouped by column block
  const offset: number[] = [];
  let T = 0;
  for (const rs of users) {
    offset.push(T);
    T += rs.length;
  }
  const E = new Float32Array(T * N);
  users.forEach((rs, j) =>
    rs.forEach((r, k) => {
      for (let i = 0; i < N; i++) E[(offset[j] + k) * N + i] = coef[received[r]][i * P + j];
    }),
  );
  const all = tf.tidy(() => {
    // encoding for every part at once: row t of E·[A_1; …; A_N] (T × U·M) is the part's Ã (U × M)
    const encoded = tf.matMul(tf.tensor2d(E, [T, N]), tf.tensor2d(blocks.aAll, [N, UM])).reshape([T * U, M]);
    const products: tf.Tensor[] = [];
    users.forEach((rs, j) => {
      if (rs.length === 0) return;
      const wa = rs.length === T ? encoded : encoded.slice([offset[j] * U, 0], [rs.length * U, M]);
      products.push(tf.matMul(wa, tf.tensor2d(blocks.b[j], [M, Q])));
    });
    return products.length === 1 ? products[0] : tf.concat(products, 0);
  });
  const flat = all.dataSync() as Float32Array;
  all.dispose();
  const parts = users.map((rs, j) => (rs.length ? flat.subarray(offset[j] * UQ, (offset[j] + rs.length) * UQ) : null));
  // slot[r][j]: the k-th part of column block j belongs to received worker r
  const slot: Int32Array[] = Array.from({ length: R }, () => new Int32Array(P).fill(-1));
  users.forEach((rs, j) => rs.forEach((r, k) => (slot[r][j] = k)));
  const block = new Float32Array(UQ);
  scatterBlocks(
    (blk) => {
      if (!decode.determined[blk]) return null;
      block.fill(0);
      for (let r = 0; r < R; r++) {
        const d = decode.matrix[blk * R + r];
        if (d === 0) continue;
        for (let j = 0; j < P; j++) {
          const k = slot[r][j];
          if (k >= 0) axpy32(block, (parts[j] as Float32Array).subarray(k * UQ, (k + 1) * UQ), d);
        }
      }
      return block;
    },
    layout,
    Q,
    out,
    p,
  );
}

/**
 * Coded approximate product on tensors. A: m×n, B: n×p → Ĉ: m×p float32, holding the blocks of
 * A·B that the workers received before T_max determine, and zeros elsewhere.
 */
export function codedMatMul(
  A: tf.Tensor2D,
  B: tf.Tensor2D,
  opts: ResolvedCodedOptions,
  rng: Rng,
): { C: tf.Tensor2D; stats: CodedMatMulStats } {
  const [m, M] = A.shape;
  const [Mb, p] = B.shape;
  if (M !== Mb) throw new RangeError(`codedMatMul: inner dimensions differ (${A.shape.join('×')} · ${B.shape.join('×')})`);
  const a = A.dataSync() as Float32Array;
  const b = B.dataSync() as Float32Array;
  const layout = makeLayout(axisScores(a, m, M, false, opts.ordering), axisScores(b, M, p, true, opts.ordering), {
    rowBlocks: opts.grid.N,
    colBlocks: opts.grid.P,
    levels: opts.grid.levels,
    classTable: opts.grid.classTable,
  });
  const plan = planCall(layout, opts, rng);
  const stats = statsOf(plan);
  const c = new Float32Array(m * p);
  if (plan.received.length > 0) {
    computeAndDecode(a, b, M, p, plan, c);
  }
  if (opts.measureError) {
    const exact = tf.tidy(() => tf.matMul(A, B));
    stats.decodeRelError = worstBlockError(c, exact.dataSync(), layout, p, (blk) => plan.decode.determined[blk]);
    exact.dispose();
  }
  return { C: tf.tensor2d(c, [m, p]), stats };
}
