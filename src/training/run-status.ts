/**
 * A run's status file, `status.json`: what a running run reports about itself, small and
 * written atomically (temporary file + rename), so a reader (the report's live view) never sees
 * half a record. A local run keeps it up to date in its temporary directory
 * `<run>.partial-<pid>/status.json` (src/training/run-dir.ts; removed before the rename: a
 * finished run directory is 'done' by its config.json). Beside the run directory, the sweep keeps
 * `<run>.status.json`: 'failed' when the run failed (its log in `<sweep>/logs/<run>.log`), and,
 * for a `--queue` sweep, the record a worker sends with its heartbeat ('running', with its step),
 * written by the submitter. Fields:
 *   v            1
 *   state        'running' | 'done' | 'failed'
 *   step         iterations done so far (0 at the start)
 *   totalSteps   iterations the run will do
 *   epoch        1-based epoch of the last step (0 before the first)
 *   trainAcc     mean minibatch training accuracy over the last (up to) 50 steps; null before a step
 *   testAcc      last test accuracy measured; null before the first evaluation
 *   updatedAt    ISO time of this record
 *   message      failures: why (optional)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';

export const STATUS_FILE = 'status.json';

export type RunState = 'running' | 'done' | 'failed';

export interface RunStatus {
  v: 1;
  state: RunState;
  step: number;
  totalSteps: number;
  epoch: number;
  trainAcc: number | null;
  testAcc: number | null;
  updatedAt: string;
  message?: string;
}

/** Least time between two status records of a running run (each also flushes metrics.csv). */
export const STATUS_EVERY_MS = 500;

/** A status record at `now`; NaN accuracies (not measured yet) become null. */
export function runStatus(state: RunState, p: { step: number; totalSteps: number; epoch: number; trainAcc?: number; testAcc?: number }, message?: string): RunStatus {
  const num = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);
  return {
    v: 1,
    state,
    step: p.step,
    totalSteps: p.totalSteps,
    epoch: p.epoch,
    trainAcc: num(p.trainAcc),
    testAcc: num(p.testAcc),
    updatedAt: new Date().toISOString(),
    ...(message ? { message } : {}),
  };
}

/** Writes `<dir>/status.json` atomically. */
export async function writeRunStatus(dir: string, status: RunStatus): Promise<void> {
  await writeStatusFile(join(dir, STATUS_FILE), status);
}

/** Writes a status record to `path` atomically. */
export async function writeStatusFile(path: string, status: RunStatus): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(status)}\n`);
}

/** The sweep's status file of run directory `runDir`: `<runDir>.status.json` beside it. */
export function sweepStatusPath(runDir: string): string {
  return `${runDir}.status.json`;
}

/** The status record of a running run of `runDir`: its `<runDir>.partial-<pid>/status.json` (newest), or null. */
export function readLiveStatus(runDir: string): RunStatus | null {
  const prefix = `${basename(runDir)}.partial-`;
  let best: RunStatus | null = null;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(runDir));
  } catch {
    return null;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const s = readRunStatus(join(dirname(runDir), n));
    if (s && (!best || s.updatedAt > best.updatedAt)) best = s;
  }
  return best;
}

/**
 * Checks an untrusted value (a file, a heartbeat from the network) is a status record; returns
 * it, or null when it is not one (wrong shape, unknown state, negative or non-integer steps).
 */
export function parseRunStatus(value: unknown): RunStatus | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Record<string, unknown>;
  const count = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 1e9;
  const acc = (x: unknown) => x === null || (typeof x === 'number' && x >= 0 && x <= 1);
  if (s.v !== 1 || !['running', 'done', 'failed'].includes(s.state as string)) return null;
  if (!count(s.step) || !count(s.totalSteps) || !count(s.epoch) || !acc(s.trainAcc) || !acc(s.testAcc)) return null;
  if (typeof s.updatedAt !== 'string' || s.updatedAt.length > 40) return null;
  if (s.message !== undefined && (typeof s.message !== 'string' || s.message.length > 2000)) return null;
  return {
    v: 1,
    state: s.state as RunState,
    step: s.step as number,
    totalSteps: s.totalSteps as number,
    epoch: s.epoch as number,
    trainAcc: s.trainAcc as number | null,
    testAcc: s.testAcc as number | null,
    updatedAt: s.updatedAt,
    ...(s.message !== undefined ? { message: s.message as string } : {}),
  };
}

/** `<dir>/status.json`, or null when absent or not a status record. */
export function readRunStatus(dir: string): RunStatus | null {
  return readStatusFile(join(dir, STATUS_FILE));
}

/** The status record at `path`, or null when absent or not a status record. */
export function readStatusFile(path: string): RunStatus | null {
  try {
    return parseRunStatus(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return null;
  }
}
