/**
 * The per-invocation records of the FaaS parallelism benchmark (danielBCN/faas-parallelism-benchmark,
 * Apache-2.0; DESIGN.md §13) and their rows in the burst CSVs under data/traces/ (bursts.ts reads
 * those). A results file `<provider>/run-experiment/results/<name>_size=<N>.json` is one burst of N
 * parallel invocations, stored as JSON objects separated by commas (not one array). Per record:
 *   - client times `pystart_ms`, `pyend_ms` (every provider): task_ms = pyend_ms − pystart_ms, what a
 *     parameter server waits for;
 *   - the function's own duration: `func_data.duration_ms` (aws, gcp, ibm) or `duration` (azure).
 * Records are validated strictly (finite numbers, end ≥ start); sizes are bounded.
 */

/** The columns of a burst CSV, in order. */
export const BURST_COLUMNS = ['burst', 'size', 'index', 'task_ms', 'duration_ms'] as const;

/** One CSV row: the burst's name, its size, the record's position in the file, its times (ms). */
export interface BurstRow {
  burst: string;
  size: number;
  index: number;
  task_ms: number;
  duration_ms: number;
}

/** Largest results file read (the benchmark's largest is under 2 MB). */
export const MAX_RESULTS_BYTES = 8 * 1024 * 1024;

/** The records of one results file's text (comma-separated objects); Error naming `file` when malformed. */
export function parseFaasResults(text: string, file: string): Record<string, unknown>[] {
  if (text.length > MAX_RESULTS_BYTES) throw new Error(`${file}: larger than ${MAX_RESULTS_BYTES} bytes`);
  const body = text.trim().replace(/,\s*$/, '');
  if (body === '') throw new Error(`${file}: no records`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.startsWith('[') ? body : `[${body}]`);
  } catch (err) {
    throw new Error(`${file}: not a sequence of JSON objects (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) throw new Error(`${file}: every record must be a JSON object`);
  return parsed as Record<string, unknown>[];
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what} must be a finite number (got ${JSON.stringify(v)})`);
  return v;
}

/** The CSV row of record `index` of burst `burst` (size `size`); Error naming the record when a field is missing or bad. */
export function faasRow(record: Record<string, unknown>, burst: string, size: number, index: number): BurstRow {
  const where = `${burst} record ${index}`;
  const start = num(record.pystart_ms, `${where}: pystart_ms`);
  const end = num(record.pyend_ms, `${where}: pyend_ms`);
  if (!(end >= start)) throw new Error(`${where}: pyend_ms ${end} is before pystart_ms ${start}`);
  const fd = record.func_data as Record<string, unknown> | undefined;
  const duration = fd && typeof fd === 'object' && 'duration_ms' in fd ? num(fd.duration_ms, `${where}: func_data.duration_ms`) : num(record.duration, `${where}: duration`);
  return { burst, size, index, task_ms: end - start, duration_ms: duration };
}

/** The rows of one burst's results text (`burst`: the file's name without .json). */
export function burstRows(text: string, burst: string): BurstRow[] {
  const records = parseFaasResults(text, burst);
  return records.map((r, i) => faasRow(r, burst, records.length, i));
}
