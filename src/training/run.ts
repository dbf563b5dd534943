/**
 * One training run as a library: prepare it (resolve the configuration, load the data: the one
 * place that does either), train with the backward products sent through the chosen code, and
 * write the run's directory by the protocol of src/training/run-dir.ts, with metrics.csv as
 * src/training/metrics-file.ts describes and config.json as src/training/run-record.ts.
 */
import { UserError } from '../util/user-error.ts';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeCodedMultiply, type StepStats } from '../coded-backprop/index.ts';
import type { PresetName } from '../config/index.ts';
import { train, type IterationRecord, type StepMultiply } from '../model/trainer.ts';
import { Rng, streamSeed } from '../util/rng.ts';
import { MetricsFile, METRICS_COLUMNS } from './metrics-file.ts';
import { partialDirOf, putInPlace, removeStalePartials } from './run-dir.ts';
import { runStatus, STATUS_EVERY_MS, STATUS_FILE, writeRunStatus } from './run-status.ts';
import { codedRecord, optionsRecord, versions } from './run-record.ts';
import { datasetOf, resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './train-config.ts';
import { loadTrainData, totalIterations, type TrainData } from './train-data.ts';
import { surrogateMultiply } from './surrogate.ts';
import { autoDesigner, DESIGN_COLUMNS, designRows, type DesignRecord } from './auto-design.ts';
import type { Multiply } from '../model/backprop.ts';
import { OptionError } from '../util/option-error.ts';
import { writeCsv } from '../util/csv.ts';

/** The last design of each site (config.json's summary of design.csv). */
function lastDesigns(records: readonly DesignRecord[]): Record<string, { iteration: number; gamma: number[]; loss: number; referenceLoss: number }> {
  const out: Record<string, { iteration: number; gamma: number[]; loss: number; referenceLoss: number }> = {};
  for (const r of records) out[r.site] = { iteration: r.iteration, gamma: r.gamma, loss: r.loss, referenceLoss: r.referenceLoss };
  return out;
}

/** A resolved run with its data. */
export interface PreparedRun {
  config: TrainConfig;
  data: TrainData;
}

/**
 * Resolves the options and loads the data.
 * @throws OptionError naming the option (or `dataDir` with the file) before anything is written
 */
export function prepareRun(given: TrainConfigInput, preset: PresetName = 'dnn'): PreparedRun {
  const config = resolveTrainConfig(given, preset);
  return { config, data: loadTrainData(config) };
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

/** A coded multiply for the trainer with its per-step statistics (the simulator's, or a runtime's). */
export interface RunMultiply {
  step: StepMultiply;
  takeStepStats(): StepStats | undefined;
}

/**
 * Iterations in a row with a non-finite training loss after which a run stops: once the weights
 * hold NaN or ∞ they never recover, and the rest of the run would only produce a meaningless accuracy.
 */
export const MAX_NONFINITE_STEPS = 10;

/** The run diverged (non-finite loss for {@link MAX_NONFINITE_STEPS} iterations); nothing is written. */
export class RunDivergedError extends UserError {
  override name = 'RunDivergedError';
}

export interface RunHooks {
  /** Called after every iteration (synchronously; keep it cheap). */
  onProgress?: (p: Progress) => void;
  /** One line about something the user should know (e.g. a non-finite loss). */
  onWarning?: (message: string) => void;
  /** Aborting stops the run after the current step and removes the temporary directory. */
  signal?: AbortSignal;
  /** Recorded in config.json (e.g. the command line). */
  argv?: readonly string[];
  /** Replaces the simulated coded multiply (e.g. with a real-worker runtime's); recorded as `runtime`. */
  multiply?: RunMultiply & { runtime: string };
  /** Filled in with where the run's own fixed costs went (for benchmarks). */
  timing?: RunTiming;
}

/** A run's own fixed costs, besides its steps and test evaluations (milliseconds). */
export interface RunTiming {
  /** From the call to the first step: temporary directory, metrics.csv created, weights initialised, test set uploaded. */
  setupMs: number;
  /** From the end of training to the directory in place: metrics rows written, config.json, fsyncs, rename. */
  writeMs: number;
}

/** What a finished run reports (also stored in config.json under `result`). */
export interface RunResult {
  dir: string;
  iterations: number;
  finalTestAccuracy: number;
  msPerStep: number;
  /** Milliseconds spent in test evaluations (not in msPerStep). */
  evalMs: number;
  wallSeconds: number;
  backend: string;
  /** Means over the steps of the per-step sums; null for the baseline. */
  meanWorkersReceived: number | null;
  meanBlocksRecovered: number | null;
  /** Mean per step of the blocks determined but withheld for float32 precision; null for the baseline. */
  meanBlocksWithheld: number | null;
  /** Mean per step of the blocks recovered in each class (summed over the six products); null for the baseline. */
  meanClassRecovered: number[] | null;
}

/** Thrown when a run stops because its abort signal fired. */
export class RunAbortedError extends Error {
  override name = 'RunAbortedError';
}

/** The simulator's coded multiply of a run: its own named random stream 'code'. */
export function simulatedMultiply(cfg: TrainConfig, sites = cfg.sites): RunMultiply {
  const cm = makeCodedMultiply(cfg.coded, new Rng(streamSeed(cfg.seed, 'code')), sites);
  return { step: { sync: cm.multiply }, takeStepStats: () => cm.takeStepStats() };
}

/**
 * The simulator's multiply with `--design auto`: each site's Γ designed from its measured
 * energies at the schedule's iterations (auto-design.ts), the designs appended to `records`.
 */
function designedMultiply(cfg: TrainConfig, design: NonNullable<TrainConfig['design']>, records: DesignRecord[]): RunMultiply {
  if (cfg.coded === 'baseline') throw new OptionError('trainDesign', 'the baseline has no code to design', 'design');
  const sites = { ...cfg.sites };
  const sim = simulatedMultiply(cfg, sites);
  const observe = autoDesigner(cfg.coded, sites, design, records);
  const inner = (sim.step as { sync: Multiply }).sync;
  return {
    step: {
      sync: (a, b, site) => {
        observe(a, b, site);
        return inner(a, b, site);
      },
    },
    takeStepStats: sim.takeStepStats,
  };
}

/**
 * Trains one run and writes `dir`. The backend must already be initialised (initBackend).
 * Returns the result once `dir` is in place.
 * @throws RunAbortedError when `hooks.signal` aborts (the temporary directory is removed)
 */
export async function runTraining(r: TrainConfig, data: TrainData, dir: string, hooks: RunHooks = {}): Promise<RunResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const total = totalIterations(r, data.train.count);
  removeStalePartials(dir);
  const tmp = partialDirOf(dir);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let metrics: MetricsFile | null = null;
  let closing: Promise<void> | null = null;
  // status.json (run-status.ts): one write at a time, at most every STATUS_EVERY_MS
  let statusWriting: Promise<void> = Promise.resolve();
  let statusBusy = false;
  let statusAt = performance.now();
  try {
    metrics = await MetricsFile.create(join(tmp, 'metrics.csv'));
    const file = metrics;
    await writeRunStatus(tmp, runStatus('running', { step: 0, totalSteps: total, epoch: 0 }));
    const designs: DesignRecord[] = [];
    if (r.design && hooks.multiply) throw new OptionError('trainDesign', 'auto runs on the simulator only (--runtime sim)', 'design');
    if (r.decoder === 'surrogate' && hooks.multiply) throw new OptionError('decoder', 'surrogate runs on the simulator only (--runtime sim)');
    const coded = hooks.multiply ?? (r.decoder === 'surrogate' ? surrogateMultiply(r) : r.design ? designedMultiply(r, r.design, designs) : simulatedMultiply(r));
    let step: StepStats | undefined;
    const sums = { workers: 0, blocks: 0, withheld: 0, steps: 0, classes: [] as number[] };
    const recent: number[] = [];
    let recentSum = 0;
    let lastTestAcc = NaN;
    let nonFinite = 0;
    const onIteration = async (rec: IterationRecord) => {
      if (!Number.isFinite(rec.train_loss)) {
        nonFinite++;
        if (nonFinite === 1) hooks.onWarning?.(`iteration ${rec.iteration}: the training loss is ${rec.train_loss} (diverging: try a smaller --lr); the run stops after ${MAX_NONFINITE_STEPS} such iterations in a row`);
        if (nonFinite >= MAX_NONFINITE_STEPS) throw new RunDivergedError(`the training loss was not finite for ${MAX_NONFINITE_STEPS} iterations in a row (up to iteration ${rec.iteration}): the run diverged (try a smaller --lr); nothing was written`);
      } else nonFinite = 0;
      // Give signal handlers a turn now and then (a simulated step is synchronous).
      if (rec.iteration % 10 === 0) await new Promise((done) => setImmediate(done));
      if (hooks.signal?.aborted) throw new RunAbortedError('interrupted');
      file.add({
        iteration: rec.iteration,
        epoch: rec.epoch,
        train_acc: rec.train_acc,
        train_loss: rec.train_loss,
        test_acc: rec.test_acc,
        workers_received: step?.workers_received,
        blocks_recovered: step?.blocks_recovered,
        blocks_withheld: step?.blocks_withheld,
        late: step && 'late' in step ? (step.late as number) : undefined,
        rejected: step && 'rejected' in step ? (step.rejected as number) : undefined,
        step_ms: rec.step_ms,
      });
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
      const now = performance.now();
      if (!statusBusy && now - statusAt >= STATUS_EVERY_MS) {
        // the rows so far reach metrics.csv with the status, so a live view's curve grows with it
        statusAt = now;
        statusBusy = true;
        file.flush();
        const st = runStatus('running', { step: rec.iteration, totalSteps: total, epoch: rec.epoch, trainAcc: recentSum / recent.length, testAcc: lastTestAcc });
        statusWriting = writeRunStatus(tmp, st).finally(() => (statusBusy = false));
        statusWriting.catch(() => undefined); // awaited before the directory is renamed or removed
      }
    };
    const trainCalled = performance.now();
    const dataset = datasetOf(r);
    const network = { plan: r.plan, shape: dataset.shape, classes: dataset.classes, codeConv: r.codeConv };
    const result = await train({ ...r, network }, data, coded.step, {
      extraFields: () => {
        step = coded.takeStepStats();
        if (step) {
          sums.workers += step.workers_received;
          sums.blocks += step.blocks_recovered;
          sums.withheld += step.blocks_withheld;
          sums.steps += 1;
          step.class_recovered.forEach((n, l) => (sums.classes[l] = (sums.classes[l] ?? 0) + n));
        }
        return {};
      },
      onIteration,
    });
    const trained = performance.now();
    // metrics.csv's last rows and fsync, concurrently with config.json's (both before the rename)
    closing = file.close();
    closing.catch(() => undefined); // awaited below, or by the error path
    const res: RunResult = {
      dir,
      iterations: result.iterations,
      finalTestAccuracy: result.testAccuracy,
      msPerStep: result.msPerStep,
      evalMs: result.evalMs,
      wallSeconds: (performance.now() - t0) / 1000,
      backend: result.backend,
      meanWorkersReceived: sums.steps ? sums.workers / sums.steps : null,
      meanBlocksRecovered: sums.steps ? sums.blocks / sums.steps : null,
      meanBlocksWithheld: sums.steps ? sums.withheld / sums.steps : null,
      meanClassRecovered: sums.steps ? sums.classes.map((n) => n / sums.steps) : null,
    };
    const config = {
      command: 'train',
      argv: hooks.argv ?? null,
      seed: r.seed,
      runtime: hooks.multiply?.runtime ?? 'sim',
      options: optionsRecord(r),
      coded: r.coded === 'baseline' ? null : codedRecord(r.coded),
      backend: result.backend,
      versions: versions(),
      dataset: r.dataset,
      model: r.model,
      data: { dataset: r.dataset, trainExamples: data.train.count, testExamples: data.test.count, dataDir: r.dataDir ?? dataset.defaultSource },
      metrics: {
        columns: METRICS_COLUMNS,
        note: 'train_acc/train_loss: minibatch before its update; workers_received/blocks_recovered/blocks_withheld: sums over the six coded backward products of the step (empty for the baseline; withheld = determined but held back by the float32 precision check); late/rejected: replies after the deadline / rejected as malformed during the step (real runtimes only); step_ms: wall-clock time of the step',
      },
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      result: { ...res, dir: undefined },
    };
    if (r.design) {
      await writeCsv(join(tmp, 'design.csv'), designRows(designs), DESIGN_COLUMNS);
      (config as Record<string, unknown>).design = { ...r.design, designs: designs.length, last: lastDesigns(designs), file: 'design.csv' };
    }
    const writeConfig = async () => {
      const cfh = await open(join(tmp, 'config.json'), 'wx');
      try {
        await cfh.write(JSON.stringify(config, null, 2) + '\n');
        await cfh.sync();
      } finally {
        await cfh.close();
      }
    };
    // a finished run directory holds config.json and metrics.csv (its state is 'done' by them)
    await statusWriting.catch(() => undefined);
    await rm(join(tmp, STATUS_FILE), { force: true });
    const [rows, written] = await Promise.allSettled([closing, writeConfig()]);
    if (rows.status === 'rejected') throw rows.reason;
    metrics = null;
    if (written.status === 'rejected') throw written.reason;
    await putInPlace(tmp, dir);
    if (hooks.timing) {
      hooks.timing.setupMs = trainCalled - t0 + result.setupMs;
      hooks.timing.writeMs = performance.now() - trained;
    }
    return res;
  } catch (err) {
    await statusWriting.catch(() => undefined);
    await closing?.catch(() => undefined);
    await metrics?.abandon();
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}
