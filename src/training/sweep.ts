/**
 * The Fig. 6 sweep: plan the grid of training runs, skip the ones already complete, and run the
 * rest in parallel (one per core by default).
 *
 * Runs go to a pool of `jobs` persistent run processes (src/training/run-pool.ts), each of which
 * loads tfjs, wasm and MNIST once for all the runs it trains; {@link nodeLauncher} (one
 * experiments/train.ts process per run) remains for comparison.
 *
 * Grid: the baseline once per seed; every other scheme once per (T_max, seed). Run r writes
 * `<out>/runs/<name>` (name from {@link runName}) and logs its output to `<out>/logs/<name>.log`.
 * A run directory is complete by construction (the child renames its temporary directory only
 * after the last row and config.json are written), so resuming is: skip complete directories —
 * after checking they were made with the same options (else an error names the mismatch, rather
 * than silently mixing two experiments in one figure).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainingScheme } from '../coded-backprop/index.ts';
import { OptionError, OPTIONS, kebab } from '../config/index.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { isRunComplete, runName } from './run-dir.ts';
import { runStatus, sweepStatusPath, writeStatusFile } from './run-status.ts';
import { optionsRecord } from './run-record.ts';
import type { Launcher, LaunchOutcome, PlannedRun } from './launcher.ts';
import { startRunPool } from './run-pool.ts';
import { resolveTrainConfig, type TrainConfigInput } from './train-config.ts';

/** What the sweep varies, and the train options it passes through to every run. */
export interface SweepOptions {
  schemes: readonly TrainingScheme[];
  tmaxes: readonly number[];
  seeds: readonly number[];
  /** Options given to every run (catalogue keys of a training run), e.g. epochs, lambda, limit. */
  common: Omit<TrainConfigInput, 'scheme' | 'tmax' | 'seed' | 'sites'>;
}

export type { LaunchOutcome, Launcher, PlannedRun } from './launcher.ts';

function flagValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(flagValue).join(',');
  return v === Infinity ? 'inf' : String(v);
}

/**
 * The runs of the sweep, validated (OptionError naming the option on a bad value), seed by seed
 * (so an interrupted sweep has whole seeds done first), baseline first within a seed.
 */
export function planSweep(o: SweepOptions): PlannedRun[] {
  if (o.schemes.length === 0) throw new OptionError('schemes', 'give at least one scheme');
  if (o.seeds.length === 0) throw new OptionError('seeds', 'give at least one seed');
  const coded = o.schemes.filter((s) => s !== 'baseline');
  if (coded.length > 0 && o.tmaxes.length === 0) throw new OptionError('tmaxes', 'give at least one deadline', 'tmax');
  const runs: PlannedRun[] = [];
  for (const seed of o.seeds) {
    const cells: Array<[TrainingScheme, number | null]> = [];
    if (o.schemes.includes('baseline')) cells.push(['baseline', null]);
    for (const tmax of o.tmaxes) for (const s of coded) cells.push([s, tmax]);
    for (const [scheme, tmax] of cells) {
      const given: TrainConfigInput = { scheme, seed, ...(tmax === null ? {} : { tmax }), ...o.common };
      if (given.dataDir !== undefined && given.dataDir !== null) given.dataDir = resolve(String(given.dataDir));
      const resolved = resolveTrainConfig(given);
      const args: string[] = [];
      for (const [key, v] of Object.entries(given)) {
        if (v === undefined || v === null) continue;
        const flag = OPTIONS[key]?.flag ?? kebab(key);
        if (typeof v === 'boolean') args.push(v ? `--${flag}` : `--no-${flag}`);
        else args.push(`--${flag}`, key === 'dataDir' ? resolve(String(v)) : flagValue(v));
      }
      runs.push({ name: runName(scheme, tmax, seed), scheme, tmax, seed, given, resolved, args });
    }
  }
  return runs;
}

/** `<out>/sweep.json`: the names of the planned runs, so a redraw can tell a partial sweep. */
export async function writeSweepPlan(out: string, plan: readonly PlannedRun[]): Promise<void> {
  await writeFileAtomic(join(out, 'sweep.json'), JSON.stringify({ runs: plan.map((r) => r.name) }, null, 2) + '\n');
}

/** The planned run names of a sweep directory, or null when it has no sweep.json. */
export function readSweepPlan(out: string): string[] | null {
  try {
    return (JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { runs: string[] }).runs;
  } catch {
    return null;
  }
}

/** Options that must agree for a finished run to count as this sweep's (not the backend). */
/** Options config.json did not always record, and the value runs made before then had. */
const RECORDED_LATER = { decoder: 'real', design: null } as const;

const MATCH_KEYS = [
  'scheme', 'tmax', 'lambda', 'epochs', 'batch', 'lr', 'seed', 'granularity', 'gamma', 'workers',
  'limit', 'testLimit', 'evalEvery', 'shuffle', 'sites', 'design', 'decoder',
] as const;

/**
 * Differences between a finished run's stored options and the planned ones, as
 * "key: stored → planned" strings (empty when they agree).
 */
export function optionMismatches(dir: string, run: PlannedRun, runtime = 'sim'): string[] {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { options: Record<string, unknown>; runtime?: string; coded?: { partition?: string } | null };
  const stored = config.options;
  const planned = optionsRecord(run.resolved);
  const out: string[] = [];
  // the baseline has no workers: it runs the same on every runtime
  const want = run.scheme === 'baseline' ? 'sim' : runtime;
  if ((config.runtime ?? 'sim') !== want) out.push(`runtime: ${config.runtime ?? 'sim'} → ${want}`);
  const plannedPartition = run.resolved.coded === 'baseline' ? null : run.resolved.coded.partition;
  const storedPartition = config.coded ? (config.coded.partition ?? 'rxc') : null;
  if (storedPartition !== plannedPartition) out.push(`partition: ${storedPartition} → ${plannedPartition}`);
  for (const k of MATCH_KEYS) {
    // runs recorded before an option existed ran with its default
    const a = JSON.stringify(stored[k] ?? (k in RECORDED_LATER ? RECORDED_LATER[k as keyof typeof RECORDED_LATER] : null));
    const b = JSON.stringify(planned[k] ?? null);
    if (a !== b) out.push(`${k}: ${a} → ${b}`);
  }
  return out;
}


const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The train command the default launcher runs. */
export const TRAIN_SCRIPT = join(ROOT, 'experiments', 'train.ts');

/**
 * Runs `node --import tsx experiments/train.ts <args> --out <dir>`, output to the log file: one
 * process per run (the sweep's default is the persistent pool of src/training/run-pool.ts).
 */
export const nodeLauncher: Launcher = (run, dir, logPath) => {
  const fd = openSync(logPath, 'w');
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), TRAIN_SCRIPT, ...run.args, '--out', dir, '--progress-every', '500'],
    { cwd: ROOT, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const done = new Promise<LaunchOutcome>((res) => {
    child.on('exit', (code, signal) => res({ code, signal }));
    child.on('error', () => res({ code: -1, signal: null }));
  });
  return { done, kill: (sig) => void child.kill(sig) };
};

export type SweepEvent =
  | { type: 'skip'; run: PlannedRun; index: number; total: number; result: StoredResult }
  | { type: 'start'; run: PlannedRun; index: number; total: number }
  | { type: 'done'; run: PlannedRun; index: number; total: number; result: StoredResult; finished: number }
  | { type: 'failed'; run: PlannedRun; index: number; total: number; outcome: LaunchOutcome; logPath: string; finished: number }
  | { type: 'left'; run: PlannedRun; index: number; total: number; finished: number };

/** The `result` section of a run's config.json. */
export interface StoredResult {
  finalTestAccuracy: number;
  msPerStep: number;
  wallSeconds: number;
  iterations: number;
  backend: string;
}

export function readStoredResult(dir: string): StoredResult {
  return (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { result: StoredResult }).result;
}

export interface SweepHooks {
  /** Parallel runs (default 1). */
  jobs?: number;
  /** How runs are started (default: a pool of `jobs` persistent run processes, closed at the end). */
  launch?: Launcher;
  onEvent?: (e: SweepEvent) => void;
  /** Aborting stops launching new runs and sends SIGINT to the running ones. */
  signal?: AbortSignal;
  /**
   * Real workers for the coded runs (the resolved runtime options of src/runtime, passed through
   * to the run processes, which start the runtime for each coded run); absent: the simulator.
   */
  runtime?: { runtime: string };
}

export interface SweepOutcome {
  ran: PlannedRun[];
  skipped: PlannedRun[];
  failed: PlannedRun[];
  /** Runs not started because the sweep was aborted. */
  notStarted: PlannedRun[];
  /** Runs whose waiting was interrupted while they go on elsewhere (queued runs stay with the workers). */
  leftOnQueue: PlannedRun[];
}

/**
 * Runs the planned runs that are not complete in `<out>/runs`, `jobs` at a time.
 * @throws RangeError before launching anything when a complete run was made with other options
 */
export async function runSweep(plan: readonly PlannedRun[], out: string, hooks: SweepHooks = {}): Promise<SweepOutcome> {
  const runsDir = join(out, 'runs');
  const logsDir = join(out, 'logs');
  const total = plan.length;
  const outcome: SweepOutcome = { ran: [], skipped: [], failed: [], notStarted: [], leftOnQueue: [] };
  const todo: Array<{ run: PlannedRun; index: number }> = [];
  const mismatched: string[] = [];
  plan.forEach((run, index) => {
    const dir = join(runsDir, run.name);
    if (isRunComplete(dir)) {
      const diff = optionMismatches(dir, run, hooks.runtime?.runtime);
      if (diff.length) mismatched.push(`${run.name} (${diff.join(', ')})`);
      else {
        outcome.skipped.push(run);
        hooks.onEvent?.({ type: 'skip', run, index, total, result: readStoredResult(dir) });
      }
    } else {
      todo.push({ run, index });
    }
  });
  if (mismatched.length) {
    throw new OptionError(
      'out',
      `${runsDir} holds finished runs made with other options: ${mismatched.join('; ')}. ` +
        'Use another --out, or delete those runs to redo them.',
    );
  }
  if (todo.length === 0) return outcome;
  mkdirSync(runsDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });
  const jobs = Math.max(1, hooks.jobs ?? 1);
  const pool = hooks.launch ? null : startRunPool(Math.min(jobs, todo.length), hooks.runtime);
  const launch = hooks.launch ?? (pool as NonNullable<typeof pool>).launch;
  const running = new Set<{ kill: (sig: NodeJS.Signals) => void }>();
  const onAbort = () => running.forEach((r) => r.kill('SIGINT'));
  hooks.signal?.addEventListener('abort', onAbort);
  let next = 0;
  let finished = outcome.skipped.length;
  const worker = async () => {
    while (next < todo.length && !hooks.signal?.aborted) {
      const { run, index } = todo[next++];
      const dir = join(runsDir, run.name);
      const logPath = join(logsDir, `${run.name}.log`);
      hooks.onEvent?.({ type: 'start', run, index, total });
      rmSync(sweepStatusPath(dir), { force: true }); // an earlier attempt's 'failed'
      const handle = launch(run, dir, logPath);
      running.add(handle);
      const res = await handle.done;
      running.delete(handle);
      finished++;
      if (res.code === 0 && isRunComplete(dir)) {
        rmSync(sweepStatusPath(dir), { force: true });
        outcome.ran.push(run);
        hooks.onEvent?.({ type: 'done', run, index, total, result: readStoredResult(dir), finished });
      } else if (res.leftOnQueue) {
        outcome.leftOnQueue.push(run);
        hooks.onEvent?.({ type: 'left', run, index, total, finished });
      } else {
        // the report's live view shows it failed, with the end of its log (an interrupted sweep's
        // runs are not failures: they are queued again when it resumes)
        const why = res.signal ? `signal ${res.signal}` : `exit code ${res.code}`;
        if (!hooks.signal?.aborted) await writeStatusFile(sweepStatusPath(dir), runStatus('failed', { step: 0, totalSteps: 0, epoch: 0 }, `${run.name}: ${why}; log ${logPath}`)).catch(() => undefined);
        outcome.failed.push(run);
        hooks.onEvent?.({ type: 'failed', run, index, total, outcome: res, logPath, finished });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    await pool?.close();
  }
  outcome.notStarted = todo.slice(next).map((t) => t.run);
  return outcome;
}
