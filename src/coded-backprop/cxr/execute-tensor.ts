/**
 * Tensor entry of the c×r partition (A: m×n, B: n×p tensors → Ĉ: m×p float32 tensor). Same plan
 * (planPackets, same rng draws) and same decode vector as the float64 executor (cxr/execute-f64.ts).
 *
 * Stacked codes (uncoded, repetition, NOW, EW: every task is Σ_k c_k·A_k·B_k, no cross terms):
 *   products: a received worker's result R_r = [c_k A_k]_k · [B_k]_k over the packets of its
 *     support (those with c_k ≠ 0), of inner dimension Σ n_k (uneven packets need no padding).
 *     Workers with the same support share the B side (A side when m > p), so one tf.matMul per
 *     support computes all of theirs, stacked along the other side: on the side with the smaller
 *     outer dimension (m ≤ p: A), rows u·m..(u+1)·m of the left operand are worker u's [c_k A_k]_k;
 *     otherwise columns u·p..(u+1)·p of the right operand are its [c_k B_k]_k. The operands are
 *     written straight from A and B in their original layout through the packet order's index
 *     lists, in place in the wasm heap (tensor-io.ts).
 *   Only results that some unit of the decode (a determined packet or the rest sum) weights are
 *   computed: the others, like late workers' results, cannot change Ĉ.
 *   decoding: Ĉ = Σ_r d[r]·R_r in float64 on the products read in place, with the precision check
 *     of cxr/precision.ts in float32 roundoff, then written into the output tensor's memory.
 * MatDot (MDS) has cross terms A_k·B_l and a Vandermonde decode that float32 cannot carry
 * (cxr/matdot.ts: conditioning up to ~1e9): it runs on the float64 executor with the same plan.
 */
import * as tf from '@tensorflow/tfjs';
import type { Matrix } from '../../util/matrix.ts';
import type { Rng } from '../../util/rng.ts';
import type { ResolvedCodedOptions } from '../options.ts';
import { UNIT_ROUNDOFF } from '../precision.ts';
import { readF32, type Staged, stage } from '../tensor-io.ts';
import { copyColumns, jsAccumulator } from '../tensor-moves.ts';
import { heapKernels } from '../kernels/heap-kernels.ts';
import type { CodedMatMulStats } from '../types.ts';
import { executePacketsF64, packetDecodeError, padPackets } from './execute-f64.ts';
import { type PacketPlan, packetLayoutFor, packetLayoutOfScores, packetStats, planPackets } from './plan.ts';
import { type PacketLayout, scoreProducts } from './packets.ts';
import { decodePacketsChecked, type PacketResults, stackedCoefficients } from './precision.ts';

function toMatrix(t: tf.Tensor2D): Matrix {
  return { rows: t.shape[0], cols: t.shape[1], data: Float64Array.from(t.dataSync()) };
}

/** Received workers with the same support: one product computes all of their results. */
interface SupportGroup {
  /** Packets with a non-zero coefficient, ascending. */
  packets: number[];
  /** Inner indices of those packets, packet by packet (w = their number). */
  idx: Int32Array;
  /** Received indices r whose result is read, in arrival order. */
  users: number[];
}

export function cxrMatMulTensor(A: tf.Tensor2D, B: tf.Tensor2D, opts: ResolvedCodedOptions, rng: Rng): { C: tf.Tensor2D; stats: CodedMatMulStats } {
  const [m, n] = A.shape;
  const [nb, p] = B.shape;
  if (n !== nb) throw new RangeError(`codedMatMul: inner dimensions differ (${m}×${n} · ${nb}×${p})`);
  const layout = tensorPacketLayout(A, B, opts);
  const plan = planPackets(layout, opts, rng);
  const coef = plan.received.map((w) => stackedCoefficients(plan.tasks[w], layout.K));
  if (coef.some((c) => c === null)) {
    // cross terms (MatDot): the float64 executor on the same plan
    const { C, stats } = executePacketsF64(toMatrix(A), toMatrix(B), plan, opts);
    return { C: tf.tensor2d(Float32Array.from(C.data), [m, p]), stats };
  }
  const out = stage(m, p);
  const withheld = computeAndDecode(A, B, plan, coef as Float64Array[], out);
  const stats = packetStats(plan, withheld);
  if (opts.measureError) {
    const a = toMatrix(A);
    const b = toMatrix(B);
    stats.decodeRelError = packetDecodeError(out.data(), a, b, padPackets(a, b, layout), stats.recovered);
  }
  return { C: out.tensor(), stats };
}

/**
 * The packet layout of A: m×n and B: n×p as packetLayoutFor gives it; on wasm the L2 scores (the
 * default ordering) come from the heap kernels, the same numbers as the JS loops. It may allocate
 * in the heap: take no heap views before it.
 */
function tensorPacketLayout(A: tf.Tensor2D, B: tf.Tensor2D, opts: ResolvedCodedOptions): PacketLayout {
  const [m, n] = A.shape;
  const p = B.shape[1];
  const kernels = opts.ordering === 'l2' ? heapKernels() : null;
  if (kernels) {
    kernels.reserveScores(n);
    const columnsOfA = kernels.colSq(readF32(A), m, n);
    const rowsOfB = kernels.rowSq(readF32(B), n, p);
    if (columnsOfA && rowsOfB) return packetLayoutOfScores(scoreProducts(columnsOfA, rowsOfB), opts);
  }
  // views: no allocation until the layout has read them
  return packetLayoutFor(readF32(A), m, n, readF32(B), p, opts);
}

/** Groups the read results by support; slot[r] = [group, position in it] (−1 if not read). */
function supportGroups(plan: PacketPlan, coef: Float64Array[]): { groups: SupportGroup[]; slot: Int32Array } {
  const { units } = plan.decode;
  const { order, bounds } = plan.layout.inner;
  const R = coef.length;
  const slot = new Int32Array(2 * R).fill(-1);
  const byKey = new Map<string, number>();
  const groups: SupportGroup[] = [];
  coef.forEach((c, r) => {
    if (!units.some((u) => u.d[r] !== 0)) return;
    const packets: number[] = [];
    c.forEach((v, k) => {
      if (v !== 0) packets.push(k);
    });
    if (packets.length === 0) return;
    const key = packets.join(',');
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      const idx = new Int32Array(packets.reduce((s, k) => s + bounds[k + 1] - bounds[k], 0));
      let j = 0;
      for (const k of packets) for (let s = bounds[k]; s < bounds[k + 1]; s++) idx[j++] = order[s];
      groups.push({ packets, idx, users: [] });
    }
    slot[2 * r] = g;
    slot[2 * r + 1] = groups[g].users.length;
    groups[g].users.push(r);
  });
  return { groups, slot };
}

/**
 * Computes the read results (one product per support group) and decodes Ĉ into `out`.
 * @returns withheld[k]: packet k was determined but left out for precision
 */
function computeAndDecode(A: tf.Tensor2D, B: tf.Tensor2D, plan: PacketPlan, coef: Float64Array[], out: Staged): boolean[] {
  const [m, n] = A.shape;
  const p = B.shape[1];
  const { bounds } = plan.layout.inner;
  const R = coef.length;
  const { groups, slot } = supportGroups(plan, coef);
  const aSide = m <= p;
  // product inputs, all allocated before any heap view is taken
  const inputs = groups.map(({ idx, users }) => (aSide ? [stage(users.length * m, idx.length), stage(idx.length, p)] : [stage(m, idx.length), stage(idx.length, users.length * p)]));
  // on wasm the decode accumulates Ĉ in the heap with the SIMD kernel (its room reserved now,
  // before any heap view)
  const kernels = heapKernels();
  kernels?.reserveBlock(m * p);
  const acc = kernels ?? jsAccumulator;
  const a = readF32(A);
  const b = readF32(B);
  groups.forEach(({ packets, idx, users }, g) => {
    // positions seg[i]..seg[i+1] of the support hold packet packets[i]
    const seg = new Int32Array(packets.length + 1);
    packets.forEach((k, i) => (seg[i + 1] = seg[i] + bounds[k + 1] - bounds[k]));
    const left = inputs[g][0].data();
    const right = inputs[g][1].data();
    if (aSide) {
      // left rows u·m + i: [c_k A_k] of user u (the support's columns of A, scaled per packet);
      // right: the support's rows of B
      const cols = new Float32Array(m * idx.length);
      copyColumns(cols, idx.length, a, n, m, idx, 0, idx.length);
      users.forEach((r, u) => scaleSegments(left, u * m * idx.length, cols, m, seg, packets, coef[r]));
      for (let j = 0; j < idx.length; j++) right.set(b.subarray(idx[j] * p, (idx[j] + 1) * p), j * p);
    } else {
      // left: the support's columns of A; right columns u·p..(u+1)·p: [c_k B_k] of user u
      copyColumns(left, idx.length, a, n, m, idx, 0, idx.length);
      users.forEach((r, u) => scaledRows(right, u * p, users.length * p, b, p, idx, seg, packets, coef[r]));
    }
  });
  const products = inputs.map(([l, r]) => tf.matMul(l.tensor(), r.tensor()));
  for (const io of inputs) for (const s of io) s.tensor().dispose();
  // out was allocated by the caller and no allocation follows: the heap views stay valid
  const results = products.map((t) => readF32(t));
  const norms = new Float64Array(R).fill(NaN);
  // result r: rows i < m at base + i·stride, p entries each
  const where = (r: number): [Float32Array, number, number] => {
    const g = slot[2 * r];
    const u = slot[2 * r + 1];
    return aSide ? [results[g], u * m * p, p] : [results[g], u * p, groups[g].users.length * p];
  };
  const source: PacketResults = {
    unitRoundoff: UNIT_ROUNDOFF.float32,
    addScaled(block, r, d) {
      if (slot[2 * r] < 0) return;
      const [x, base, stride] = where(r);
      norms[r] = Math.sqrt(acc.addScaled(block, x, base, stride, m, p, d));
    },
    norm(r) {
      if (slot[2 * r] < 0) return 0;
      if (Number.isNaN(norms[r])) {
        const [x, base, stride] = where(r);
        norms[r] = Math.sqrt(acc.sumSquares(x, base, stride, m, p));
      }
      return norms[r];
    },
  };
  const C = kernels ? kernels.block(m * p) : new Float64Array(m * p);
  const withheld = decodePacketsChecked(plan.decode, plan.coef, source, C);
  out.data().set(C);
  for (const t of products) t.dispose();
  return withheld;
}

/** dst[base + i·w + j] = c[packets[t]]·src[i·w + j] for j in segment t (src: rows×w). */
function scaleSegments(dst: Float32Array, base: number, src: Float32Array, rows: number, seg: Int32Array, packets: number[], c: Float64Array): void {
  const w = seg[seg.length - 1];
  for (let i = 0; i < rows; i++) {
    const o = i * w;
    for (let t = 0; t < packets.length; t++) {
      const x = c[packets[t]];
      for (let j = seg[t]; j < seg[t + 1]; j++) dst[base + o + j] = x * src[o + j];
    }
  }
}

/** Row j of dst (row stride `stride`, from column base) = c[packet of j]·row idx[j] of src (p columns). */
function scaledRows(dst: Float32Array, base: number, stride: number, src: Float32Array, p: number, idx: Int32Array, seg: Int32Array, packets: number[], c: Float64Array): void {
  for (let t = 0; t < packets.length; t++) {
    const x = c[packets[t]];
    for (let j = seg[t]; j < seg[t + 1]; j++) {
      const s = idx[j] * p;
      const d = j * stride + base;
      for (let q = 0; q < p; q++) dst[d + q] = x * src[s + q];
    }
  }
}
