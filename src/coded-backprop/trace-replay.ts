/**
 * Replay of a recorded arrival trace (`--latency trace:FILE`): the worker times of every coded
 * call are the ones a real run measured, so `sim` reproduces exactly the received sets of that
 * run and a measured cluster can be studied offline.
 *
 * The trace (src/runtime/trace.ts) has one row per task — step, product, worker, dispatched_ms,
 * replied_ms, in_time, deadline_ms, time_unit_ms — plus a row per late reply. Call (step,
 * product)'s worker w gets, in model time units (ms / time_unit_ms, no K rescaling: the recorded
 * times are the times):
 *   - in time (in_time = 1): (replied_ms − dispatched_ms) / time_unit_ms, capped just below the
 *     call's deadline_ms / time_unit_ms (the server judged it in time on its own clock; the cap
 *     keeps that decision against the trace's rounding to 1 µs);
 *   - late or never replied: +∞ (it did not arrive within its call; a late reply is not an arrival).
 * So with the recorded T_max the received set of every call is the recorded one, in the recorded
 * arrival order. The code's coefficients still come from the seed (the replay replaces only the
 * times, after the model's own draws, so the seed's streams stay aligned with the recorded run's).
 */
import { InputFileError, readInputText } from '../util/read-input-file.ts';
import { parseCsv } from '../util/csv.ts';
import { OptionError } from '../util/option-error.ts';

/** One call of the trace: the in-time reply times (ms) and the time unit. */
interface TraceCall {
  /** Reply time in ms since dispatch of each worker that replied in time; NaN otherwise. */
  inTimeMs: Float64Array;
  /** The call's deadline in ms (Infinity: none). */
  deadlineMs: number;
}

/** `--latency trace:FILE`. */
export const TRACE_REPLAY_PREFIX = 'trace:';

/** The FILE of a `--latency trace:FILE` value, else null. */
export function traceReplayPath(latency: string | undefined): string | null {
  return latency !== undefined && latency.startsWith(TRACE_REPLAY_PREFIX) ? latency.slice(TRACE_REPLAY_PREFIX.length) : null;
}

/** What is wrong with a `trace:FILE` value (unreadable or malformed trace), else undefined. */
export function traceReplayProblem(latency: string): string | undefined {
  const path = traceReplayPath(latency);
  if (path === null) return `not a trace replay (trace:FILE)`;
  try {
    TraceReplay.load(path);
    return undefined;
  } catch (err) {
    if (err instanceof OptionError) return err.detail;
    throw err;
  }
}

export class TraceReplay {
  private constructor(
    readonly path: string,
    /** Milliseconds per model time unit. */
    readonly timeUnitMs: number,
    /** Workers per call. */
    readonly workers: number,
    private readonly calls: Map<string, TraceCall>,
    readonly steps: number,
  ) {}

  /**
   * Empirical CDF of the replayed times over every call (never-arrived tasks count as +∞): what a
   * formula can use beside the replay, since the replay itself is not i.i.d.
   */
  cdf(t: number): number {
    let n = 0;
    let below = 0;
    for (const call of this.calls.values()) {
      const cap = (call.deadlineMs * (1 - 1e-9)) / this.timeUnitMs;
      for (const ms of call.inTimeMs) {
        n++;
        if (!Number.isNaN(ms) && Math.min(ms / this.timeUnitMs, cap) <= t) below++;
      }
    }
    return n ? below / n : 0;
  }

  /** Number of calls recorded. */
  get callCount(): number {
    return this.calls.size;
  }

  /**
   * Parses a trace CSV (text). Throws OptionError (key 'latency') naming the file and what is
   * wrong: missing columns, no rows, mixed time units, a call without all of its workers.
   */
  static parse(text: string, path: string): TraceReplay {
    const bad = (msg: string) => new OptionError('latency', `trace ${path}: ${msg}`);
    let rows;
    try {
      rows = parseCsv(text.trim());
    } catch (err) {
      throw bad(`not a CSV trace (${(err as Error).message})`);
    }
    const need = ['step', 'product', 'worker', 'dispatched_ms', 'replied_ms', 'in_time', 'deadline_ms', 'time_unit_ms'];
    if (rows.length === 0) throw bad('no rows');
    const missing = need.filter((c) => !(c in rows[0]));
    if (missing.length) throw bad(`missing column(s) ${missing.join(', ')} (a trace written by --trace has ${need.join(',')})`);
    let unit = NaN;
    let workers = 0;
    let steps = 0;
    const raw = new Map<string, Map<number, number>>();
    const deadlines = new Map<string, number>();
    rows.forEach((row, i) => {
      const num = (c: string) => (typeof row[c] === 'number' ? (row[c] as number) : NaN);
      const step = num('step');
      const product = num('product');
      const worker = num('worker');
      if (![step, product, worker].every((v) => Number.isInteger(v) && v >= 0)) throw bad(`row ${i + 2}: step, product and worker must be integers ≥ 0`);
      const u = num('time_unit_ms');
      if (!(u > 0)) throw bad(`row ${i + 2}: time_unit_ms must be > 0 (got ${row.time_unit_ms})`);
      if (Number.isNaN(unit)) unit = u;
      else if (u !== unit) throw bad(`mixed time units (${unit} and ${u} ms)`);
      workers = Math.max(workers, worker + 1);
      steps = Math.max(steps, step + 1);
      const key = `${step}/${product}`;
      let call = raw.get(key);
      if (!call) raw.set(key, (call = new Map()));
      if (!call.has(worker)) call.set(worker, NaN);
      if (row.deadline_ms !== null && row.deadline_ms !== undefined) {
        const d = row.deadline_ms === 'inf' ? Infinity : num('deadline_ms');
        if (!(d > 0)) throw bad(`row ${i + 2}: deadline_ms must be > 0 or inf (got ${row.deadline_ms})`);
        deadlines.set(key, d);
      }
      if (row.in_time === 1) {
        const replied = num('replied_ms');
        const dispatched = num('dispatched_ms');
        if (!Number.isFinite(replied) || !Number.isFinite(dispatched)) throw bad(`row ${i + 2}: an in-time reply needs numeric replied_ms and dispatched_ms (got ${JSON.stringify(row.replied_ms)}, ${JSON.stringify(row.dispatched_ms)})`);
        const t = replied - dispatched;
        if (!(t >= 0)) throw bad(`row ${i + 2}: an in-time reply needs replied_ms ≥ dispatched_ms`);
        call.set(worker, t);
      }
    });
    const calls = new Map<string, TraceCall>();
    for (const [key, call] of raw) {
      if (call.size !== workers) throw bad(`call step/product ${key} has ${call.size} of the trace's ${workers} workers`);
      const inTimeMs = new Float64Array(workers).fill(NaN);
      for (const [w, t] of call) inTimeMs[w] = t;
      const deadlineMs = deadlines.get(key);
      if (deadlineMs === undefined) throw bad(`call step/product ${key} has no deadline_ms`);
      calls.set(key, { inTimeMs, deadlineMs });
    }
    return new TraceReplay(path, unit, workers, calls, steps);
  }

  /** Reads and parses a trace file; OptionError (key 'latency') naming it when unreadable. */
  static load(path: string): TraceReplay {
    let text: string;
    try {
      text = readInputText(path);
    } catch (err) {
      if (err instanceof InputFileError) throw new OptionError('latency', `cannot read trace ${path}: ${err.detail.startsWith('no file') ? 'ENOENT' : err.detail}`);
      throw err;
    }
    return TraceReplay.parse(text, path);
  }

  /** Checks the trace fits a code with `workers` workers; OptionError naming `workers` otherwise. */
  checkWorkers(workers: number): void {
    if (workers !== this.workers) {
      throw new OptionError('workers', `the trace ${this.path} was recorded with W = ${this.workers} workers; replay needs the same W (got ${workers})`);
    }
  }

  /**
   * Worker times (model units) of call (step, product). Throws RangeError when the trace has no
   * such call (the replayed run is longer than the recorded one).
   */
  times(step: number, product: number): Float64Array {
    const call = this.calls.get(`${step}/${product}`);
    if (!call) throw new RangeError(`trace ${this.path} has no call step ${step}, product ${product} (it recorded ${this.steps} step(s)): the replayed run is longer than the recorded one`);
    const below = (call.deadlineMs * (1 - 1e-9)) / this.timeUnitMs;
    return call.inTimeMs.map((ms) => (Number.isNaN(ms) ? Infinity : Math.min(ms / this.timeUnitMs, below)));
  }
}
