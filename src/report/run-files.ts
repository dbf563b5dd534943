/**
 * Reading one run's files for the report: config.json into table fields and flattened rows,
 * metrics.csv into thinned curves. Each reader throws an Error whose message says what is wrong
 * with the file (the scanner lists the file as unreadable and goes on).
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { MAX_STEP_POINTS, type RunCurve, type RunRow } from './model.ts';

type Json = Record<string, unknown>;

/** The table fields config.json gives (absent ones null: older configs lack dataset and model). */
export type ConfigFields = Pick<RunRow, 'dataset' | 'model' | 'scheme' | 'tmax' | 'seed' | 'runtime' | 'latency' | 'finalTestAcc' | 'time' | 'classRecovered' | 'config'> & {
  /** config.json has its `result` (a finished run, src/training/run-dir.ts). */
  complete: boolean;
};

const str = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') {
    const name = (v as Json).name ?? (v as Json).id;
    return typeof name === 'string' ? name : JSON.stringify(v);
  }
  return String(v);
};
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `{a: {b: 1, c: [1, 2]}}` → [['a.b', '1'], ['a.c', '1, 2']]; arrays of objects by index. */
export function flattenConfig(value: unknown, prefix = '', out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(value) && value.some((x) => typeof x === 'object' && x !== null)) {
    value.forEach((x, i) => flattenConfig(x, `${prefix}[${i}]`, out));
  } else if (Array.isArray(value)) {
    out.push([prefix, value.map((x) => String(x)).join(', ')]);
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Json);
    if (entries.length === 0) out.push([prefix, '{}']);
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, value === null ? 'null' : String(value)]);
  }
  return out;
}

/**
 * The report's fields of a config.json text.
 * @throws Error when it is not JSON or not a run's config (no options object)
 */
export function configFields(text: string): ConfigFields {
  let c: Json;
  try {
    c = JSON.parse(text) as Json;
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (typeof c !== 'object' || c === null || typeof c.options !== 'object' || c.options === null) throw new Error('not a run config (no "options" object)');
  const o = c.options as Json;
  const coded = (c.coded ?? null) as Json | null;
  const result = (c.result ?? null) as Json | null;
  const tmax = o.tmax;
  const cls = result?.meanClassRecovered;
  return {
    dataset: str(o.dataset ?? c.dataset),
    model: str(o.model ?? c.model),
    scheme: str(o.scheme),
    tmax: o.scheme === 'baseline' ? null : typeof tmax === 'number' || typeof tmax === 'string' ? tmax : null,
    seed: num(c.seed ?? o.seed),
    runtime: str(c.runtime ?? 'sim'),
    latency: str((coded?.latency as Json | undefined)?.model),
    finalTestAcc: num(result?.finalTestAccuracy),
    time: num(result?.wallSeconds),
    classRecovered: Array.isArray(cls) && cls.every((x) => typeof x === 'number') ? (cls as number[]) : null,
    config: flattenConfig(c),
    complete: typeof result === 'object' && result !== null,
  };
}

const STEP_COLUMNS = { trainAcc: 'train_acc', workers: 'workers_received', blocks: 'blocks_recovered', withheld: 'blocks_withheld', late: 'late' } as const;

/**
 * Curves of a metrics.csv text. A running run's file may end in a row being written: only
 * whole lines count.
 * @throws Error when it has no `iteration` column or a row's iteration is not a number
 */
export function metricsCurve(text: string, partial = false): RunCurve {
  const whole = partial ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
  const parsed = Papa.parse<Record<string, unknown>>(whole, { header: true, dynamicTyping: true, skipEmptyLines: true });
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes('iteration')) throw new Error('no "iteration" column in its header');
  const bad = parsed.errors.find((e) => e.code !== 'UndetectableDelimiter');
  if (bad) throw new Error(`CSV error${bad.row !== undefined ? ` at row ${bad.row + 2}` : ''}: ${bad.message}`);
  const rows = parsed.data;
  const curve: RunCurve = { test: [], it: [], trainAcc: [], workers: [], blocks: [], withheld: [], late: [], steps: rows.length };
  rows.forEach((r, i) => {
    if (typeof r.iteration !== 'number') throw new Error(`row ${i + 2}: iteration "${String(r.iteration)}" is not a number`);
    if (typeof r.test_acc === 'number') curve.test.push([r.iteration, r.test_acc]);
  });
  const per = Math.max(1, Math.ceil(rows.length / MAX_STEP_POINTS));
  for (let s = 0; s < rows.length; s += per) {
    const bin = rows.slice(s, s + per);
    curve.it.push(bin[bin.length - 1].iteration as number);
    for (const [key, col] of Object.entries(STEP_COLUMNS) as Array<[keyof typeof STEP_COLUMNS, string]>) {
      let sum = 0;
      let n = 0;
      for (const r of bin) {
        const v = r[col];
        if (typeof v === 'number') {
          sum += v;
          n++;
        }
      }
      // 4 significant digits: a plotted mean needs no more, and the page stays small
      curve[key].push(n ? Number((sum / n).toPrecision(4)) : null);
    }
  }
  return curve;
}

/** The last `n` lines of a text file, or null when it cannot be read. */
export function tailLines(path: string, n = 20): string[] | null {
  try {
    const lines = readFileSync(path, 'utf8').replace(/\n+$/, '').split('\n');
    return lines.slice(-n);
  } catch {
    return null;
  }
}
