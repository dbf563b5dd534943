/**
 * Task times of a recorded arrival trace (src/runtime/trace.ts: CSV with the columns step,
 * product, worker, dispatched_ms, replied_ms, in_time), as single-worker times in model units,
 * for the `trace-pool:FILE` latency model and the `fit-latency` command.
 *
 * - **Task time** = replied_ms − dispatched_ms of one task (step, product, worker). A task whose
 *   reply came after its call was over has an end-of-call row with replied_ms empty and a later
 *   row with the late reply's time: the two are matched and the late time is the task's time.
 * - **Censoring.** A task with no reply at all in the trace (replied_ms empty, no late row) never
 *   arrived while the run was recording (held past its deadline, cancelled, or lost): it is kept
 *   as a time of +∞, i.e. "never arrives", which is what happened. So the empirical CDF tops out
 *   at the fraction of tasks that did reply. This is exact for deadlines up to the recorded one and
 *   pessimistic beyond it (a censored task might have replied later).
 * - **Time unit.** Milliseconds per model time unit: `unit-ms=` in the argument if given, else the
 *   trace's own time_unit_ms column, else the `--time-unit-ms` of the run's command line recorded
 *   in a config.json beside the trace (a `train` run directory), else the runtimes' default, 50 ms.
 * - **Deadlines.** A task that missed its call's deadline (late or never replied) is known to take
 *   longer than that deadline (deadline_ms, when the trace records it): the fits use that as its
 *   right-censoring time (fit.ts).
 * - **K.** The recorded task times are per-worker times T_w = T/K_rec of a run with time scaling
 *   K_rec (`coded.K` of that config.json, or `k=` in the argument, else 1). They are multiplied by
 *   K_rec, so the pool holds single-worker times T like every other latency model, and a run with
 *   time scaling K draws T/K: with the recorded K (same W) that replays the measured per-task
 *   times; with another W it applies the paper's W scaling to the measured behaviour.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { InputFileError, readInputText } from '../../util/read-input-file.ts';
import { basename, dirname, join, resolve } from 'node:path';
import { parseCsv, type CsvRow } from '../../util/csv.ts';
import { OptionError } from '../../util/option-error.ts';

/** The real runtimes' default milliseconds per model time unit (src/runtime/options.ts). */
export const DEFAULT_TRACE_TIME_UNIT_MS = 50;

/** The columns a trace must have (deadline_ms and time_unit_ms, which traces now record, are used when present). */
export const TRACE_TIME_COLUMNS = ['step', 'product', 'worker', 'dispatched_ms', 'replied_ms', 'in_time'] as const;

/** Where a conversion factor came from. */
export type TraceSource = 'argument' | 'trace' | 'config.json' | 'default';

/** How to read a trace; undefined fields come from config.json beside it, else the defaults. */
export interface TraceReadOptions {
  timeUnitMs?: number;
  K?: number;
}

/** A trace's task times. */
export interface TraceTimes {
  /** The file as given. */
  file: string;
  /** Finite single-worker times in model units, ascending: (replied − dispatched)/unit × K_rec. */
  times: Float64Array;
  /**
   * The in-time replies' times alone, ascending (what a fit observes exactly: every other task ran
   * past its call's deadline, which no in-time reply exceeds — see fit.ts).
   */
  inTime: Float64Array;
  /**
   * For each task that missed its deadline (late, or never replied): the time it is known to
   * exceed, in the same units — its call's deadline_ms (less its dispatch offset in the call) when
   * the trace records one, else the largest in-time time (no in-time reply exceeds the deadline).
   */
  censoredAt: Float64Array;
  /** Tasks with no reply (times +∞). */
  censored: number;
  /** Tasks replied after their call was over (their late time is in `times`). */
  late: number;
  timeUnitMs: number;
  timeUnitSource: TraceSource;
  K: number;
  KSource: TraceSource;
}

/** Total tasks (finite and censored). */
export function traceTaskCount(t: TraceTimes): number {
  return t.times.length + t.censored;
}

/**
 * `FILE[,unit-ms=MS][,k=K]` → the file and its options (trailing `,key=value` items only, so a
 * file name may itself contain commas).
 */
export function parseTraceArg(arg: string, key = 'latency'): { file: string; options: TraceReadOptions } {
  const parts = arg.split(',');
  const options: TraceReadOptions = {};
  while (parts.length > 1) {
    const m = /^\s*(unit-ms|k)\s*=\s*(.*)$/i.exec(parts[parts.length - 1]);
    if (!m) break;
    const v = Number(m[2]);
    if (!Number.isFinite(v) || v <= 0) throw new OptionError(key, `trace-pool: ${m[1]}= must be a number > 0 (got "${m[2]}")`);
    if (m[1].toLowerCase() === 'k') options.K = v;
    else options.timeUnitMs = v;
    parts.pop();
  }
  const file = parts.join(',').trim();
  if (file === '') throw new OptionError(key, 'trace-pool: give the trace file, as trace-pool:FILE');
  return { file, options };
}

/** The run's time unit and K recorded in a config.json beside the trace, where there is one. */
function recordedScales(file: string, fail: (d: string) => never): { timeUnitMs?: number; K?: number } {
  const path = join(dirname(file), 'config.json');
  if (!existsSync(path)) return {};
  let cfg: { argv?: unknown; coded?: { K?: unknown } | null; options?: { sites?: unknown } | null; timing?: { timeUnitMs?: unknown } };
  try {
    cfg = JSON.parse(readFileSync(path, 'utf8')) as typeof cfg;
  } catch (err) {
    return fail(`the config.json beside ${basename(file)} is not valid JSON (${(err as Error).message})`);
  }
  const out: { timeUnitMs?: number; K?: number } = {};
  const positive = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  out.timeUnitMs = positive(cfg.timing?.timeUnitMs);
  if (out.timeUnitMs === undefined && Array.isArray(cfg.argv)) {
    const argv = cfg.argv.map(String);
    for (let i = 0; i < argv.length; i++) {
      const m = /^--time-unit-ms(?:=(.*))?$/.exec(argv[i]);
      if (m) out.timeUnitMs = positive(Number(m[1] ?? argv[i + 1]));
    }
    if (out.timeUnitMs === undefined) out.timeUnitMs = DEFAULT_TRACE_TIME_UNIT_MS; // the run used the runtimes' default
  }
  out.K = positive(cfg.coded?.K);
  const sites = cfg.options?.sites;
  if (out.K !== undefined && sites && typeof sites === 'object') {
    const ks = Object.values(sites as Record<string, { K?: unknown }>).map((s) => positive(s?.K));
    if (ks.some((k) => k !== out.K)) fail(`the run beside ${basename(file)} used a different K on some products (sites); give it as trace-pool:FILE,k=K`);
  }
  return out;
}

function cell(row: CsvRow, col: string): number | null {
  const v = row[col];
  if (v === null || v === undefined || v === '') return null;
  return typeof v === 'number' ? v : Number(v);
}

/**
 * Reads a trace's task times (see the module comment for censoring, time unit and K).
 * @param key the option named in errors ('latency' for --latency trace-pool:FILE)
 * @throws OptionError naming `key` when the file is missing, unreadable or malformed
 */
export function readTraceTimes(file: string, given: TraceReadOptions = {}, key = 'latency'): TraceTimes {
  const fail = (d: string): never => {
    throw new OptionError(key, `trace-pool: ${d}`);
  };
  let text: string;
  try {
    text = readInputText(file);
  } catch (err) {
    if (err instanceof InputFileError) return fail(err.detail.startsWith('no file') ? `no trace file ${file}` : err.detail);
    throw err;
  }
  let rows: CsvRow[];
  try {
    rows = parseCsv(text);
  } catch (err) {
    return fail(`${file} is not a CSV trace (${(err as Error).message})`);
  }
  if (rows.length === 0) fail(`${file} has no rows (expected a trace with the columns ${TRACE_TIME_COLUMNS.join(', ')})`);
  const missing = TRACE_TIME_COLUMNS.filter((c) => !(c in rows[0]));
  if (missing.length) fail(`${file} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (a trace has ${TRACE_TIME_COLUMNS.join(', ')})`);

  // time unit: the argument, else the trace's own time_unit_ms column (traces record it), else config.json, else the default
  let traceUnit: number | undefined;
  if ('time_unit_ms' in rows[0]) {
    rows.forEach((row, i) => {
      const u = cell(row, 'time_unit_ms');
      if (u === null) return;
      if (!(u > 0)) fail(`${file} row ${i + 2}: time_unit_ms must be > 0 (got ${JSON.stringify(row.time_unit_ms)})`);
      if (traceUnit !== undefined && u !== traceUnit) fail(`${file} mixes time units (${traceUnit} and ${u} ms); give one as trace-pool:FILE,unit-ms=MS`);
      traceUnit = u;
    });
  }
  const recorded = given.K !== undefined && (given.timeUnitMs !== undefined || traceUnit !== undefined) ? {} : recordedScales(file, fail);
  const [timeUnitMs, timeUnitSource]: [number, TraceSource] =
    given.timeUnitMs !== undefined
      ? [given.timeUnitMs, 'argument']
      : traceUnit !== undefined
        ? [traceUnit, 'trace']
        : recorded.timeUnitMs !== undefined
          ? [recorded.timeUnitMs, 'config.json']
          : [DEFAULT_TRACE_TIME_UNIT_MS, 'default'];
  const [K, KSource]: [number, TraceSource] = given.K !== undefined ? [given.K, 'argument'] : recorded.K !== undefined ? [recorded.K, 'config.json'] : [1, 'default'];

  // Per task key: end-of-call rows without a reply wait for a late row of the same key; each
  // keeps its dispatch time and its call's deadline (ms after the call's start; NaN: unknown).
  const hasDeadline = 'deadline_ms' in rows[0];
  const waiting = new Map<string, { dispatched: number; deadline: number; call: string }[]>();
  const late: { key: string; dispatched: number; replied: number }[] = [];
  const callStart = new Map<string, number>();
  const ms: number[] = [];
  let lateCount = 0;
  rows.forEach((row, i) => {
    const where = `${file} row ${i + 2}`;
    const step = cell(row, 'step');
    const product = cell(row, 'product');
    const worker = cell(row, 'worker');
    const dispatched = cell(row, 'dispatched_ms');
    const replied = cell(row, 'replied_ms');
    const inTime = cell(row, 'in_time');
    for (const [name, v] of [['step', step], ['product', product], ['worker', worker], ['in_time', inTime]] as const) {
      if (v === null || !Number.isFinite(v)) fail(`${where}: ${name} must be a number (got ${JSON.stringify(row[name])})`);
    }
    if (dispatched !== null && !Number.isFinite(dispatched)) fail(`${where}: dispatched_ms must be a number (got ${JSON.stringify(row.dispatched_ms)})`);
    if (replied !== null && !Number.isFinite(replied)) fail(`${where}: replied_ms must be a number or empty (got ${JSON.stringify(row.replied_ms)})`);
    const call = `${step}/${product}`;
    const k = `${call}/${worker}`;
    if (dispatched !== null && !(dispatched >= (callStart.get(call) ?? Infinity))) callStart.set(call, dispatched);
    if (replied === null) {
      const raw = hasDeadline ? row.deadline_ms : null;
      const deadline = raw === 'inf' ? Infinity : (cell(row, 'deadline_ms') ?? NaN);
      const list = waiting.get(k) ?? [];
      list.push({ dispatched: dispatched ?? NaN, deadline, call });
      waiting.set(k, list);
      return;
    }
    if (dispatched === null) fail(`${where}: a reply without dispatched_ms`);
    if (replied < dispatched!) fail(`${where}: replied_ms ${replied} is before dispatched_ms ${dispatched}`);
    if (inTime === 0) late.push({ key: k, dispatched: dispatched!, replied });
    else ms.push(replied - dispatched!);
  });
  const inTimeCount = ms.length;
  // Censoring times (ms) of the tasks that missed their deadline: the deadline less the task's
  // dispatch offset in its call; NaN when the trace has no finite deadline for it.
  const censorMs: number[] = [];
  const censorOf = (w: { dispatched: number; deadline: number; call: string }) =>
    Number.isFinite(w.deadline) ? Math.max(0, w.deadline - (Number.isFinite(w.dispatched) ? w.dispatched - (callStart.get(w.call) ?? w.dispatched) : 0)) : NaN;
  for (const l of late) {
    // The end-of-call row has the task's own dispatch time; the late row only the call's start.
    const w = waiting.get(l.key)?.shift();
    const d = w?.dispatched ?? NaN;
    ms.push(l.replied - (Number.isFinite(d) && d <= l.replied ? d : l.dispatched));
    censorMs.push(w ? censorOf(w) : NaN);
    lateCount++;
  }
  let censored = 0;
  for (const list of waiting.values()) {
    censored += list.length;
    for (const w of list) censorMs.push(censorOf(w));
  }
  if (ms.length === 0) fail(`no task in ${file} has a reply (${censored} tasks, all censored): nothing to pool or fit`);
  const toModel = (x: number) => (x / timeUnitMs) * K;
  const times = Float64Array.from(ms, toModel).sort();
  const inTime = Float64Array.from(ms.slice(0, inTimeCount), toModel).sort();
  // without a recorded deadline, a task that missed it is known to exceed every in-time time
  const fallback = inTime.length ? inTime[inTime.length - 1] : 0;
  const censoredAt = Float64Array.from(censorMs, (c) => (Number.isFinite(c) ? toModel(c) : fallback));
  return { file, times, inTime, censoredAt, censored, late: lateCount, timeUnitMs, timeUnitSource, K, KSource };
}

const cache = new Map<string, { mtimeMs: number; size: number; data: TraceTimes }>();

/** {@link readTraceTimes}, read once per file, options and file version. */
export function readTraceTimesCached(file: string, given: TraceReadOptions = {}, key = 'latency'): TraceTimes {
  let st;
  try {
    st = statSync(file);
  } catch {
    return readTraceTimes(file, given, key); // reports the missing file
  }
  const cfg = join(dirname(file), 'config.json');
  const cfgStamp = existsSync(cfg) ? statSync(cfg).mtimeMs : 0;
  const id = `${resolve(file)}|${given.timeUnitMs ?? ''}|${given.K ?? ''}|${cfgStamp}`;
  const hit = cache.get(id);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.data;
  const data = readTraceTimes(file, given, key);
  if (cache.size > 32) cache.clear();
  cache.set(id, { mtimeMs: st.mtimeMs, size: st.size, data });
  return data;
}

/** Number of sorted `xs` ≤ t (binary search). */
export function countAtMost(xs: Float64Array, t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
