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
import { type CallTag, layoutFor, planCall, statsOf, withhold } from './plan.ts';
import { UNIT_ROUNDOFF } from './precision.ts';
import { decodeResults, type ResultSource } from './plan-executor.ts';
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
 * The float64 worker products as a {@link ResultSource}: result r is worker workerOf(r)'s
 * W_A·W_B, computed on first use (or all up front with `eager`, for checks).
 */
export class F64Results implements ResultSource {
  readonly blockSize: number;
  readonly unitRoundoff = UNIT_ROUNDOFF.float64;
  private readonly products: (Float64Array | null)[];
  private readonly norms: number[];

  constructor(
    private readonly tasks: readonly WorkerTask[],
    private readonly blocks: PaddedBlocks<Float64Array>,
    private readonly workerOf: (r: number) => number,
    eager = false,
  ) {
    this.blockSize = blocks.U * blocks.Q;
    this.products = tasks.map((task) => (eager ? workerProduct(task, blocks) : null));
    this.norms = tasks.map(() => NaN);
  }

  /** Worker w's product R_w (U×Q). */
  product(w: number): Float64Array {
    return (this.products[w] ??= workerProduct(this.tasks[w], this.blocks));
  }

  norm(r: number): number {
    const w = this.workerOf(r);
    if (Number.isNaN(this.norms[w])) this.norms[w] = Math.sqrt(this.product(w).reduce((s, v) => s + v * v, 0));
    return this.norms[w];
  }

  addScaled(block: Float64Array, r: number, d: number): void {
    const R = this.product(this.workerOf(r));
    for (let e = 0; e < R.length; e++) block[e] += d * R[e];
  }
}

/**
 * Coded approximate product in float64. A: m×n, B: n×p → Ĉ: m×p, holding the blocks of A·B that
 * the workers received before T_max determine (decoded from their products), zeros elsewhere.
 * `tag` (step and product of the call) is needed only by a trace replay.
 */
export function codedMatMulF64(A: Matrix, B: Matrix, opts: ResolvedCodedOptions, rng: Rng, tag?: CallTag): { C: Matrix; stats: CodedMatMulStats } {
  if (opts.partition === 'cxr') return cxrMatMulF64(A, B, opts, rng);
  if (A.cols !== B.rows) throw new RangeError(`codedMatMul: inner dimensions differ (${A.rows}×${A.cols} · ${B.rows}×${B.cols})`);
  const layout = layoutOf(A, B, opts);
  const plan = planCall(layout, opts, rng, tag);
  const blocks = padBlocks(A.data, A.cols, B.data, B.cols, layout, Float64Array);
  // every received product is computed: the precision check needs each one's norm
  const results = new F64Results(plan.tasks, blocks, (r) => plan.received[r]);
  const decoding = decodeResults(plan.decode, plan.coef, results);
  const C = zeros(A.rows, B.cols);
  scatterBlocks((b) => decoding.block(b), layout, blocks.Q, C.data, B.cols);
  const stats = withhold(statsOf(plan), decoding.withheld);
  if (opts.measureError) {
    const exact = matmul(A, B).data;
    stats.decodeRelError = worstBlockError(C.data, exact, layout, B.cols, (b) => stats.recovered[b]);
    stats.classRelError = classRelErrors(C.data, exact, layout, B.cols, stats.recovered);
  }
  return { C, stats };
}
