/**
 * The arrival trace of a real run: one row per task (and one more per late reply), in memory
 * until the run ends, then written atomically as CSV with the columns
 *   step, product, worker, dispatched_ms, replied_ms, in_time, deadline_ms, time_unit_ms
 * (times in ms since the runtime started; replied_ms empty when no reply came by the call's end;
 * a late reply adds a row with its time, in_time = 0 and no deadline; deadline_ms is the call's
 * deadline after its start; time_unit_ms the run's ms per model time unit).
 */
import { writeCsv } from '../util/csv.ts';
import type { RealTiming } from './coded-call.ts';
import type { Runtime, TraceRow } from './runtime.ts';

export const TRACE_COLUMNS = ['step', 'product', 'worker', 'dispatched_ms', 'replied_ms', 'in_time', 'deadline_ms', 'time_unit_ms'] as const;

/**
 * Milliseconds per model time unit of a real run: the injected-delay unit under straggle
 * 'model'; under 'none' the deadline is taken as T_max (deadline_ms / T_max, or the deadline
 * itself when T_max is infinite), so a replay with the run's T_max keeps its deadline.
 */
export function traceTimeUnit(timing: RealTiming, tmax: number): number {
  if (timing.straggle === 'model') return timing.timeUnitMs;
  return Number.isFinite(tmax) ? timing.deadlineMs / tmax : timing.deadlineMs;
}

/**
 * Collects `runtime`'s trace rows; `write(path)` writes them (atomically), each with the run's
 * time unit (ms per model time unit, {@link traceTimeUnit}) so that a replay
 * (`--latency trace:FILE`, coded-backprop/trace-replay.ts) can convert them.
 */
export function recordTrace(runtime: Runtime, timeUnitMs: number): { rows: TraceRow[]; write(path: string): Promise<void> } {
  const rows: TraceRow[] = [];
  runtime.onTrace((r) => rows.push(r));
  return {
    rows,
    write: (path) =>
      writeCsv(
        path,
        rows.map((r) => ({
          step: r.step,
          product: r.product,
          worker: r.worker,
          dispatched_ms: Number.isFinite(r.dispatchedMs) ? Number(r.dispatchedMs.toFixed(3)) : null,
          replied_ms: r.repliedMs === null ? null : Number(r.repliedMs.toFixed(3)),
          in_time: r.inTime ? 1 : 0,
          deadline_ms: r.deadlineMs === null ? null : Number.isFinite(r.deadlineMs) ? r.deadlineMs : 'inf',
          time_unit_ms: timeUnitMs,
        })),
        TRACE_COLUMNS,
      ),
  };
}
