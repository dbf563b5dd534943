/**
 * Float64 executor of the c×r partition: A: m×n, B: n×p → Ĉ: m×p = Σ of the packets A_k·B_k the
 * received workers determine. Packets are zero-padded to the widest (n_max); each worker's
 * product is computed literally from its code's terms, (Σ_k a[k]·Ã_k)(Σ_l b[l]·B̃_l) with
 * Ã_k: m×n_max and B̃_l: n_max×p, skipping zero coefficients (a stacked term costs m·n_k·p).
 * Only the products a decode reads are computed; Ĉ passes the precision check (cxr/precision.ts)
 * in float64 roundoff.
 */
import { type Matrix, matmul, matmulAddInto, zeros } from '../../util/matrix.ts';
import type { Rng } from '../../util/rng.ts';
import type { WorkerTask } from '../codes/code.ts';
import type { ResolvedCodedOptions } from '../options.ts';
import type { CodedMatMulStats } from '../types.ts';
import type { PacketLayout } from './packets.ts';
import { UNIT_ROUNDOFF } from '../precision.ts';
import { type PacketPlan, packetLayoutFor, packetStats, planPackets } from './plan.ts';
import { decodePacketsChecked, type PacketResults } from './precision.ts';

/** Zero-padded packets: a[k] = Ã_k (m×w), b[k] = B̃_k (w×p), w = widest packet. */
export interface PaddedPackets {
  m: number;
  w: number;
  p: number;
  a: Float64Array[];
  b: Float64Array[];
}

/** Cuts A: m×n and B: n×p into the layout's packets, padded to the widest. */
export function padPackets(A: Matrix, B: Matrix, layout: PacketLayout): PaddedPackets {
  const { order, bounds, maxSize: w } = layout.inner;
  const m = A.rows;
  const n = A.cols;
  const p = B.cols;
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let k = 0; k < layout.K; k++) {
    const ak = new Float64Array(m * w);
    const bk = new Float64Array(w * p);
    for (let s = bounds[k]; s < bounds[k + 1]; s++) {
      const t = order[s];
      const c = s - bounds[k];
      for (let r = 0; r < m; r++) ak[r * w + c] = A.data[r * n + t];
      bk.set(B.data.subarray(t * p, (t + 1) * p), c * p);
    }
    a.push(ak);
    b.push(bk);
  }
  return { m, w, p, a, b };
}

function combine(weights: Float64Array, items: Float64Array[]): Float64Array {
  const out = new Float64Array(items[0].length);
  weights.forEach((c, k) => {
    if (c === 0) return;
    const x = items[k];
    for (let e = 0; e < out.length; e++) out[e] += c * x[e];
  });
  return out;
}

/** Worker product Σ_terms (Σ_k a[k]·Ã_k)(Σ_l b[l]·B̃_l): m×p. */
export function packetWorkerProduct(task: WorkerTask, pk: PaddedPackets): Float64Array {
  const out = new Float64Array(pk.m * pk.p);
  for (const { a, b } of task.terms) matmulAddInto(out, combine(a, pk.a), combine(b, pk.b), pk.m, pk.w, pk.p);
  return out;
}

/** Coded approximate product on the c×r partition, in float64. A: m×n, B: n×p → Ĉ: m×p. */
export function cxrMatMulF64(A: Matrix, B: Matrix, opts: ResolvedCodedOptions, rng: Rng): { C: Matrix; stats: CodedMatMulStats } {
  if (A.cols !== B.rows) throw new RangeError(`codedMatMul: inner dimensions differ (${A.rows}×${A.cols} · ${B.rows}×${B.cols})`);
  const layout = packetLayoutFor(A.data, A.rows, A.cols, B.data, B.cols, opts);
  return executePacketsF64(A, B, planPackets(layout, opts, rng), opts);
}

/**
 * Runs a c×r plan in float64: the received products a decode reads, computed literally, decoded
 * with the precision check (cxr/precision.ts, float64 roundoff) into Ĉ = Σ_r d[r]·R_r.
 */
export function executePacketsF64(A: Matrix, B: Matrix, plan: PacketPlan, opts: ResolvedCodedOptions): { C: Matrix; stats: CodedMatMulStats } {
  const pk = padPackets(A, B, plan.layout);
  const products: (Float64Array | null)[] = plan.received.map(() => null);
  const norms = new Float64Array(plan.received.length).fill(NaN);
  const product = (r: number) => (products[r] ??= packetWorkerProduct(plan.tasks[plan.received[r]], pk));
  const source: PacketResults = {
    unitRoundoff: UNIT_ROUNDOFF.float64,
    addScaled(acc, r, d) {
      const R = product(r);
      for (let e = 0; e < R.length; e++) acc[e] += d * R[e];
    },
    norm(r) {
      if (Number.isNaN(norms[r])) norms[r] = Math.sqrt(product(r).reduce((s, v) => s + v * v, 0));
      return norms[r];
    },
  };
  const C = zeros(A.rows, B.cols);
  const withheld = decodePacketsChecked(plan.decode, plan.coef, source, C.data);
  const stats = packetStats(plan, withheld);
  if (opts.measureError) stats.decodeRelError = packetDecodeError(C.data, A, B, pk, stats.recovered);
  return { C, stats };
}

/** ‖Ĉ − Σ_{k in Ĉ} A_k B_k‖_F / max(‖that sum‖_F, 1e-4·‖C‖_F): the decode error. */
export function packetDecodeError(C: ArrayLike<number>, A: Matrix, B: Matrix, pk: PaddedPackets, inC: boolean[]): number {
  const ref = new Float64Array(pk.m * pk.p);
  inC.forEach((ok, k) => {
    if (ok) matmulAddInto(ref, pk.a[k], pk.b[k], pk.m, pk.w, pk.p);
  });
  let num = 0;
  let den = 0;
  for (let e = 0; e < ref.length; e++) {
    num += (C[e] - ref[e]) ** 2;
    den += ref[e] ** 2;
  }
  let full = 0;
  for (const v of matmul(A, B).data) full += v * v;
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-4 * Math.sqrt(full));
}
