/**
 * The Fig. 6 sweep: plan the grid of training runs, skip the ones already complete, and run the
 * rest in parallel as child processes of experiments/train.ts (one per core by default).
 *
 * Grid: the baseline once per seed; every other scheme once per (T_max, seed). Run r writes
 * `<out>/runs/<name>` (name from {@link runName}) and logs its output to `<out>/logs/<name>.log`.
 * A run directory is complete by construction (the child renames its temporary directory only
 * after the last row and config.json are written), so resuming is: skip complete directories —
 * after checking they were made with the same options (else an error names the mismatch, rather
 * than silently mixing two experiments in one figure).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainingScheme } from '../coded-backprop/coded-multiply.ts';
import { isRunComplete, optionsRecord, resolveTrainRun, runName, type ResolvedTrainRun, type TrainRunOptions } from './run.ts';

/** The paper's Fig. 6 schemes and deadlines. */
export const FIG6_SCHEMES: readonly TrainingScheme[] = ['baseline', 'uncoded', 'rep', 'now', 'ew'];
export const FIG6_TMAX: readonly number[] = [0.25, 0.5, 1, 2];

/** What the sweep varies and what it passes through to every run. */
export interface SweepOptions {
  schemes: readonly TrainingScheme[];
  tmaxes: readonly number[];
  seeds: readonly number[];
  epochs: number;
  lambda?: number;
  evalEvery?: number;
  limit?: number;
  testLimit?: number;
  backend?: string;
  dataDir?: string;
}

export interface PlannedRun {
  name: string;
  scheme: TrainingScheme;
  tmax: number | null;
  seed: number;
  /** Resolved options (validated), as the child will resolve them from `args`. */
  resolved: ResolvedTrainRun;
  /** Flags for experiments/train.ts, without --out. */
  args: string[];
}

/**
 * The runs of the sweep, validated (RangeError naming the option on a bad value), seed by seed
 * (so an interrupted sweep has whole seeds done first), baseline first within a seed.
 */
export function planSweep(o: SweepOptions): PlannedRun[] {
  if (o.schemes.length === 0) throw new RangeError('schemes: give at least one scheme');
  if (o.seeds.length === 0) throw new RangeError('seeds: give at least one seed');
  const coded = o.schemes.filter((s) => s !== 'baseline');
  if (coded.length > 0 && o.tmaxes.length === 0) throw new RangeError('tmax: give at least one deadline');
  const runs: PlannedRun[] = [];
  for (const seed of o.seeds) {
    const cells: Array<[TrainingScheme, number | null]> = [];
    if (o.schemes.includes('baseline')) cells.push(['baseline', null]);
    for (const tmax of o.tmaxes) for (const s of coded) cells.push([s, tmax]);
    for (const [scheme, tmax] of cells) {
      const opts: TrainRunOptions = {
        scheme,
        tmax: tmax ?? undefined,
        lambda: scheme === 'baseline' ? undefined : o.lambda,
        seed,
        epochs: o.epochs,
        evalEvery: o.evalEvery,
        limit: o.limit,
        testLimit: o.testLimit,
        backend: o.backend,
        dataDir: o.dataDir,
      };
      const resolved = resolveTrainRun(opts);
      const args = ['--scheme', scheme, '--seed', String(seed), '--epochs', String(o.epochs)];
      if (tmax !== null) args.push('--tmax', tmax === Infinity ? 'inf' : String(tmax));
      if (o.lambda !== undefined && scheme !== 'baseline') args.push('--lambda', String(o.lambda));
      if (o.evalEvery !== undefined) args.push('--eval-every', String(o.evalEvery));
      if (o.limit !== undefined) args.push('--limit', String(o.limit));
      if (o.testLimit !== undefined) args.push('--test-limit', String(o.testLimit));
      if (o.backend !== undefined) args.push('--backend', o.backend);
      if (o.dataDir !== undefined) args.push('--data-dir', resolve(o.dataDir));
      runs.push({ name: runName(scheme, tmax, seed), scheme, tmax, seed, resolved, args });
    }
  }
  return runs;
}

/** Options that must agree for a finished run to count as this sweep's (not the backend). */
const MATCH_KEYS = [
  'scheme', 'tmax', 'lambda', 'epochs', 'batch', 'lr', 'seed', 'granularity', 'gamma', 'workers',
  'limit', 'testLimit', 'evalEvery', 'shuffle',
] as const;

/**
 * Differences between a finished run's stored options and the planned ones, as
 * "key: stored → planned" strings (empty when they agree).
 */
export function optionMismatches(dir: string, run: PlannedRun): string[] {
  const stored = (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { options: Record<string, unknown> }).options;
  const planned = optionsRecord(run.resolved);
  const out: string[] = [];
  for (const k of MATCH_KEYS) {
    const a = JSON.stringify(stored[k] ?? null);
    const b = JSON.stringify(planned[k] ?? null);
    if (a !== b) out.push(`${k}: ${a} → ${b}`);
  }
  return out;
}

/** Outcome of one child run. */
export interface LaunchOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Starts one run writing `dir`, its output going to `logPath`; resolves when it exits. */
export type Launcher = (run: PlannedRun, dir: string, logPath: string) => { done: Promise<LaunchOutcome>; kill: (sig: NodeJS.Signals) => void };

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The train command the default launcher runs. */
export const TRAIN_SCRIPT = join(ROOT, 'experiments', 'train.ts');

/** Runs `node --import tsx experiments/train.ts <args> --out <dir>`, output to the log file. */
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
  | { type: 'failed'; run: PlannedRun; index: number; total: number; outcome: LaunchOutcome; logPath: string; finished: number };

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
  launch?: Launcher;
  onEvent?: (e: SweepEvent) => void;
  /** Aborting stops launching new runs and sends SIGINT to the running ones. */
  signal?: AbortSignal;
}

export interface SweepOutcome {
  ran: PlannedRun[];
  skipped: PlannedRun[];
  failed: PlannedRun[];
  /** Runs not started because the sweep was aborted. */
  notStarted: PlannedRun[];
}

/**
 * Runs the planned runs that are not complete in `<out>/runs`, `jobs` at a time.
 * @throws RangeError before launching anything when a complete run was made with other options
 */
export async function runSweep(plan: readonly PlannedRun[], out: string, hooks: SweepHooks = {}): Promise<SweepOutcome> {
  const runsDir = join(out, 'runs');
  const logsDir = join(out, 'logs');
  const total = plan.length;
  const outcome: SweepOutcome = { ran: [], skipped: [], failed: [], notStarted: [] };
  const todo: Array<{ run: PlannedRun; index: number }> = [];
  const mismatched: string[] = [];
  plan.forEach((run, index) => {
    const dir = join(runsDir, run.name);
    if (isRunComplete(dir)) {
      const diff = optionMismatches(dir, run);
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
    throw new RangeError(
      `out: ${runsDir} holds finished runs made with other options: ${mismatched.join('; ')}. ` +
        'Use another --out, or delete those runs to redo them.',
    );
  }
  if (todo.length === 0) return outcome;
  mkdirSync(runsDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });
  const launch = hooks.launch ?? nodeLauncher;
  const jobs = Math.max(1, hooks.jobs ?? 1);
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
      const handle = launch(run, dir, logPath);
      running.add(handle);
      const res = await handle.done;
      running.delete(handle);
      finished++;
      if (res.code === 0 && isRunComplete(dir)) {
        outcome.ran.push(run);
        hooks.onEvent?.({ type: 'done', run, index, total, result: readStoredResult(dir), finished });
      } else {
        outcome.failed.push(run);
        hooks.onEvent?.({ type: 'failed', run, index, total, outcome: res, logPath, finished });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
  }
  outcome.notStarted = todo.slice(next).map((t) => t.run);
  return outcome;
}
