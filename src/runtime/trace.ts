/**
 * The arrival trace of a real run: one row per task (and one more per late reply), in memory
 * until the run ends, then written atomically as CSV with the columns
 *   step, product, worker, dispatched_ms, replied_ms, in_time
 * (times in ms since the runtime started; replied_ms empty when no reply came by the call's end;
 * a late reply adds a row with its time and in_time = 0).
 */
import { writeCsv } from '../util/csv.ts';
import type { Runtime, TraceRow } from './runtime.ts';

export const TRACE_COLUMNS = ['step', 'product', 'worker', 'dispatched_ms', 'replied_ms', 'in_time'] as const;

/** Collects `runtime`'s trace rows; `write(path)` writes them (atomically). */
export function recordTrace(runtime: Runtime): { rows: TraceRow[]; write(path: string): Promise<void> } {
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
        })),
        TRACE_COLUMNS,
      ),
  };
}
