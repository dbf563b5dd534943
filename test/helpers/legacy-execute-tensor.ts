/**
 * The r×c tensor executor as it was before issue 10's fused path (commit d476fb6,
 * src/coded-backprop/execute-tensor.ts), kept for one test: the new path must give the same
 * coded products within float32 rounding. Not used by the project's code.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/util/rng.ts';
import { classRelErrors, padBlocks, scatterBlocks, worstBlockError } from '../../src/coded-backprop/blocks.ts';
import type { ResolvedCodedOptions } from '../../src/coded-backprop/options.ts';
import { type CallPlan, type CallTag, layoutFor, planCall, statsOf, withhold } from '../../src/coded-backprop/plan.ts';
import { DEFAULT_PRECISION_TOLERANCE, UNIT_ROUNDOFF } from '../../src/coded-backprop/precision.ts';
import { decodeResults, type ResultSource } from '../../src/coded-backprop/plan-executor.ts';
import type { CodedMatMulStats } from '../../src/coded-backprop/types.ts';

/**
 * Computes the received workers' products and decodes them into `out` (m×p, original order).
 * Worker w returns Σ_{ij} g_w[i,j]·A_i·B_j. Its product is computed in parts that share one
 * block of the side with the larger blocks, the combination being taken on the side with the
 * smaller blocks (the cheaper encoding, done in JS):
 *   A side (U ≤ Q): part (w, j) = Ã_wj·B_j with Ã_wj = Σ_i g_w[i,j]·A_i — the stacking of the
 *     code's terms along the inner dimension, grouped by column block;
 *   B side (U > Q): part (w, i) = A_i·B̃_wi with B̃_wi = Σ_j g_w[i,j]·B_j.
 * One matrix product per group computes the parts of every received worker that touch it (no
 * work on blocks outside a window); the worker's product is the sum of its parts. Decoding,
 * Ĉ_b = Σ_w d_bw·(Σ parts of w), runs in float64 on the downloaded parts while undoing the order.
 * @returns withheld[b]: block b was determined but failed the precision check (left at zero)
 */
function computeAndDecode(
  a: Float32Array,
  b: Float32Array,
  M: number,
  p: number,
  plan: CallPlan,
  out: Float32Array,
  tolerance: number,
): boolean[] {
  const { layout, received, coef, decode } = plan;
  const { N, P } = layout;
  const blocks = padBlocks(a, M, b, p, layout, Float32Array);
  const { U, Q } = blocks;
  const R = received.length;
  const UQ = U * Q;
  const aSide = U <= Q;
  const groups = aSide ? P : N;
  const terms = aSide ? N : P;
  const weight = (g: Float64Array, group: number, t: number) => (aSide ? g[t * P + group] : g[group * P + t]);
  // users[group]: received indices whose coefficients touch the group; slot[r][group]: its position
  const users: number[][] = Array.from({ length: groups }, () => []);
  const slot = Array.from({ length: R }, () => new Int32Array(groups).fill(-1));
  coef.forEach((g, r) => {
    for (let group = 0; group < groups; group++) {
      for (let t = 0; t < terms; t++) {
        if (weight(g, group, t) !== 0) {
          slot[r][group] = users[group].length;
          users[group].push(r);
          break;
        }
      }
    }
  });
  const results = users.map((rs, group) => {
    const n = rs.length;
    if (n === 0) return null;
    const prod = tf.tidy(() => {
      if (aSide) {
        // rows k·U..(k+1)·U: Ã of the k-th user of column block `group`
        const stacked = new Float32Array(n * U * M);
        rs.forEach((r, k) => {
          const dst = stacked.subarray(k * U * M, (k + 1) * U * M);
          for (let t = 0; t < terms; t++) {
            const c = weight(coef[r], group, t);
            if (c !== 0) axpy32(dst, blocks.a[t], c);
          }
        });
        return tf.matMul(tf.tensor2d(stacked, [n * U, M]), tf.tensor2d(blocks.b[group], [M, Q]));
      }
      // columns k·Q..(k+1)·Q: B̃ of the k-th user of row block `group`
      const wide = new Float32Array(M * n * Q);
      rs.forEach((r, k) => {
        for (let t = 0; t < terms; t++) {
          const c = weight(coef[r], group, t);
          if (c !== 0) axpyStrided(wide, k * Q, n * Q, blocks.b[t], M, Q, c);
        }
      });
      return tf.matMul(tf.tensor2d(blocks.a[group], [U, M]), tf.tensor2d(wide, [M, n * Q]));
    });
    const data = prod.dataSync() as Float32Array;
    prod.dispose();
    return data;
  });
  // Result r = the sum of its parts; ‖R_r‖ bounded by the sum of the parts' norms.
  const source: ResultSource = {
    blockSize: UQ,
    unitRoundoff: UNIT_ROUNDOFF.float32,
    norm(r) {
      let s = 0;
      for (let group = 0; group < groups; group++) {
        const k = slot[r][group];
        if (k < 0) continue;
        const part = results[group] as Float32Array;
        s += aSide ? norm(part, k * UQ, UQ, 1, UQ) : norm(part, k * Q, Q, users[group].length * Q, U);
      }
      return s;
    },
    addScaled(block, r, d) {
      for (let group = 0; group < groups; group++) {
        const k = slot[r][group];
        if (k < 0) continue;
        const part = results[group] as Float32Array;
        if (aSide) axpy64(block, part, k * UQ, UQ, d);
        else axpyFromStrided(block, part, k * Q, users[group].length * Q, U, Q, d);
      }
    },
  };
  const decoding = decodeResults(decode, coef, source, tolerance);
  scatterBlocks((blk) => decoding.block(blk), layout, Q, out, p);
  return decoding.withheld;
}

/** Frobenius norm of `rows` runs of `cols` entries starting at base, base + stride, … */
function norm(x: ArrayLike<number>, base: number, cols: number, stride: number, rows: number): number {
  // contiguous (stride 1, rows = length): one run
  if (stride === 1) {
    let s = 0;
    for (let e = base; e < base + rows; e++) s += x[e] * x[e];
    return Math.sqrt(s);
  }
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const o = base + r * stride;
    for (let q = 0; q < cols; q++) s += x[o + q] * x[o + q];
  }
  return Math.sqrt(s);
}

/** dst += c·src[base .. base + length) (float64 accumulation of float32 parts). */
function axpy64(dst: Float64Array, src: Float32Array, base: number, length: number, c: number): void {
  for (let e = 0; e < length; e++) dst[e] += c * src[base + e];
}

/** dst += c·src over the whole of src (monomorphic float32 hot loop). */
function axpy32(dst: Float32Array, src: Float32Array, c: number): void {
  for (let e = 0; e < src.length; e++) dst[e] += c * src[e];
}

/** dst[base + r·stride + q] += c·src[r·cols + q] for a rows×cols src. */
function axpyStrided(dst: Float32Array, base: number, stride: number, src: Float32Array, rows: number, cols: number, c: number): void {
  for (let r = 0; r < rows; r++) {
    const d = base + r * stride;
    const s = r * cols;
    for (let q = 0; q < cols; q++) dst[d + q] += c * src[s + q];
  }
}

/** dst[r·cols + q] += c·src[base + r·stride + q] for a rows×cols dst (float64 accumulation). */
function axpyFromStrided(dst: Float64Array, src: Float32Array, base: number, stride: number, rows: number, cols: number, c: number): void {
  for (let r = 0; r < rows; r++) {
    const s = base + r * stride;
    const d = r * cols;
    for (let q = 0; q < cols; q++) dst[d + q] += c * src[s + q];
  }
}

/**
 * Coded approximate product on tensors. A: m×n, B: n×p → Ĉ: m×p float32, holding the blocks of
 * A·B that the workers received before T_max determine, and zeros elsewhere. `tag` (step and
 * product of the call) is needed only by a trace replay.
 */
export function legacyCodedMatMul(
  A: tf.Tensor2D,
  B: tf.Tensor2D,
  opts: ResolvedCodedOptions,
  rng: Rng,
  tag?: CallTag,
): { C: tf.Tensor2D; stats: CodedMatMulStats } {
  const [m, M] = A.shape;
  const [Mb, p] = B.shape;
  if (M !== Mb) throw new RangeError(`codedMatMul: inner dimensions differ (${A.shape.join('×')} · ${B.shape.join('×')})`);
  const a = A.dataSync() as Float32Array;
  const b = B.dataSync() as Float32Array;
  const layout = layoutFor(a, m, M, b, p, opts);
  const plan = planCall(layout, opts, rng, tag);
  const c = new Float32Array(m * p);
  const withheld = plan.received.length > 0 ? computeAndDecode(a, b, M, p, plan, c, DEFAULT_PRECISION_TOLERANCE) : [];
  const stats = withhold(statsOf(plan), withheld);
  if (opts.measureError) {
    const exact = tf.tidy(() => tf.matMul(A, B));
    const data = exact.dataSync();
    stats.decodeRelError = worstBlockError(c, data, layout, p, (blk) => stats.recovered[blk]);
    stats.classRelError = classRelErrors(c, data, layout, p, stats.recovered);
    exact.dispose();
  }
  return { C: tf.tensor2d(c, [m, p]), stats };
}
