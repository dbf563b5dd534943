/**
 * metrics.csv of a run: created with its header row when the run starts; a step only stores its
 * row's values, which are formatted and written in the background every
 * {@link MetricsFile.ROWS_PER_WRITE} rows (no step waits for the disk), and the last ones by
 * {@link MetricsFile.close} with one fsync. The file lives in the run's temporary directory
 * (src/training/run-dir.ts) until the run is complete. Columns (one row per SGD step):
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

export type MetricsColumn = (typeof METRICS_COLUMNS)[number];

/** One step's values (absent: empty cell); the columns of METRICS_DIGITS are rounded when written. */
export type MetricsRow = Partial<Record<MetricsColumn, string | number>>;

/** Significant digits of the rounded columns (the others are written as String(v)). */
export const METRICS_DIGITS: Partial<Record<MetricsColumn, number>> = { train_acc: 8, train_loss: 7, step_ms: 4 };

/** Rounds to `digits` significant digits (as text); undefined/null stay empty. */
export function sig(v: number | undefined | null, digits?: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  return digits === undefined ? String(v) : String(Number(v.toPrecision(digits)));
}

/** A row as a line of metrics.csv (with its newline). */
export function formatMetricsRow(row: MetricsRow): string {
  return (
    METRICS_COLUMNS.map((c) => {
      const v = row[c];
      const digits = METRICS_DIGITS[c];
      return typeof v === 'number' && digits !== undefined ? sig(v, digits) : (v ?? '');
    }).join(',') + '\n'
  );
}

export class MetricsFile {
  /** Rows kept in memory before a background write (≈ 1 s of steps: a running run's file shows its progress). */
  static readonly ROWS_PER_WRITE = 256;
  /** Rows not written yet, as given (formatted when written: a step only stores its numbers). */
  private pending: MetricsRow[] = [];
  /** The writes started so far, in order; a failed one is rethrown by close(). */
  private writing: Promise<void> = Promise.resolve();
  private constructor(private fh: FileHandle | null) {}

  /** Creates `path` (which must not exist) with the header row. */
  static async create(path: string): Promise<MetricsFile> {
    const fh = await open(path, 'wx');
    await fh.write(formatCsv([], METRICS_COLUMNS));
    return new MetricsFile(fh);
  }

  /** Appends a row (in memory; a background write every ROWS_PER_WRITE rows). */
  add(row: MetricsRow): void {
    this.pending.push(row);
    if (this.pending.length >= MetricsFile.ROWS_PER_WRITE) this.startWrite();
  }

  /** Starts writing the rows in memory now (a live view's reader sees them; no fsync). */
  flush(): void {
    this.startWrite();
  }

  private startWrite(): void {
    const fh = this.fh;
    if (!this.pending.length || !fh) return;
    let text = '';
    for (const row of this.pending) text += formatMetricsRow(row);
    this.pending = [];
    this.writing = this.writing.then(async () => {
      await fh.write(text);
    });
    this.writing.catch(() => undefined); // seen by close(); not an unhandled rejection meanwhile
  }

  /** Writes the rows still in memory, syncs to disk and closes. */
  async close(): Promise<void> {
    if (!this.fh) return;
    this.startWrite();
    await this.writing;
    await this.fh.sync();
    await this.fh.close();
    this.fh = null;
  }

  /** Closes without writing the rows in memory (after an error). */
  async abandon(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.pending = [];
    await this.writing.catch(() => undefined);
    await fh?.close().catch(() => undefined);
  }
}
