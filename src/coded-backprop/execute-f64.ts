/**
 * Float64 reference executor: every worker's product is computed literally as W_A·W_B from its
 * code's terms, in plain JS. It serves the Monte Carlo of the theory and is the exact reference
 * in tests; small shapes only (the tensor executor serves training).
 */
import { type Matrix, matmul, matmulAddInto, zeros } from '../util/matrix.ts';
import type { Rng } from '../util/rng.ts';
import { classRelErrors, type PaddedBlocks, padBlocks, scatterBlocks, worstBlockError } from './blocks.ts';
import type { WorkerTask } from './codes/code.ts';
import type { ResolvedCodedOptions } from './options.ts';
import type { BlockLayout } from './partition.ts';
import { layoutFor, planCall, statsOf, withhold } from './plan.ts';
import { checkPrecision, DEFAULT_PRECISION_TOLERANCE, maxAbs, UNIT_ROUNDOFF } from './precision.ts';
import type { CodedMatMulStats } from './types.ts';
import { cxrMatMulF64 } from './cxr/execute-f64.ts';

/** Σ_k w[k]·X_k over equally long arrays, skipping zero weights. */
export function combine(weights: ArrayLike<number>, items: ArrayLike<number>[], length: number): Float64Array {
  const out = new Float64Array(length);
  for (let k = 0; k < items.length; k++) {
    const w = weights[k];
    if (w === 0) continue;
    const x = items[k];
    for (let e = 0; e < length; e++) out[e] += w * x[e];
  }
  return out;
}

/** The worker's returned product W_A·W_B = Σ_s (Σ_i a_s[i] A_i)(Σ_j b_s[j] B_j): U×Q. */
export function workerProduct(task: WorkerTask, blocks: PaddedBlocks<Float64Array>): Float64Array {
  const { U, M, Q } = blocks;
  const out = new Float64Array(U * Q);
  for (const { a, b } of task.terms) {
    const wa = combine(a, blocks.a, U * M);
    const wb = combine(b, blocks.b, M * Q);
    matmulAddInto(out, wa, wb, U, M, Q);
  }
  return out;
}

/** The block layout of A: m×n, B: n×p under the options' ordering and grid. */
export function layoutOf(A: Matrix, B: Matrix, opts: ResolvedCodedOptions): BlockLayout {
  return layoutFor(A.data, A.rows, A.cols, B.data, B.cols, opts);
}

/**
 * Coded approximate product in float64. A: m×n, B: n×p → Ĉ: m×p, holding the blocks of A·B that
 * the workers received before T_max determine (decoded from their products), zeros elsewhere.
 */
export function codedMatMulF64(A: Matrix, B: Matrix, opts: ResolvedCodedOptions, rng: Rng): { C: Matrix; stats: CodedMatMulStats } {
  if (opts.partition === 'cxr') return cxrMatMulF64(A, B, opts, rng);
  if (A.cols !== B.rows) throw new RangeError(`codedMatMul: inner dimensions differ (${A.rows}×${A.cols} · ${B.rows}×${B.cols})`);
  const layout = layoutOf(A, B, opts);
  const plan = planCall(layout, opts, rng);
  const blocks = padBlocks(A.data, A.cols, B.data, B.cols, layout, Float64Array);
  const products = plan.received.map((w) => workerProduct(plan.tasks[w], blocks));
  const R = products.length;
  const { determined, matrix } = plan.decode;
  const UQ = blocks.U * blocks.Q;
  // The same precision check as the tensor path, with float64's unit roundoff (precision.ts).
  const partNorm = products.map((x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0)));
  const coefMax = plan.coef.map(maxAbs);
  const withheld = new Array<boolean>(layout.N * layout.P).fill(false);
  const C = zeros(A.rows, B.cols);
  scatterBlocks(
    (b) => {
      if (!determined[b]) return null;
      const d = matrix.subarray(b * R, (b + 1) * R);
      const block = combine(d, products, UQ);
      const norm = Math.sqrt(block.reduce((s, v) => s + v * v, 0));
      if (!checkPrecision(d, coefMax, partNorm, norm, UNIT_ROUNDOFF.float64, DEFAULT_PRECISION_TOLERANCE).accepted) {
        withheld[b] = true;
        return null;
      }
      return block;
    },
    layout,
    blocks.Q,
    C.data,
    B.cols,
  );
  const stats = withhold(statsOf(plan), withheld);
  if (opts.measureError) {
    const exact = matmul(A, B).data;
    stats.decodeRelError = worstBlockError(C.data, exact, layout, B.cols, (b) => stats.recovered[b]);
    stats.classRelError = classRelErrors(C.data, exact, layout, B.cols, stats.recovered);
  }
  return { C, stats };
}
