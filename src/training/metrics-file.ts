/**
 * metrics.csv of a run, streamed row by row (buffered, flushed every 100 rows and at each test
 * evaluation). Columns (one row per SGD step):
 *   iteration, epoch      1-based; iteration counts over all epochs
 *   train_acc, train_loss of the minibatch, measured BEFORE its update (as the authors log)
 *   test_acc              on the test set, every `evalEvery` iterations and at each epoch's end; empty elsewhere
 *   workers_received      sum over the step's six coded products of the workers that arrived before T_max
 *   blocks_recovered      sum over the step's six coded products of the C blocks decoded (of 6·9 = 54)
 *   blocks_withheld       sum over the six products of the blocks the received results determined
 *                         but the float32 precision check withheld (zero in Ĉ; not in blocks_recovered)
 *   late, rejected        real runtimes only: replies that came after their call's deadline, and
 *                         replies rejected as malformed, during the step (empty under sim)
 *   step_ms               wall-clock milliseconds of the step (a timing column: differs run to run)
 * workers_received, blocks_recovered and blocks_withheld are empty for the baseline (exact
 * products, no workers).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { formatCsv } from '../util/csv.ts';

export const METRICS_COLUMNS = [
  'iteration',
  'epoch',
  'train_acc',
  'train_loss',
  'test_acc',
  'workers_received',
  'blocks_recovered',
  'blocks_withheld',
  'late',
  'rejected',
  'step_ms',
] as const;

export type MetricsRow = Partial<Record<(typeof METRICS_COLUMNS)[number], string | number>>;

/** Rounds to `digits` significant digits (as text); undefined/null stay empty. */
export function sig(v: number | undefined | null, digits?: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  return digits === undefined ? String(v) : String(Number(v.toPrecision(digits)));
}

export class MetricsFile {
  private pending: string[] = [];
  private constructor(private fh: FileHandle | null) {}

  /** Creates `path` (which must not exist) with the header row. */
  static async create(path: string): Promise<MetricsFile> {
    const fh = await open(path, 'wx');
    await fh.write(formatCsv([], METRICS_COLUMNS));
    return new MetricsFile(fh);
  }

  /** Appends a row; writes through when `flushNow` or every 100 rows. */
  async add(row: MetricsRow, flushNow = false): Promise<void> {
    this.pending.push(METRICS_COLUMNS.map((c) => row[c] ?? '').join(',') + '\n');
    if (flushNow || this.pending.length >= 100) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length && this.fh) {
      const text = this.pending.join('');
      this.pending = [];
      await this.fh.write(text);
    }
  }

  /** Flushes, syncs to disk and closes. */
  async close(): Promise<void> {
    if (!this.fh) return;
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
    this.fh = null;
  }

  /** Closes without flushing (after an error). */
  async abandon(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }
}
