/**
 * `bursts:FILE`: a burst pool of measured cloud-function times (data/traces/*.csv, written by
 * scripts/convert-faas-traces.ts from the FaaS parallelism benchmark; faas-records.ts). A file
 * holds several bursts of N parallel invocations (columns burst, size, index, task_ms,
 * duration_ms); the times used are task_ms, the client-observed time.
 *
 * Each call (per product site, from its own seeded stream: site-state.ts) draws one burst,
 * uniformly among the file's bursts, then W of its invocations: without replacement when the burst
 * has at least W, else with replacement. So a call keeps a burst's joint behaviour (its cold
 * starts, its shared slowdowns), which pooling all invocations i.i.d. would lose.
 *
 * Scaling: every time is multiplied by (ln 2/λ)/median, the median over all the file's
 * invocations, so the trace's median maps to the median of Exp(λ), ln 2/λ, and with time scaling K
 * (like every model) to ln 2/(λK): T_max keeps its meaning. No shift is subtracted.
 * cdf() is the marginal of one worker: the mean over bursts of each burst's empirical CDF.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseCsv, type CsvRow } from '../../util/csv.ts';
import { OptionError } from '../../util/option-error.ts';
import { checkPositive } from './checks.ts';
import type { LatencyModel, LatencyModelDef, LatencyParams } from './model.ts';
import { DEFAULT_LATENCY_SEED, SiteStates } from './site-state.ts';
import type { TraceTimes } from './trace.ts';

/** Largest burst file read. */
const MAX_BYTES = 16 * 1024 * 1024;

/** A burst file's invocation times (ms), grouped by burst in file order. */
export interface BurstFile {
  file: string;
  /** Burst names in file order. */
  names: string[];
  /** task_ms of each burst's invocations, in file order. */
  bursts: Float64Array[];
  /** Median of all invocations' task_ms. */
  medianMs: number;
}

/**
 * Reads and validates a burst CSV.
 * @throws OptionError naming `key` and the file when it is missing, empty or malformed
 */
export function readBurstFile(file: string, key = 'latency'): BurstFile {
  const fail = (d: string): never => {
    throw new OptionError(key, `bursts: ${d} (a burst CSV has the columns burst, task_ms, as data/traces/*.csv)`);
  };
  let text = '';
  try {
    if (statSync(file).size > MAX_BYTES) fail(`${file} is larger than ${MAX_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof OptionError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? `no trace file ${file}` : `cannot read ${file} (${code ?? (err as Error).message})`);
  }
  let rows: CsvRow[] = [];
  try {
    rows = parseCsv(text);
  } catch (err) {
    fail(`${file} is not a CSV (${(err as Error).message})`);
  }
  if (rows.length === 0) fail(`${file} has no invocations`);
  for (const col of ['burst', 'task_ms']) if (!(col in rows[0])) fail(`${file} lacks the column ${col}`);
  const groups = new Map<string, number[]>();
  const all: number[] = [];
  rows.forEach((row, i) => {
    const name = row.burst;
    const t = row.task_ms;
    if (name === null || name === '') fail(`${file} row ${i + 2}: burst is empty`);
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) fail(`${file} row ${i + 2}: task_ms must be a number > 0 (got ${JSON.stringify(t)})`);
    const key2 = String(name);
    if (!groups.has(key2)) groups.set(key2, []);
    groups.get(key2)!.push(t as number);
    all.push(t as number);
  });
  all.sort((a, b) => a - b);
  const n = all.length;
  const medianMs = n % 2 ? all[(n - 1) / 2] : (all[n / 2 - 1] + all[n / 2]) / 2;
  return { file, names: [...groups.keys()], bursts: [...groups.values()].map((g) => Float64Array.from(g)), medianMs };
}

const cache = new Map<string, { mtimeMs: number; size: number; data: BurstFile }>();

/** readBurstFile, cached by path, modification time and size. */
export function readBurstFileCached(file: string, key = 'latency'): BurstFile {
  let st;
  try {
    st = statSync(file);
  } catch {
    return readBurstFile(file, key);
  }
  const id = resolve(file);
  const hit = cache.get(id);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.data;
  const data = readBurstFile(file, key);
  if (cache.size > 32) cache.clear();
  cache.set(id, { mtimeMs: st.mtimeMs, size: st.size, data });
  return data;
}

/** Whether `file` looks like a burst CSV (its header has burst and task_ms), for commands that read either kind. */
export function isBurstFile(file: string): boolean {
  try {
    // the header only, of a regular file: reading all of /dev/zero (or a FIFO) never ends
    if (!statSync(file).isFile()) return false;
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(200);
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
    const head = buf.toString('utf8', 0, n).split('\n')[0].split(',').map((c) => c.trim());
    return head.includes('burst') && head.includes('task_ms');
  } catch {
    return false;
  }
}

/**
 * A burst file as the fits see a trace (trace.ts's TraceTimes): every invocation's task_ms in
 * seconds (time unit 1000 ms, K 1), all observed exactly (the benchmark waited for every reply).
 */
export function burstTraceTimes(file: string, key = 'trace'): TraceTimes {
  const data = readBurstFile(file, key);
  const times = Float64Array.from(data.bursts.flatMap((b) => [...b]), (x) => x / 1000).sort();
  return { file, times, inTime: times, censoredAt: new Float64Array(0), censored: 0, late: 0, timeUnitMs: 1000, timeUnitSource: 'argument', K: 1, KSource: 'default' };
}

/** The scale that maps the file's median to ln 2/λ. */
export function burstScale(data: BurstFile, lambda: number): number {
  return Math.LN2 / lambda / data.medianMs;
}

/** The burst-pool model of `data` with rate λ. */
export function burstPool(data: BurstFile, p: LatencyParams): LatencyModel {
  const scale = burstScale(data, p.lambda);
  const bursts = data.bursts.map((b) => Float64Array.from(b, (x) => x * scale));
  const sorted = bursts.map((b) => Float64Array.from(b).sort());
  const seed = p.seed ?? DEFAULT_LATENCY_SEED;
  const sites = new SiteStates(seed, () => ({ drawn: [] as number[] }));
  const count = (xs: Float64Array, t: number) => {
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    name: `bursts(${basename(data.file)}: ${bursts.length} bursts of ${bursts.map((b) => b.length).join('/')} invocations; median ${data.medianMs.toFixed(0)} ms ↦ ln2/λ)`,
    sample: (rng) => {
      const b = bursts[rng.int(bursts.length)];
      return b[rng.int(b.length)];
    },
    cdf: (t) => sorted.reduce((s, b) => s + count(b, t) / b.length, 0) / sorted.length,
    callTimes(site, workers) {
      const { rng, state } = sites.at(site);
      const bi = rng.int(bursts.length);
      state.drawn.push(bi);
      const b = bursts[bi];
      const out = new Float64Array(workers);
      if (b.length >= workers) {
        // partial Fisher–Yates: W distinct invocations
        const idx = Array.from(b.keys());
        for (let w = 0; w < workers; w++) {
          const j = w + rng.int(idx.length - w);
          [idx[w], idx[j]] = [idx[j], idx[w]];
          out[w] = b[idx[w]];
        }
      } else {
        for (let w = 0; w < workers; w++) out[w] = b[rng.int(b.length)];
      }
      return out;
    },
    stateRecord: () => ({
      seed,
      file: data.file,
      bursts: data.names,
      medianMs: data.medianMs,
      scale: `times × (ln 2/λ)/median = × ${scale}`,
      draws: 'one burst per call, uniformly; W invocations without replacement when the burst has ≥ W, else with replacement',
    }),
  };
}

function load(arg: string | undefined): BurstFile {
  const file = (arg ?? '').trim();
  if (file === '') throw new OptionError('latency', 'bursts: give the burst CSV, as bursts:FILE (e.g. bursts:data/traces/aws.csv)');
  return readBurstFileCached(file);
}

export const burstsModel = {
  name: 'bursts',
  params: ['lambda'],
  stateful: true,
  describe: 'burst pool of measured cloud-function times (data/traces/*.csv): each call draws one burst, then W of its invocations; median ↦ ln2/λ',
  arg: { placeholder: 'FILE', validate: (arg: string) => void load(arg), file: (arg: string) => arg.trim() },
  check: (p, arg?) => {
    checkPositive('lambda', p.lambda);
    load(arg);
  },
  create: (p, arg?) => burstPool(load(arg), p),
} as const satisfies LatencyModelDef<'bursts'>;
