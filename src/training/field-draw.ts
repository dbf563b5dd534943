/**
 * The training figure of `npm run field`: MNIST final test accuracy against T_max, one line per
 * variant (mean over seeds) with min–max bars, and its CSV. Each legend entry states the
 * variant's W and per-worker load K = N·P/W (Table III's normalisation: every worker does one
 * block product with 1/W of the compute; the engine's default K).
 *   <out>/field-train.csv  variant,label,scheme,workers,K,tmax,seeds,acc_min,acc_mean,acc_max
 */
import { join } from 'node:path';
import { lineChart, renderSpecFiles, type Row } from '../plot/index.ts';
import { formatCsv } from '../util/csv.ts';
import { writeFilesAtomic } from '../util/atomic-write.ts';
import { readRuns, type RunData } from './fig6-runs.ts';
import { FIELD_VARIANTS, variantOfRun, type FieldVariant } from './field-sweep.ts';

export const FIELD_TRAIN_COLUMNS = ['variant', 'label', 'scheme', 'workers', 'K', 'tmax', 'seeds', 'acc_min', 'acc_mean', 'acc_max'] as const;

/** One (variant, T_max) cell over its seeds. */
export interface FieldCell {
  variant: FieldVariant;
  workers: number;
  K: number;
  tmax: number;
  seeds: number[];
  accuracies: number[];
}

/** Groups finished runs by variant and T_max. */
export function fieldCells(runs: readonly RunData[], variants: readonly FieldVariant[] = FIELD_VARIANTS): FieldCell[] {
  const cells = new Map<string, FieldCell>();
  for (const r of runs) {
    const v = variantOfRun(r.name, variants);
    if (!v || r.tmax === null) continue;
    const key = `${v.key}@${r.tmax}`;
    const c = cells.get(key) ?? { variant: v, workers: r.options.workers as number, K: r.options.K as number, tmax: r.tmax, seeds: [], accuracies: [] };
    c.seeds.push(r.seed);
    c.accuracies.push(r.result.finalTestAccuracy);
    cells.set(key, c);
  }
  const order = (c: FieldCell) => variants.indexOf(c.variant);
  return [...cells.values()].sort((a, b) => order(a) - order(b) || a.tmax - b.tmax);
}

/** Legend label: the variant with its W and load K. */
export function fieldLabel(c: Pick<FieldCell, 'variant' | 'workers' | 'K'>): string {
  return `${c.variant.label} (W = ${c.workers}, K = ${Number(c.K.toPrecision(3))})`;
}

/**
 * Draws the figure and writes the CSV from the finished runs under `<dir>/runs`.
 * @param note a line for the subtitle (e.g. epochs and training examples)
 */
export async function drawFieldTraining(dir: string, names: readonly string[], note: string): Promise<string[]> {
  const runs = await readRuns(join(dir, 'runs'), names);
  const cells = fieldCells(runs);
  const csv: Row[] = [];
  const lines: Row[] = [];
  const points: Row[] = [];
  for (const c of cells) {
    const min = Math.min(...c.accuracies);
    const max = Math.max(...c.accuracies);
    const mean = c.accuracies.reduce((a, b) => a + b, 0) / c.accuracies.length;
    const label = fieldLabel(c);
    csv.push({ variant: c.variant.key, label: c.variant.label, scheme: c.variant.scheme, workers: c.workers, K: c.K, tmax: c.tmax, seeds: c.seeds.sort((a, b) => a - b).join(' '), acc_min: min, acc_mean: mean, acc_max: max });
    lines.push({ tmax: c.tmax, acc: mean, code: label });
    points.push({ tmax: c.tmax, acc: mean, lo: min, hi: max, code: label });
  }
  const seeds = [...new Set(cells.flatMap((c) => c.seeds))].sort((a, b) => a - b);
  const labels = [...new Set(cells.map(fieldLabel))];
  const spec = lineChart({
    title: 'MNIST final test accuracy vs deadline T_max: UEP and the field’s codes',
    subtitle: [
      `${note}; mean over seeds ${seeds.join(', ')} (line), min–max over seeds (bars)`,
      'each worker computes one block product (1/N·P of a backward product) at rate λ·K, K = N·P/W (Table III’s load normalisation)',
    ],
    x: { field: 'tmax', title: 'deadline T_max', scale: 'log', domain: tmaxDomain(cells.map((c) => c.tmax)) },
    y: { field: 'acc', title: 'final test accuracy', zero: false },
    color: { field: 'code', title: 'Code (W, per-worker load K)', sort: labels },
    lines,
    lineMarkers: true,
    points: { rows: points, yLow: 'lo', yHigh: 'hi' },
    width: 560,
    height: 360,
  });
  const config = (spec as { config?: Record<string, Record<string, unknown>> }).config;
  if (config) {
    config.legend = { ...config.legend, labelLimit: 360, titleLimit: 360 };
    config.title = { ...config.title, anchor: 'start' };
  }
  const base = join(dir, 'field-train');
  const files = [{ path: `${base}.csv`, data: formatCsv(csv, FIELD_TRAIN_COLUMNS) }, ...(await renderSpecFiles(spec, base))];
  return writeFilesAtomic(files);
}

/** The x domain of the deadlines (log axis): a little room either side. */
function tmaxDomain(tmaxes: readonly number[]): [number, number] {
  const finite = tmaxes.filter((t) => Number.isFinite(t));
  if (finite.length === 0) return [0.1, 10];
  return [Math.min(...finite) / 1.25, Math.max(...finite) * 1.25];
}
