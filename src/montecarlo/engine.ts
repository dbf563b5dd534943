/**
 * Monte Carlo of the REAL codes for Figs. 3–4. One trial:
 *  1. draws A and B with level-wise variances (setup.ts);
 *  2. orders and blocks them with the engine's layout (layoutOf) and computes the exact blocks
 *     C_b = A_i·B_j in float64;
 *  3. draws the W worker times once (workerTimes, Exp(λK)) and sorts the arrivals;
 *  4. for every line (scheme × granularity): encodes with the code (code.encode), computes the
 *     workers' real products W_A·W_B (workerProduct, float64; each when a decode vector first
 *     uses it — a result that is not a pivot row of the decoder has weight exactly 0 in every
 *     decode vector, so this gives the same numbers as computing all W up front, which
 *     `allProducts` does and a test compares), and feeds the coefficient rows to an
 *     IncrementalDecoder in arrival order; whenever blocks become determined their value is
 *     decoded from the received products (decodeVector: Ĉ_b = Σ_r d[r]·R_r) and the loss drops:
 *       loss after k arrivals = Σ_{b not determined} ‖C_b‖² + Σ_{b determined} ‖Ĉ_b − C_b‖².
 *     A decoded block keeps the value decoded when it became determined.
 * This gives the loss as a step function of the number received (Fig. 4) and, through the sorted
 * times, of the deadline t (Fig. 3: the loss at t counts the workers with T_w < t). Every value is
 * divided by E‖C‖² (known exactly), so each estimate is a plain mean over i.i.d. trials.
 *
 * Randomness: trials run in fixed chunks of CHUNK_TRIALS; chunk c has its own streams, seeded
 * from (seed, c): one for the data (A, B, worker times, shared by all lines of a trial: common
 * random numbers) and one per line for its code coefficients (seeded from the line's key, so a
 * line's numbers do not depend on which other lines run). Per-chunk means are merged in chunk
 * order, so results depend only on (setup, lines, trials, seed) — not on the number of threads.
 *
 * Two opt-in experiments (RunnerOptions; default off = the engine's decoder as is) probe the
 * float64 decoding of ill-conditioned MDS result sets: `decode: 'qr'` recomputes decode vectors
 * by Householder least squares, `residualCheck` refuses blocks whose decode residual is large.
 */
import { coefficientRow } from '../coded-backprop/codes/code.js';
import { padBlocks, type PaddedBlocks } from '../coded-backprop/blocks.js';
import { IncrementalDecoder } from '../coded-backprop/decode.js';
import { layoutOf, workerProduct } from '../coded-backprop/execute-f64.js';
import { workerTimes } from '../coded-backprop/latency.js';
import type { ResolvedCodedOptions } from '../coded-backprop/options.js';
import type { BlockLayout } from '../coded-backprop/partition.js';
import { gaussian, matmulAddInto, type Matrix } from '../util/matrix.js';
import { Rng } from '../util/rng.js';
import { stableDecodeVector } from './stable-decode.js';
import { checkSetup, expectedEnergy, levelsOf, lineKey, resolveLine, type LineSpec, type MonteCarloSetup } from './setup.js';
import { MeanAccumulator, type AccumulatorState, type MeanEstimate } from './stats.js';

/** Trials per randomness chunk (fixed: changing it changes the numbers). */
export const CHUNK_TRIALS = 250;

/** Thresholds of relative decode error ‖Ĉ_b − C_b‖/‖C_b‖ that the diagnostics count. */
export const ERROR_THRESHOLDS = [1e-9, 1e-6, 1e-3, 1] as const;

/** Thresholds of decode residual ‖d_b·G − e_b‖∞ that the diagnostics count. */
export const RESIDUAL_THRESHOLDS = [1e-12, 1e-9, 1e-6, 1e-3, 1] as const;

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
  /** Per line: number of arrivals after which every block was determined, or −1 if never. */
  fullAt: number[];
  /** Per line: the relative decode error ‖Ĉ_b − C_b‖/‖C_b‖ of each block (NaN if never determined). */
  relError: Float64Array[];
  /** Per line: the decode residual ‖d_b·G − e_b‖∞ of each accepted block (NaN if never). */
  residual: Float64Array[];
  /** Per line: blocks the residual check rejected at least once. */
  rejected: number[];
}

/** Decoding diagnostics of one line over all trials. */
export interface LineDiagnostics {
  trials: number;
  /** fullAt[k] = trials in which all blocks were first determined after exactly k arrivals; fullAt[W + 1] = never. */
  fullAt: number[];
  /** Trials in which the first N·P results did not determine every block (for MDS: any N·P results should). */
  notFullAtNP: number;
  /** Decoded blocks in total. */
  blocksDecoded: number;
  /** Largest relative decode error of a decoded block. */
  maxRelError: number;
  /** errorsAbove[i] = decoded blocks with relative error > ERROR_THRESHOLDS[i]. */
  errorsAbove: number[];
  /** Trials whose loss went up at some arrival (a decoded block worse than the zero estimate). */
  nonMonotoneTrials: number;
  /** Largest decode residual ‖d_b·G − e_b‖∞ of an accepted block. */
  maxResidual: number;
  /** residualsAbove[i] = accepted blocks with residual > RESIDUAL_THRESHOLDS[i]. */
  residualsAbove: number[];
  /** With a residual check: blocks it rejected, and trials with at least one rejection. */
  rejectedBlocks: number;
  rejectedTrials: number;
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
  /** See {@link RunnerOptions.residualCheck} (default: none, the engine's decoder as is). */
  residualCheck?: number;
  /** See {@link RunnerOptions.decode} (default 'engine'). */
  decode?: DecodeMode;
  /** Called after every chunk with (trials done, trials). */
  onProgress?: (done: number, total: number) => void;
}

/** 32-bit FNV-1a hash of a string. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** murmur3's 32-bit finaliser. */
function fmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Seed of the stream `label` of chunk `chunk` under the run's seed. */
export function streamSeed(seed: number, label: string, chunk: number): number {
  return fmix32(fmix32((seed >>> 0) ^ hashString(label)) ^ fmix32(Math.imul(chunk + 1, 0x9e3779b9) >>> 0));
}

/** Options of a {@link TrialRunner}. */
export interface RunnerOptions {
  /** Compute every worker's product up front instead of on first use (same numbers, slower; for checks). */
  allProducts?: boolean;
  /**
   * Not the engine's rule, an experiment: accept a block the decoder calls determined only if its
   * decode vector's residual ‖d·G − e_b‖∞ ≤ this (else keep it lost, re-checking at each arrival).
   * Undefined (default): accept what the decoder determines.
   */
  residualCheck?: number;
  /**
   * Where decode vectors come from: 'engine' (default) = the IncrementalDecoder's own
   * (decodeVector); 'qr' = an experiment: the decoder still decides which blocks are determined,
   * but d_b is recomputed by Householder least squares on its pivot rows (stable-decode.ts).
   */
  decode?: DecodeMode;
}

/** Sources of decode vectors (see {@link RunnerOptions.decode}). */
export const DECODE_MODES = ['engine', 'qr'] as const;
export type DecodeMode = (typeof DECODE_MODES)[number];

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
  private readonly sdLevel: number[];
  /** Exact blocks C_b (U·Q each) of the current trial and their energies. */
  private readonly exact: Float64Array[];
  private readonly exactEnergy: Float64Array;
  private readonly estimate: Float64Array;
  private readonly blockLoss: Float64Array;
  private readonly order: Int32Array;

  readonly allProducts: boolean;
  readonly residualCheck: number | undefined;
  readonly decode: DecodeMode;
  private readonly residualBuf: Float64Array;

  constructor(
    readonly setup: MonteCarloSetup,
    lines: readonly LineSpec[],
    options: RunnerOptions = {},
  ) {
    this.allProducts = options.allProducts ?? false;
    this.residualCheck = options.residualCheck;
    this.decode = options.decode ?? 'engine';
    if (!DECODE_MODES.includes(this.decode)) throw new RangeError(`decode: must be one of ${DECODE_MODES.join(', ')}, got ${String(this.decode)}`);
    if (this.residualCheck !== undefined && !(this.residualCheck > 0 && Number.isFinite(this.residualCheck))) {
      throw new RangeError(`residualCheck: must be a finite number > 0, got ${String(this.residualCheck)}`);
    }
    checkSetup(setup);
    if (lines.length === 0) throw new RangeError('lines: give at least one scheme/granularity line');
    this.S = levelsOf(setup);
    this.W = setup.workers;
    this.blocks = this.S * this.S;
    this.expectedEnergy = expectedEnergy(setup);
    this.lines = lines.map((line) => ({ line, key: lineKey(line), opts: resolveLine(setup, line) }));
    const keys = new Set(this.lines.map((l) => l.key));
    if (keys.size !== lines.length) throw new RangeError('lines: a scheme/granularity line is listed twice');
    this.sdLevel = setup.variances.map(Math.sqrt);
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
    const { U, M, Q } = this.setup;
    const sd = this.sdLevel;
    const A = gaussian(this.S * U, M, rng, (r) => sd[Math.floor(r / U)]);
    const B = gaussian(M, this.S * Q, rng, (_r, c) => sd[Math.floor(c / Q)]);
    return { A, B };
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
    const out: TrialOutcome = { sortedTimes, arrivalOrder: order.slice(), energy: energy * norm, lossAfter: [], fullAt: [], relError: [], residual: [], rejected: [] };
    this.lines.forEach((ctx, li) => {
      const { opts } = ctx;
      const tasks = opts.code.encode(layout, opts, lineRngs[li]);
      // Real worker products W_A·W_B (workerProduct, float64), in worker order: all of them up
      // front with `allProducts`, else each on first use. A result enters a decode vector only
      // if it became a pivot row of the decoder (at most N·P per trial); every other weight is
      // exactly 0, so the numbers are identical either way (a test checks it).
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
      let accepted = 0;
      let fullAt = -1;
      // Blocks the decoder calls determined but the residual check rejected (re-checked on every arrival).
      let pending: number[] = [];
      let rejectedBlocks = 0;
      // Arrival positions of the results that became pivot rows (for decode 'qr').
      const pivots: number[] = [];
      for (let k = 0; k < W; k++) {
        const w = order[k];
        if (accepted < NP) {
          const rankBefore = dec.rank;
          const fresh = dec.add(coef[w]);
          if (dec.rank > rankBefore) pivots.push(k);
          const candidates = pending.length > 0 ? [...pending, ...fresh] : fresh;
          if (candidates.length > 0) {
            const stillPending: number[] = [];
            let changed = false;
            for (const b of candidates) {
              const d = this.decode === 'qr' ? qrDecodeVector(pivots, b, coef, order, k + 1) : dec.decodeVector(b);
              const rho = this.decodeResidual(d, b, coef, order);
              if (this.residualCheck !== undefined && !(rho <= this.residualCheck)) {
                if (!pending.includes(b)) rejectedBlocks++;
                stillPending.push(b);
                continue;
              }
              residual[b] = rho;
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
              accepted++;
              changed = true;
            }
            pending = stillPending;
            if (changed) {
              loss = sum(blockLoss);
              if (accepted === NP) fullAt = k + 1;
            }
          }
        }
        lossAfter[k + 1] = loss * norm;
      }
      out.residual.push(residual);
      out.rejected.push(rejectedBlocks);
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

/** Decode vector over arrival positions 0..length−1 from Householder least squares on the pivot rows. */
function qrDecodeVector(pivots: readonly number[], b: number, coef: Float64Array[], order: Int32Array, length: number): Float64Array {
  const weights = stableDecodeVector(
    pivots.map((pos) => coef[order[pos]]),
    b,
  );
  const d = new Float64Array(length);
  pivots.forEach((pos, i) => (d[pos] = weights[i]));
  return d;
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
    residualsAbove: RESIDUAL_THRESHOLDS.map(() => 0),
    rejectedBlocks: 0,
    rejectedTrials: 0,
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
  for (const r of o.residual[li]) {
    if (Number.isNaN(r)) continue;
    if (r > d.maxResidual) d.maxResidual = r;
    RESIDUAL_THRESHOLDS.forEach((th, i) => {
      if (r > th) d.residualsAbove[i]++;
    });
  }
  if (catastrophic) d.catastrophicTrials++;
  d.rejectedBlocks += o.rejected[li];
  if (o.rejected[li] > 0) d.rejectedTrials++;
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
  from.residualsAbove.forEach((v, i) => (into.residualsAbove[i] += v));
  into.rejectedBlocks += from.rejectedBlocks;
  into.rejectedTrials += from.rejectedTrials;
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
  if (options.residualCheck !== undefined) runner.residualCheck = options.residualCheck;
  if (options.decode !== undefined) runner.decode = options.decode;
  // Validates setup, lines and runner options.
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
