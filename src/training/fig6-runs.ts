/**
 * The finished runs of a sweep directory, read back from `<out>/runs/<name>/{config.json,metrics.csv}`,
 * and the summary table made from them (summary.csv: one row per run with scheme, tmax, seed,
 * final_test_acc, mean_workers_received, mean_blocks_recovered (means over the steps of the
 * per-step sums over the six products) and ms_per_step).
 */
import { existsSync, readdirSync } from 'node:fs';
import { InputFileError, readInputText } from '../util/read-input-file.ts';
import { UserError } from '../util/user-error.ts';
import { join } from 'node:path';
import type { Row } from '../plot/index.ts';
import { parseCsv, type CsvRow } from '../util/csv.ts';
import { isRunComplete } from './run-dir.ts';

/** One finished run, as read back from its directory. */
export interface RunData {
  name: string;
  scheme: string;
  /** null for the baseline. */
  tmax: number | null;
  seed: number;
  /** Options as stored in config.json. */
  options: Record<string, unknown>;
  result: {
    finalTestAccuracy: number;
    msPerStep: number;
    meanWorkersReceived: number | null;
    meanBlocksRecovered: number | null;
    iterations: number;
    backend: string;
  };
  iteration: number[];
  trainAcc: number[];
  /** Evaluation points. */
  testIteration: number[];
  testAcc: number[];
  /** Seconds of training steps (Σ step_ms) up to each evaluation point: the wall clock of the steps, evaluations excluded. */
  testSeconds: number[];
  /** 'sim', or the real runtime the coded products ran on ('threads', 'nats'). */
  runtime: string;
}

/** Display order and labels of the schemes. */
export const SCHEME_ORDER = ['baseline', 'uncoded', 'rep', 'mds', 'now', 'ew'] as const;
function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  return null;
}

/** A run directory whose files cannot be read as a run: the message names the file. */
function corrupt(path: string, why: string): UserError {
  return new UserError(`${path} ${why}; remove the run directory to train it again`);
}

/**
 * Reads one finished run directory; null when its metrics.csv has no rows (a run that wrote its
 * header only is not finished). A corrupt config.json or metrics.csv is a UserError naming it.
 */
export async function readRun(dir: string, name: string): Promise<RunData | null> {
  const cfgPath = join(dir, 'config.json');
  const csvPath = join(dir, 'metrics.csv');
  let cfg: { options: Record<string, unknown>; result: RunData['result']; runtime?: string };
  try {
    cfg = JSON.parse(readInputText(cfgPath, 16 * 2 ** 20)) as typeof cfg;
  } catch (err) {
    throw corrupt(cfgPath, err instanceof InputFileError ? `: ${err.detail}` : `is not valid JSON (${(err as Error).message})`);
  }
  if (typeof cfg !== 'object' || cfg === null || typeof cfg.options !== 'object' || cfg.options === null) throw corrupt(cfgPath, 'has no "options"');
  let rows: CsvRow[];
  try {
    rows = parseCsv(readInputText(csvPath));
  } catch (err) {
    throw corrupt(csvPath, err instanceof InputFileError ? `: ${err.detail}` : `is not a CSV (${(err as Error).message})`);
  }
  if (rows.length === 0) return null;
  if (!('iteration' in rows[0])) throw corrupt(csvPath, 'lacks the column iteration');
  const iteration: number[] = [];
  const trainAcc: number[] = [];
  const testIteration: number[] = [];
  const testAcc: number[] = [];
  const testSeconds: number[] = [];
  let stepMs = 0;
  for (const r of rows) {
    const it = r.iteration as number;
    stepMs += typeof r.step_ms === 'number' ? r.step_ms : 0;
    iteration.push(it);
    trainAcc.push(r.train_acc as number);
    if (typeof r.test_acc === 'number') {
      testIteration.push(it);
      testAcc.push(r.test_acc);
      testSeconds.push(stepMs / 1000);
    }
  }
  return {
    name,
    scheme: String(cfg.options.scheme),
    tmax: num(cfg.options.tmax),
    seed: cfg.options.seed as number,
    options: cfg.options,
    result: cfg.result,
    iteration,
    trainAcc,
    testIteration,
    testAcc,
    testSeconds,
    runtime: cfg.runtime ?? 'sim',
  };
}

/**
 * Reads the finished runs under `runsDir` (all of them, or those named), skipping temporary
 * `.partial-*` directories and unfinished ones.
 */
export async function readRuns(runsDir: string, names?: readonly string[], onWarning?: (m: string) => void): Promise<RunData[]> {
  let entries: string[];
  try {
    entries = readdirSync(runsDir);
  } catch {
    return [];
  }
  const wanted = names ? new Set(names) : null;
  const out: RunData[] = [];
  for (const name of entries.sort()) {
    if (name.includes('.partial-') || name.includes('.old-')) continue;
    if (wanted && !wanted.has(name)) continue;
    const dir = join(runsDir, name);
    if (!isRunComplete(dir)) {
      // config.json is written last and atomically: present but unreadable is corruption, not a run in progress
      if (existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'metrics.csv'))) await readRun(dir, name);
      continue;
    }
    const run = await readRun(dir, name);
    if (run) out.push(run);
    else onWarning?.(`${join(dir, 'metrics.csv')} has no rows: ${name} is counted as not finished`);
  }
  return out;
}

export function schemeRank(s: string): number {
  const i = (SCHEME_ORDER as readonly string[]).indexOf(s);
  return i < 0 ? SCHEME_ORDER.length : i;
}

/** summary.csv columns. */
export const SUMMARY_COLUMNS = [
  'scheme',
  'tmax',
  'seed',
  'final_test_acc',
  'mean_workers_received',
  'mean_blocks_recovered',
  'ms_per_step',
] as const;

export function summaryRows(runs: readonly RunData[]): Row[] {
  return [...runs]
    .sort((a, b) => schemeRank(a.scheme) - schemeRank(b.scheme) || (a.tmax ?? -1) - (b.tmax ?? -1) || a.seed - b.seed)
    .map((r) => ({
      scheme: r.scheme,
      tmax: r.tmax === null ? '' : r.tmax === Infinity ? 'inf' : r.tmax,
      seed: r.seed,
      final_test_acc: r.result.finalTestAccuracy,
      mean_workers_received: r.result.meanWorkersReceived === null ? '' : round(r.result.meanWorkersReceived, 4),
      mean_blocks_recovered: r.result.meanBlocksRecovered === null ? '' : round(r.result.meanBlocksRecovered, 4),
      ms_per_step: round(r.result.msPerStep, 3),
    }));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

