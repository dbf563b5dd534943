/**
 * Run planning of the Monte Carlo and its single-thread driver.
 *
 * Randomness: trials run in fixed chunks of CHUNK_TRIALS; chunk c has its own streams, seeded
 * from (seed, c): one for the data (A, B, worker times, shared by all lines of a trial: common
 * random numbers) and one per line for its code coefficients (seeded from the line's key, so a
 * line's numbers do not depend on which other lines run). Per-chunk means are merged in chunk
 * order, so results depend only on (setup, lines, trials, seed) — not on the number of threads.
 */
import { MeanAccumulator, type MeanEstimate } from '../util/stats.ts';
import type { ChunkStats } from './chunks.ts';
import { emptyDiagnostics, mergeDiagnostics, type LineDiagnostics } from './diagnostics.ts';
import { expectedEnergy, type LineSpec, type MonteCarloSetup } from './setup.ts';
import { TrialRunner, type RunnerOptions } from './trial.ts';

/** Trials per randomness chunk (fixed: changing it changes the numbers). */
export const CHUNK_TRIALS = 250;

/** Result of one line. */
export interface LineResult {
  line: LineSpec;
  /** Workers W of the line (uncoded and rep may have their own: setup.ts lineWorkers). */
  workers: number;
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
      workers: W,
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
