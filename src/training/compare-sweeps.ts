/**
 * Final test accuracy of several Fig. 6-style sweeps side by side (e.g. paper Γ against designed
 * Γ, or the real decoder against the authors' surrogate): for every (scheme, T_max) present in
 * any sweep, per sweep the mean over seeds with its min–max and the number of seeds.
 */
import { join } from 'node:path';
import { readRuns, schemeRank, type RunData } from './fig6-runs.ts';

/** One sweep to compare: its label and its output directory (holding runs/). */
export interface SweepRef {
  label: string;
  dir: string;
}

/** Mean, min and max over seeds of one (sweep, scheme, T_max). */
export interface AccuracyCell {
  mean: number;
  min: number;
  max: number;
  seeds: number;
}

export interface ComparisonRow {
  scheme: string;
  /** null: the baseline. */
  tmax: number | null;
  /** By sweep label; absent when the sweep has no such runs. */
  cells: Record<string, AccuracyCell | undefined>;
}

function cell(runs: readonly RunData[]): AccuracyCell {
  const a = runs.map((r) => r.result.finalTestAccuracy);
  return { mean: a.reduce((s, x) => s + x, 0) / a.length, min: Math.min(...a), max: Math.max(...a), seeds: a.length };
}

/** Reads the finished runs of every sweep and lines them up by (scheme, T_max). */
export async function compareSweeps(sweeps: readonly SweepRef[]): Promise<ComparisonRow[]> {
  const byKey = new Map<string, ComparisonRow>();
  for (const s of sweeps) {
    const runs = await readRuns(join(s.dir, 'runs'));
    const groups = new Map<string, RunData[]>();
    for (const r of runs) {
      const key = `${r.scheme}|${r.scheme === 'baseline' ? '' : r.tmax}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [key, rs] of groups) {
      if (!byKey.has(key)) byKey.set(key, { scheme: rs[0].scheme, tmax: rs[0].scheme === 'baseline' ? null : rs[0].tmax, cells: {} });
      (byKey.get(key) as ComparisonRow).cells[s.label] = cell(rs);
    }
  }
  return [...byKey.values()].sort((a, b) => schemeRank(a.scheme) - schemeRank(b.scheme) || (a.tmax ?? -1) - (b.tmax ?? -1));
}

/** compare.csv's columns: scheme, tmax, then per sweep mean/min/max/seeds. */
export function comparisonColumns(labels: readonly string[]): string[] {
  return ['scheme', 'tmax', ...labels.flatMap((l) => [`${l}_mean`, `${l}_min`, `${l}_max`, `${l}_seeds`])];
}

/** CSV rows in {@link comparisonColumns} order. */
export function comparisonCsvRows(rows: readonly ComparisonRow[], labels: readonly string[]): Record<string, string | number>[] {
  return rows.map((r) => {
    const out: Record<string, string | number> = { scheme: r.scheme, tmax: r.tmax === null ? '' : r.tmax };
    for (const l of labels) {
      const c = r.cells[l];
      out[`${l}_mean`] = c ? Number(c.mean.toFixed(4)) : '';
      out[`${l}_min`] = c ? c.min : '';
      out[`${l}_max`] = c ? c.max : '';
      out[`${l}_seeds`] = c ? c.seeds : '';
    }
    return out;
  });
}

/** A markdown table: mean (min–max) per sweep, and the difference of the last sweep from the first. */
export function comparisonMarkdown(rows: readonly ComparisonRow[], labels: readonly string[]): string {
  const fmt = (c: AccuracyCell | undefined) => (c ? (c.seeds > 1 ? `${c.mean.toFixed(4)} (${c.min.toFixed(4)}–${c.max.toFixed(4)})` : c.mean.toFixed(4)) : '—');
  const two = labels.length >= 2;
  const head = ['scheme', 'T_max', ...labels.map((l) => `${l}: final test acc`), ...(two ? [`${labels[labels.length - 1]} − ${labels[0]}`] : [])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const first = r.cells[labels[0]];
    const last = r.cells[labels[labels.length - 1]];
    const diff = two && first && last ? `${last.mean - first.mean >= 0 ? '+' : ''}${(last.mean - first.mean).toFixed(4)}` : '—';
    lines.push(`| ${[r.scheme, r.tmax === null ? '' : String(r.tmax), ...labels.map((l) => fmt(r.cells[l])), ...(two ? [diff] : [])].join(' | ')} |`);
  }
  return lines.join('\n');
}
