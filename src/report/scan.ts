/**
 * Finds what the report shows under the given folders (only reads them):
 *   - a figure folder: any folder holding `*.vl.json` specs (written beside every chart's PNG by
 *     src/plot/render.ts), CSVs, JSON sidecars or PNG/SVG images — found by these files alone, so
 *     a new figure command's folder appears without a change here;
 *   - a run: a folder holding config.json or metrics.csv ('done' when config.json has its result);
 *     a running one: `<run>.partial-<pid>/` with status.json (src/training/run-status.ts);
 *     a failed one (or a queued run's heartbeat): `<run>.status.json`; a queued one: named in
 *     its sweep's sweep.json with none of these. A run's folder (sweep) is the parent of its
 *     `runs/` folder, else its parent.
 * Files that cannot be read are listed with why; the rest is still shown.
 */
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { readStatusFile, STATUS_FILE, type RunStatus } from '../training/run-status.ts';
import type { FigureFile, FigureFolder, ReportModel, RunRow, Unreadable } from './model.ts';
import { configFields, metricsCurve, tailLines, type ConfigFields } from './run-files.ts';

/** Thrown for a folder that cannot be scanned or holds no results (the message says which). */
export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

export interface ScanOptions {
  /** Link to a file (absolute path) as the page will use it. */
  href: (absPath: string) => string;
  /** Parsed files by path, reused while their size and mtime are unchanged (a live server keeps one). */
  cache?: Map<string, { key: string; value: unknown }>;
  /** Paths are shown relative to this folder (default: the working directory). */
  base?: string;
  /** Folder depth searched below each root (default 8). */
  maxDepth?: number;
}

const SPEC_SUFFIX = '.vl.json';
const PARTIAL = /^(.+)\.partial-(\d+)$/;
const SWEEP_STATUS = /^(.+)\.status\.json$/;
/** JSON files of a sweep's own bookkeeping, not figure sidecars. */
const NOT_SIDECARS = new Set(['sweep.json', 'queue.json']);
const RUN_NAME = /^(?:(baseline)|([a-z0-9]+)-tmax([0-9.e+-]+|inf))-seed(\d+)$/;

/** A running run's temporary directory and its status record. */
type PartialDir = { dir: string; status: RunStatus | null };

/** Scans `roots`; throws ReportInputError when a root is missing or not a folder. */
export function scanResults(roots: readonly string[], o: ScanOptions): ReportModel {
  const base = o.base ?? process.cwd();
  const show = (p: string) => relative(base, p) || '.';
  const unreadable: Unreadable[] = [];
  const figures: FigureFolder[] = [];
  const runDirs: string[] = [];
  const partials = new Map<string, PartialDir>(); // by final run dir
  const sweepStatuses = new Map<string, string>(); // run dir → its .status.json
  const plans = new Map<string, string[]>(); // sweep dir → planned names

  const cached = <T>(path: string, st: Stats, read: () => T): T => {
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = o.cache?.get(path);
    if (hit && hit.key === key) return hit.value as T;
    const value = read();
    o.cache?.set(path, { key, value });
    return value;
  };

  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      unreadable.push({ path: show(dir), reason: (err as Error).message });
      return;
    }
    if (names.includes('config.json') || names.includes('metrics.csv')) {
      runDirs.push(dir);
      return;
    }
    const files: FigureFile[] = [];
    const charts: FigureFolder['charts'] = [];
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      let st: Stats;
      try {
        st = statSync(p);
      } catch {
        continue; // removed meanwhile (a run renamed into place)
      }
      if (st.isDirectory()) {
        const m = PARTIAL.exec(name);
        if (m) {
          partials.set(join(dir, m[1]), { dir: p, status: readStatusFile(join(p, STATUS_FILE)) });
        } else if (!/\.old-\d+$/.test(name) && depth < (o.maxDepth ?? 8)) {
          walk(p, depth + 1);
        }
        continue;
      }
      const sm = SWEEP_STATUS.exec(name);
      if (sm) {
        sweepStatuses.set(join(dir, sm[1]), p);
        continue;
      }
      if (name === 'sweep.json') {
        try {
          const runs = (JSON.parse(readFileSync(p, 'utf8')) as { runs?: unknown }).runs;
          if (!Array.isArray(runs) || !runs.every((r) => typeof r === 'string')) throw new Error('no "runs" list of names');
          plans.set(dir, runs as string[]);
        } catch (err) {
          unreadable.push({ path: show(p), reason: (err as Error).message });
        }
        continue;
      }
      if (name.endsWith(SPEC_SUFFIX)) {
        try {
          const spec = cached(p, st, () => JSON.parse(readFileSync(p, 'utf8')) as unknown);
          if (typeof spec !== 'object' || spec === null) throw new Error('not a vega-lite spec (not an object)');
          charts.push({ name: name.slice(0, -SPEC_SUFFIX.length), spec });
          files.push({ name, href: o.href(p), kind: 'spec' });
        } catch (err) {
          unreadable.push({ path: show(p), reason: (err as Error).message });
        }
      } else if (name.endsWith('.csv')) files.push({ name, href: o.href(p), kind: 'csv' });
      else if (name.endsWith('.json') && !NOT_SIDECARS.has(name)) files.push({ name, href: o.href(p), kind: 'json' });
      else if (name.endsWith('.png')) files.push({ name, href: o.href(p), kind: 'png' });
      else if (name.endsWith('.svg')) files.push({ name, href: o.href(p), kind: 'svg' });
    }
    if (files.length) figures.push({ path: show(dir), charts, files });
  };

  for (const root of roots) {
    let st: Stats;
    try {
      st = statSync(root);
    } catch {
      throw new ReportInputError(`${root}: no such folder`);
    }
    if (!st.isDirectory()) throw new ReportInputError(`${root}: not a folder`);
    walk(root, 0);
  }

  const rows = new Map<string, RunRow>();
  const folderOf = (runDir: string) => {
    const parent = dirname(runDir);
    return show(basename(parent) === 'runs' ? dirname(parent) : parent);
  };
  const blank = (runDir: string): RunRow => {
    const name = basename(runDir);
    const m = RUN_NAME.exec(name); // runs not started yet: what their name says (src/training/run-dir.ts runName)
    return {
      id: show(runDir), folder: folderOf(runDir), name, state: 'queued', step: null, totalSteps: null, updatedAt: null,
      dataset: null, model: null, scheme: m ? (m[1] ?? m[2]) : null, tmax: m && m[3] ? (m[3] === 'inf' ? 'Infinity' : Number(m[3])) : null,
      seed: m ? Number(m[4]) : null, runtime: null, latency: null, finalTestAcc: null, time: null, classRecovered: null,
      config: null, curve: null, message: null, logTail: null,
    };
  };
  const logOf = (runDir: string) => join(basename(dirname(runDir)) === 'runs' ? join(dirname(dirname(runDir)), 'logs') : dirname(runDir), `${basename(runDir)}.log`);

  for (const dir of runDirs) {
    const row = blank(dir);
    const cfgPath = join(dir, 'config.json');
    const metPath = join(dir, 'metrics.csv');
    let fields: ConfigFields;
    try {
      fields = cached(cfgPath, statSync(cfgPath), () => configFields(readFileSync(cfgPath, 'utf8')));
    } catch (err) {
      unreadable.push({ path: show(cfgPath), reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing (the run folder has metrics.csv only)' : (err as Error).message });
      continue;
    }
    try {
      const st = statSync(metPath);
      row.curve = cached(metPath, st, () => metricsCurve(readFileSync(metPath, 'utf8')));
    } catch (err) {
      unreadable.push({ path: show(metPath), reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing (the run folder has config.json only)' : (err as Error).message });
      continue;
    }
    const { complete, ...shown } = fields;
    Object.assign(row, shown);
    row.state = complete ? 'done' : 'failed';
    if (!complete) row.message = 'config.json has no result';
    rows.set(dir, row);
  }
  for (const [runDir, p] of partials) {
    if (rows.has(runDir)) continue; // finished: a leftover of a killed earlier attempt
    const row = blank(runDir);
    row.state = 'running';
    row.step = p.status?.step ?? null;
    row.totalSteps = p.status?.totalSteps ?? null;
    row.updatedAt = p.status?.updatedAt ?? null;
    const metPath = join(p.dir, 'metrics.csv');
    try {
      row.curve = metricsCurve(readFileSync(metPath, 'utf8'), true);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push({ path: show(metPath), reason: (err as Error).message });
    }
    rows.set(runDir, row);
  }
  for (const [runDir, path] of sweepStatuses) {
    if (rows.has(runDir)) continue;
    const s = readStatusFile(path);
    if (!s) {
      unreadable.push({ path: show(path), reason: 'not a run status record (src/training/run-status.ts)' });
      continue;
    }
    const row = blank(runDir);
    row.state = s.state === 'done' ? 'running' : s.state; // 'done' but not downloaded yet
    row.step = s.step;
    row.totalSteps = s.totalSteps || null;
    row.updatedAt = s.updatedAt;
    if (s.state === 'failed') {
      row.message = s.message ?? null;
      row.logTail = tailLines(logOf(runDir));
    }
    rows.set(runDir, row);
  }
  for (const [sweepDir, names] of plans) {
    for (const name of names) {
      const runDir = join(sweepDir, 'runs', name);
      if (!rows.has(runDir)) rows.set(runDir, blank(runDir));
    }
  }
  const runs = [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    title: 'Results',
    generatedAt: new Date().toISOString(),
    roots: [...roots],
    figures: figures.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    runs,
    unreadable,
  };
}

/** The message for a scan that found nothing to show. */
export function emptyMessage(roots: readonly string[]): string {
  return `${roots.join(', ')}: no results found (no figure files — *.vl.json, *.csv, *.json, *.png, *.svg — and no run folders with config.json and metrics.csv)`;
}

/** True when the model has nothing to show. */
export function isEmpty(m: ReportModel): boolean {
  return m.figures.length === 0 && m.runs.length === 0 && m.unreadable.length === 0;
}
