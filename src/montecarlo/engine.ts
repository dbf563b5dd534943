/**
 * Monte Carlo of the REAL codes for Figs. 3–4. One trial:
 *  1. draws A and B with level-wise variances (setup.ts);
 *  2. orders and blocks them with the engine's layout (layoutOf) and computes the exact blocks
 *     C_b = A_i·B_j in float64;
 *  3. draws the W worker times once (workerTimes, Exp(λK)) and sorts the arrivals;
 *  4. for every line (scheme × granularity): encodes with the code (code.encode), feeds the
 *     coefficient rows to the engine's IncrementalDecoder in arrival order, and whenever `add`
 *     reports newly decoded blocks, decodes each from the real received products
 *     (decodeVector: Ĉ_b = Σ_r d[r]·R_r, R_r = W_A·W_B by workerProduct in float64); the loss drops:
 *       loss after k arrivals = Σ_{b not decoded} ‖C_b‖² + Σ_{b decoded} ‖Ĉ_b − C_b‖².
 *     A decoded block keeps the value decoded when it was first decoded. A worker's product is
 *     computed when a decode vector first gives it nonzero weight (the weights may fall on any
 *     received result); results no decode vector uses are never multiplied. Zero weights are
 *     skipped either way, so this gives the same numbers as computing all W products up front
 *     (`allProducts`, which a test compares).
 * This gives the loss as a step function of the number received (Fig. 4) and, through the sorted
 * times, of the deadline t (Fig. 3: the loss at t counts the workers with T_w < t). Every value is
 * divided by E‖C‖² (known exactly), so each estimate is a plain mean over i.i.d. trials.
 *
 * Randomness: trials run in fixed chunks of CHUNK_TRIALS; chunk c has its own streams, seeded
 * from (seed, c): one for the data (A, B, worker times, shared by all lines of a trial: common
 * random numbers) and one per line for its code coefficients (seeded from the line's key, so a
 * line's numbers do not depend on which other lines run). Per-chunk means are merged in chunk
 * order, so results depend only on (setup, lines, trials, seed) — not on the number of threads.
 */
import {
  coefficientRow,
  IncrementalDecoder,
  layoutOf,
  padBlocks,
  workerProduct,
  workerTimes,
  type BlockLayout,
  type PaddedBlocks,
  type ResolvedCodedOptions,
} from '../coded-backprop/plan-api.ts';
import { matmulAddInto, type Matrix } from '../util/matrix.ts';
import { drawBlockGaussian } from '../workloads/block-gaussian.ts';
import { Rng, streamSeed } from '../util/rng.ts';

export { streamSeed };
import { checkSetup, expectedEnergy, levelsOf, lineKey, resolveLine, type LineSpec, type MonteCarloSetup } from './setup.ts';
import { MeanAccumulator, type AccumulatorState, type MeanEstimate } from '../util/stats.ts';

/** Trials per randomness chunk (fixed: changing it changes the numbers). */
export const CHUNK_TRIALS = 250;

/** Thresholds of relative decode error ‖Ĉ_b − C_b‖/‖C_b‖ that the diagnostics count. */
export const ERROR_THRESHOLDS = [1e-9, 1e-6, 1e-3, 1] as const;

/** What happened in one trial (values normalised by E‖C‖²). */
export interface TrialOutcome {
  /** Arrival times sorted ascending (length W). */
  sortedTimes: Float64Array;
  /** Workers in order of arrival (arrivalOrder[k] arrived k-th). */
  arrivalOrder: Int32Array;
  /** ‖C‖² / E‖C‖² of this trial. */
  energy: number;
  /** Per line: normalised loss after k = 0..W arrivals (length W + 1). */
  lossAfter: Float64Array[];
  /** Per line: number of arrivals after which every block was decoded, or −1 if never. */
  fullAt: number[];
  /** Per line: the relative decode error ‖Ĉ_b − C_b‖/‖C_b‖ of each block (NaN if never decoded). */
  relError: Float64Array[];
  /** Per line: the decode residual ‖d_b·G − e_b‖∞ of each decoded block (NaN if never). */
  residual: Float64Array[];
}

/** Decoding diagnostics of one line over all trials. */
export interface LineDiagnostics {
  trials: number;
  /** fullAt[k] = trials in which all blocks were first decoded after exactly k arrivals; fullAt[W + 1] = never. */
  fullAt: number[];
  /**
   * Trials in which the first N·P results did not decode every block (for MDS any N·P results
   * determine them; a block also waits while its decode would be numerically unstable).
   */
  notFullAtNP: number;
  /** Decoded blocks in total. */
  blocksDecoded: number;
  /** Largest relative decode error of a decoded block. */
  maxRelError: number;
  /** errorsAbove[i] = decoded blocks with relative error > ERROR_THRESHOLDS[i]. */
  errorsAbove: number[];
  /** Trials whose loss went up at some arrival (a decoded block worse than the zero estimate). */
  nonMonotoneTrials: number;
  /** Largest decode residual ‖d_b·G − e_b‖∞ of a decoded block. */
  maxResidual: number;
  /** Largest normalised loss of one trial after all W results (a catastrophic decode shows here). */
  maxFinalLoss: number;
  /** Trials with a decoded block worse than no estimate (relative decode error > 1). */
  catastrophicTrials: number;
}

/** Result of one line. */
export interface LineResult {
  line: LineSpec;
  /** Normalised loss after N = 0..W results. */
  byReceived: MeanEstimate[];
  /** Normalised loss at each deadline of `times` (empty without times). */
  byTime: MeanEstimate[];
  diagnostics: LineDiagnostics;
}

/** Result of {@link simulate}. */
export interface SimulationResult {
  setup: MonteCarloSetup;
  trials: number;
  seed: number;
  times: number[];
  /** E‖C‖² used to normalise. */
  expectedEnergy: number;
  /** Mean of ‖C‖²/E‖C‖² over the trials (≈ 1: a check of the normaliser). */
  energy: MeanEstimate;
  lines: LineResult[];
}

/** Options of {@link simulate}. */
export interface SimulationOptions {
  /** Number of trials n ≥ 1. */
  trials: number;
  /** Seed (any integer). */
  seed: number;
  /** Deadlines at which to estimate the loss (any order; may be empty). */
  times?: readonly number[];
  /** Compute every worker's product, not only those a decode vector uses (same numbers, slower). */
  allProducts?: boolean;
  /** Called after every chunk with (trials done, trials). */
  onProgress?: (done: number, total: number) => void;
}

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
  readonly S: number;
  readonly W: number;
  readonly blocks: number;
  readonly expectedEnergy: number;
  private readonly lines: LineContext[];
  /** Exact blocks C_b (U·Q each) of the current trial and their energies. */
  private readonly exact: Float64Array[];
  private readonly exactEnergy: Float64Array;
  private readonly estimate: Float64Array;
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
    this.S = levelsOf(setup);
    this.W = setup.workers;
    this.blocks = this.S * this.S;
    this.expectedEnergy = expectedEnergy(setup);
    this.lines = lines.map((line) => ({ line, key: lineKey(line), opts: resolveLine(setup, line) }));
    const keys = new Set(this.lines.map((l) => l.key));
    if (keys.size !== lines.length) throw new RangeError('lines: a scheme/granularity line is listed twice');
    const UQ = setup.U * setup.Q;
    this.exact = Array.from({ length: this.blocks }, () => new Float64Array(UQ));
    this.exactEnergy = new Float64Array(this.blocks);
    this.estimate = new Float64Array(UQ);
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

  /** Draws A ((S·U)×M) and B (M×(S·Q)) with the level variances. */
  drawMatrices(rng: Rng): { A: Matrix; B: Matrix } {
    const { U, M, Q, variances } = this.setup;
    return drawBlockGaussian({ U, M, Q, varA: variances, varB: variances }, rng);
  }

  /**
   * One trial with the given streams (advanced in place).
   * @returns the outcome, normalised by E‖C‖²
   */
  trial(data: Rng, lineRngs: readonly Rng[]): TrialOutcome {
    const { U, M, Q } = this.setup;
    const { W, S, blocks: NP } = this;
    const { A, B } = this.drawMatrices(data);
    const opts0 = this.lines[0].opts;
    const layout: BlockLayout = layoutOf(A, B, opts0);
    const padded: PaddedBlocks<Float64Array> = padBlocks(A.data, M, B.data, S * Q, layout, Float64Array);
    const UQ = U * Q;
    let energy = 0;
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        const b = i * S + j;
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
      // Real worker products W_A·W_B (workerProduct, float64), in worker order: all of them up
      // front with `allProducts`, else each when a decode vector first gives it nonzero weight.
      const products: (Float64Array | null)[] = this.allProducts
        ? tasks.map((task) => workerProduct(task, padded))
        : new Array<Float64Array | null>(W).fill(null);
      const coef = tasks.map((task) => coefficientRow(task, S, S));
      const dec = new IncrementalDecoder(NP, W, opts.tolerance);
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
          const fresh = dec.add(coef[order[k]]);
          for (const b of fresh) {
            // Ĉ_b = Σ_r d[r]·R_r over the k + 1 results received (r in arrival order)
            const d = dec.decodeVector(b);
            residual[b] = this.decodeResidual(d, b, coef, order);
            const est = this.estimate;
            est.fill(0);
            for (let r = 0; r < d.length; r++) {
              const f = d[r];
              if (f === 0) continue;
              const wr = order[r];
              const R = (products[wr] ??= workerProduct(tasks[wr], padded));
              for (let x = 0; x < UQ; x++) est[x] += f * R[x];
            }
            const c = this.exact[b];
            let err = 0;
            for (let x = 0; x < UQ; x++) {
              const e = est[x] - c[x];
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

/** Statistics of one chunk. */
export interface ChunkStats {
  energy: MeanAccumulator;
  byReceived: MeanAccumulator[];
  byTime: MeanAccumulator[];
  diagnostics: LineDiagnostics[];
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function emptyDiagnostics(W: number): LineDiagnostics {
  return {
    trials: 0,
    fullAt: new Array<number>(W + 2).fill(0),
    notFullAtNP: 0,
    blocksDecoded: 0,
    maxRelError: 0,
    errorsAbove: ERROR_THRESHOLDS.map(() => 0),
    nonMonotoneTrials: 0,
    maxResidual: 0,
    maxFinalLoss: 0,
    catastrophicTrials: 0,
  };
}

function recordDiagnostics(d: LineDiagnostics, o: TrialOutcome, li: number, NP: number): void {
  const W = o.sortedTimes.length;
  d.trials++;
  const full = o.fullAt[li];
  d.fullAt[full < 0 ? W + 1 : full]++;
  if (full < 0 || full > NP) d.notFullAtNP++;
  let catastrophic = false;
  for (const e of o.relError[li]) {
    if (Number.isNaN(e)) continue;
    if (e > 1) catastrophic = true;
    d.blocksDecoded++;
    if (e > d.maxRelError) d.maxRelError = e;
    ERROR_THRESHOLDS.forEach((th, i) => {
      if (e > th) d.errorsAbove[i]++;
    });
  }
  for (const r of o.residual[li]) if (r > d.maxResidual) d.maxResidual = r;
  if (catastrophic) d.catastrophicTrials++;
  const lossAfter = o.lossAfter[li];
  d.maxFinalLoss = Math.max(d.maxFinalLoss, lossAfter[lossAfter.length - 1]);
  for (let k = 1; k < lossAfter.length; k++) {
    if (lossAfter[k] > lossAfter[k - 1]) {
      d.nonMonotoneTrials++;
      break;
    }
  }
}

function mergeDiagnostics(into: LineDiagnostics, from: LineDiagnostics): void {
  into.trials += from.trials;
  from.fullAt.forEach((v, i) => (into.fullAt[i] += v));
  into.notFullAtNP += from.notFullAtNP;
  into.blocksDecoded += from.blocksDecoded;
  into.maxRelError = Math.max(into.maxRelError, from.maxRelError);
  from.errorsAbove.forEach((v, i) => (into.errorsAbove[i] += v));
  into.nonMonotoneTrials += from.nonMonotoneTrials;
  into.maxResidual = Math.max(into.maxResidual, from.maxResidual);
  into.maxFinalLoss = Math.max(into.maxFinalLoss, from.maxFinalLoss);
  into.catastrophicTrials += from.catastrophicTrials;
}

/** Serialisable form of {@link ChunkStats} (to pass between threads). */
export interface ChunkState {
  energy: AccumulatorState;
  byReceived: AccumulatorState[];
  byTime: AccumulatorState[];
  diagnostics: LineDiagnostics[];
}

export function chunkState(s: ChunkStats): ChunkState {
  return {
    energy: s.energy.state(),
    byReceived: s.byReceived.map((a) => a.state()),
    byTime: s.byTime.map((a) => a.state()),
    diagnostics: s.diagnostics,
  };
}

export function chunkFromState(s: ChunkState): ChunkStats {
  return {
    energy: MeanAccumulator.fromState(s.energy),
    byReceived: s.byReceived.map((a) => MeanAccumulator.fromState(a)),
    byTime: s.byTime.map((a) => MeanAccumulator.fromState(a)),
    diagnostics: s.diagnostics,
  };
}

/** The work of one run: validated inputs and the chunk sizes. */
export interface RunPlan {
  setup: MonteCarloSetup;
  lines: LineSpec[];
  trials: number;
  seed: number;
  times: number[];
  runner: RunnerOptions;
  /** Trials in chunk c. */
  chunkSizes: number[];
}

/** Validates the options and splits the trials into chunks. */
export function planRun(setup: MonteCarloSetup, lines: readonly LineSpec[], options: SimulationOptions): RunPlan {
  const { trials, seed } = options;
  if (typeof trials !== 'number' || !Number.isInteger(trials) || trials < 1) {
    throw new RangeError(`trials: must be an integer ≥ 1, got ${String(trials)}`);
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new RangeError(`seed: must be an integer, got ${String(seed)}`);
  const times = [...(options.times ?? [])];
  times.forEach((t, i) => {
    if (typeof t !== 'number' || Number.isNaN(t)) throw new RangeError(`times: entry ${i + 1} is not a number`);
  });
  const runner: RunnerOptions = { allProducts: options.allProducts ?? false };
  // Validates setup and lines.
  void new TrialRunner(setup, lines, runner);
  const chunks = Math.ceil(trials / CHUNK_TRIALS);
  const chunkSizes = Array.from({ length: chunks }, (_, c) => Math.min(CHUNK_TRIALS, trials - c * CHUNK_TRIALS));
  return { setup, lines: [...lines], trials, seed, times, runner, chunkSizes };
}

/** Merges per-chunk statistics in chunk order into the result. */
export function finishRun(plan: RunPlan, chunks: readonly ChunkStats[]): SimulationResult {
  const { setup, lines, times } = plan;
  const L = lines.length;
  const W = setup.workers;
  const energy = new MeanAccumulator(1);
  const byReceived = Array.from({ length: L }, () => new MeanAccumulator(W + 1));
  const byTime = Array.from({ length: L }, () => new MeanAccumulator(times.length));
  const diagnostics = Array.from({ length: L }, () => emptyDiagnostics(W));
  for (const s of chunks) {
    energy.merge(s.energy);
    for (let li = 0; li < L; li++) {
      byReceived[li].merge(s.byReceived[li]);
      byTime[li].merge(s.byTime[li]);
      mergeDiagnostics(diagnostics[li], s.diagnostics[li]);
    }
  }
  return {
    setup,
    trials: plan.trials,
    seed: plan.seed,
    times,
    expectedEnergy: expectedEnergy(setup),
    energy: energy.estimate(0),
    lines: lines.map((line, li) => ({
      line,
      byReceived: byReceived[li].estimates(),
      byTime: byTime[li].estimates(),
      diagnostics: diagnostics[li],
    })),
  };
}

/**
 * The Monte Carlo in this thread: `trials` trials of every line, estimates of the normalised
 * loss after each number received (0..W) and at each deadline in `times`.
 */
export function simulate(setup: MonteCarloSetup, lines: readonly LineSpec[], options: SimulationOptions): SimulationResult {
  const plan = planRun(setup, lines, options);
  const runner = new TrialRunner(plan.setup, plan.lines, plan.runner);
  const chunks: ChunkStats[] = [];
  let done = 0;
  plan.chunkSizes.forEach((count, c) => {
    chunks.push(runner.runChunk(plan.seed, c, count, plan.times));
    done += count;
    options.onProgress?.(done, plan.trials);
  });
  return finishRun(plan, chunks);
}
