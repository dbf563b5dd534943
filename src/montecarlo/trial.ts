/**
 * Monte Carlo of the REAL codes for Figs. 3–4. One trial:
 *  1. draws A and B with level-wise variances (setup.ts);
 *  2. orders and blocks them with the engine's layout (layoutOf) and computes the exact blocks
 *     C_b = A_i·B_j in float64;
 *  3. draws the W worker times once (workerTimes, Exp(λK)) and sorts the arrivals;
 *  4. for every line (scheme × granularity): encodes with the code (code.encode) and feeds the
 *     coefficient rows, in arrival order, to the engine's plan executor in its incremental variant
 *     (IncrementalExecution over F64Results), which returns the newly decoded blocks decoded from
 *     the real received products (Ĉ_b = Σ_r d[r]·R_r, R_r = W_A·W_B in float64) — the same
 *     decode and precision acceptance as codedMatMulF64 and the tensor path; the loss drops:
 *       loss after k arrivals = Σ_{b not decoded} ‖C_b‖² + Σ_{b decoded} ‖Ĉ_b − C_b‖².
 *     A decoded block keeps the value decoded when it was first decoded. A worker's product is
 *     computed when a decode vector first gives it nonzero weight (the weights may fall on any
 *     received result); results no decode vector uses are never multiplied. Zero weights are
 *     skipped either way, so this gives the same numbers as computing all W products up front
 *     (`allProducts`, which a test compares).
 * This gives the loss as a step function of the number received (Fig. 4) and, through the sorted
 * times, of the deadline t (Fig. 3: the loss at t counts the workers with T_w < t). Every value is
 * divided by E‖C‖² (known exactly), so each estimate is a plain mean over i.i.d. trials.
 * Here: the trial loop (TrialRunner) and a chunk of trials; run.ts plans a run and its random
 * streams, diagnostics.ts counts what the trials record, chunks.ts carries a chunk between threads.
 */
import {
  coefficientRow,
  F64Results,
  IncrementalExecution,
  layoutOf,
  padBlocks,
  workerTimes,
  type BlockLayout,
  type PaddedBlocks,
  type ResolvedCodedOptions,
} from '../coded-backprop/plan-api.ts';
import { matmulAddInto, type Matrix } from '../util/matrix.ts';
import { Rng, streamSeed } from '../util/rng.ts';
import { MeanAccumulator } from '../util/stats.ts';
import { drawBlockGaussian } from '../workloads/block-gaussian.ts';
import type { ChunkStats } from './chunks.ts';
import { emptyDiagnostics, recordDiagnostics, type TrialOutcome } from './diagnostics.ts';
import { blockVariances, checkSetup, expectedEnergy, gridOf, lineKey, lineWorkers, resolveLine, type LineSpec, type MonteCarloSetup } from './setup.ts';

/** Options of a {@link TrialRunner}. */
export interface RunnerOptions {
  /** Compute every worker's product up front instead of on first use (same numbers, slower; for checks). */
  allProducts?: boolean;
}

/** Per-line state reused across trials. */
interface LineContext {
  line: LineSpec;
  key: string;
  opts: ResolvedCodedOptions;
}

/**
 * Runs trials of one setup for several lines. Holds the resolved options and scratch buffers;
 * `runChunk` is the unit of work (and of randomness).
 */
export class TrialRunner {
  /** Row blocks N of A and column blocks P of B. */
  readonly N: number;
  readonly P: number;
  readonly W: number;
  readonly blocks: number;
  readonly expectedEnergy: number;
  private readonly lines: LineContext[];
  /** Exact blocks C_b (U·Q each) of the current trial and their energies. */
  private readonly exact: Float64Array[];
  private readonly exactEnergy: Float64Array;
  private readonly blockLoss: Float64Array;
  private readonly order: Int32Array;

  readonly allProducts: boolean;
  private readonly residualBuf: Float64Array;

  constructor(
    readonly setup: MonteCarloSetup,
    lines: readonly LineSpec[],
    options: RunnerOptions = {},
  ) {
    this.allProducts = options.allProducts ?? false;
    checkSetup(setup);
    if (lines.length === 0) throw new RangeError('lines: give at least one scheme/granularity line');
    ({ N: this.N, P: this.P, blocks: this.blocks } = gridOf(setup));
    this.W = setup.workers;
    for (const line of lines) {
      const w = lineWorkers(setup, line);
      if (w !== this.W) {
        throw new RangeError(`lines: ${lineKey(line)} runs with W = ${w} workers, not the setup's ${this.W}: run it on its own (simulateByWorkers groups the lines by W)`);
      }
    }
    this.expectedEnergy = expectedEnergy(setup);
    this.lines = lines.map((line) => ({ line, key: lineKey(line), opts: resolveLine(setup, line) }));
    const keys = new Set(this.lines.map((l) => l.key));
    if (keys.size !== lines.length) throw new RangeError('lines: a scheme/granularity line is listed twice');
    const UQ = setup.U * setup.Q;
    this.exact = Array.from({ length: this.blocks }, () => new Float64Array(UQ));
    this.exactEnergy = new Float64Array(this.blocks);
    this.blockLoss = new Float64Array(this.blocks);
    this.order = new Int32Array(this.W);
    this.residualBuf = new Float64Array(this.blocks);
  }

  /** The lines, in order. */
  get lineSpecs(): LineSpec[] {
    return this.lines.map((l) => l.line);
  }

  /** The random streams of chunk `chunk`. */
  streams(seed: number, chunk: number): { data: Rng; lines: Rng[] } {
    return {
      data: new Rng(streamSeed(seed, 'data', chunk)),
      lines: this.lines.map((l) => new Rng(streamSeed(seed, `code:${l.key}`, chunk))),
    };
  }

  /** Draws A ((N·U)×M) and B (M×(P·Q)) with the level variances of their blocks. */
  drawMatrices(rng: Rng): { A: Matrix; B: Matrix } {
    const { U, M, Q } = this.setup;
    return drawBlockGaussian({ U, M, Q, ...blockVariances(this.setup) }, rng);
  }

  /**
   * One trial with the given streams (advanced in place).
   * @returns the outcome, normalised by E‖C‖²
   */
  trial(data: Rng, lineRngs: readonly Rng[]): TrialOutcome {
    const { U, M, Q } = this.setup;
    const { W, N, P, blocks: NP } = this;
    const { A, B } = this.drawMatrices(data);
    const opts0 = this.lines[0].opts;
    const layout: BlockLayout = layoutOf(A, B, opts0);
    const padded: PaddedBlocks<Float64Array> = padBlocks(A.data, M, B.data, P * Q, layout, Float64Array);
    const UQ = U * Q;
    let energy = 0;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < P; j++) {
        const b = i * P + j;
        const c = this.exact[b];
        c.fill(0);
        matmulAddInto(c, padded.a[i], padded.b[j], U, M, Q);
        let e = 0;
        for (let x = 0; x < UQ; x++) e += c[x] * c[x];
        this.exactEnergy[b] = e;
        energy += e;
      }
    }
    // Worker times: drawn once, shared by every line of this trial.
    const times = workerTimes(opts0.latency, W, opts0.K, data);
    const order = this.order;
    for (let w = 0; w < W; w++) order[w] = w;
    order.sort((a, b) => times[a] - times[b] || a - b);
    const sortedTimes = new Float64Array(W);
    for (let k = 0; k < W; k++) sortedTimes[k] = times[order[k]];

    const norm = 1 / this.expectedEnergy;
    const out: TrialOutcome = { sortedTimes, arrivalOrder: order.slice(), energy: energy * norm, lossAfter: [], fullAt: [], relError: [], residual: [] };
    this.lines.forEach((ctx, li) => {
      const { opts } = ctx;
      const tasks = opts.code.encode(layout, opts, lineRngs[li]);
      // Real worker products W_A·W_B (float64), result r being the r-th arrival: all of them up
      // front with `allProducts`, else each when a decode vector first gives it nonzero weight.
      const results = new F64Results(tasks, padded, (r) => order[r], this.allProducts);
      if (opts.code.estimate) {
        out.lossAfter.push(this.estimateLosses(opts, layout, results, order, norm));
        out.fullAt.push(-1); // an approximate code never decodes exactly
        out.relError.push(new Float64Array(NP).fill(NaN));
        out.residual.push(new Float64Array(NP).fill(NaN));
        return;
      }
      const coef = tasks.map((task) => coefficientRow(task, N, P));
      const exec = new IncrementalExecution(NP, W, results, opts.tolerance);
      const blockLoss = this.blockLoss;
      blockLoss.set(this.exactEnergy);
      const relError = new Float64Array(NP).fill(NaN);
      const residual = new Float64Array(NP).fill(NaN);
      const lossAfter = new Float64Array(W + 1);
      let loss = sum(blockLoss);
      lossAfter[0] = loss * norm;
      let decoded = 0;
      let fullAt = -1;
      for (let k = 0; k < W; k++) {
        if (decoded < NP) {
          const fresh = exec.add(coef[order[k]]);
          for (const { block: b, value, decodeVector } of fresh) {
            // withheld for precision (never seen in float64 at these shapes): stays lost
            if (value === null) continue;
            residual[b] = this.decodeResidual(decodeVector, b, coef, order);
            const c = this.exact[b];
            let err = 0;
            for (let x = 0; x < UQ; x++) {
              const e = value[x] - c[x];
              err += e * e;
            }
            blockLoss[b] = err;
            relError[b] = this.exactEnergy[b] > 0 ? Math.sqrt(err / this.exactEnergy[b]) : err === 0 ? 0 : Infinity;
            decoded++;
          }
          if (fresh.length > 0) {
            loss = sum(blockLoss);
            if (decoded === NP) fullAt = k + 1;
          }
        }
        lossAfter[k + 1] = loss * norm;
      }
      out.residual.push(residual);
      out.lossAfter.push(lossAfter);
      out.fullAt.push(fullAt);
      out.relError.push(relError);
    });
    return out;
  }

  /**
   * An approximate code (BACC): after each arrival k, every block is re-estimated from all k
   * results (code.estimate: the estimate changes with every result, unlike an exact block), and
   * the loss is Σ_b ‖Ĉ_b − C_b‖² (times `norm`). Returns the loss after 0..W arrivals.
   */
  private estimateLosses(opts: ResolvedCodedOptions, layout: BlockLayout, results: F64Results, order: Int32Array, norm: number): Float64Array {
    const { W, blocks: NP } = this;
    const UQ = this.setup.U * this.setup.Q;
    const lossAfter = new Float64Array(W + 1);
    lossAfter[0] = sum(this.exactEnergy) * norm;
    const value = new Float64Array(UQ);
    const arrived: number[] = [];
    for (let k = 0; k < W; k++) {
      arrived.push(order[k]);
      const { determined, matrix } = opts.code.estimate!(arrived, opts, layout);
      let loss = 0;
      for (let b = 0; b < NP; b++) {
        const c = this.exact[b];
        if (!determined[b]) {
          loss += this.exactEnergy[b];
          continue;
        }
        value.fill(0);
        for (let r = 0; r <= k; r++) {
          const d = matrix[b * (k + 1) + r];
          if (d !== 0) results.addScaled(value, r, d);
        }
        for (let x = 0; x < UQ; x++) loss += (value[x] - c[x]) ** 2;
      }
      lossAfter[k + 1] = loss * norm;
    }
    return lossAfter;
  }

  /**
   * ‖d·G − e_b‖∞ of a decode vector d over the received coefficient rows G (in arrival order):
   * how far Ĉ_b = Σ_r d[r]·R_r is from C_b in exact arithmetic on the results, relative to the
   * other blocks (Ĉ_b − C_b = Σ_c (dG − e_b)_c·C_c + rounding of the results).
   */
  private decodeResidual(d: Float64Array, b: number, coef: Float64Array[], order: Int32Array): number {
    const NP = this.blocks;
    const acc = this.residualBuf;
    acc.fill(0);
    for (let r = 0; r < d.length; r++) {
      const f = d[r];
      if (f === 0) continue;
      const g = coef[order[r]];
      for (let c = 0; c < NP; c++) acc[c] += f * g[c];
    }
    acc[b] -= 1;
    let m = 0;
    for (let c = 0; c < NP; c++) m = Math.max(m, Math.abs(acc[c]));
    return m;
  }

  /** Number of the sorted arrival times strictly below t (workers with T_w < t). */
  static countBefore(sortedTimes: Float64Array, t: number): number {
    let lo = 0;
    let hi = sortedTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortedTimes[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Runs `count` trials of chunk `chunk` and returns their accumulated statistics. */
  runChunk(seed: number, chunk: number, count: number, times: readonly number[]): ChunkStats {
    const { data, lines } = this.streams(seed, chunk);
    const L = this.lines.length;
    const W = this.W;
    const stats: ChunkStats = {
      energy: new MeanAccumulator(1),
      byReceived: Array.from({ length: L }, () => new MeanAccumulator(W + 1)),
      byTime: Array.from({ length: L }, () => new MeanAccumulator(times.length)),
      diagnostics: Array.from({ length: L }, () => emptyDiagnostics(W)),
    };
    const atTime = new Float64Array(times.length);
    const counts = new Int32Array(times.length);
    for (let n = 0; n < count; n++) {
      const o = this.trial(data, lines);
      stats.energy.add([o.energy]);
      for (let g = 0; g < times.length; g++) counts[g] = TrialRunner.countBefore(o.sortedTimes, times[g]);
      for (let li = 0; li < L; li++) {
        const lossAfter = o.lossAfter[li];
        stats.byReceived[li].add(lossAfter);
        for (let g = 0; g < times.length; g++) atTime[g] = lossAfter[counts[g]];
        stats.byTime[li].add(atTime);
        recordDiagnostics(stats.diagnostics[li], o, li, this.blocks);
      }
    }
    return stats;
  }
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
