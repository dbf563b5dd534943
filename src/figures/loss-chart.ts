/**
 * The chart of Figs. 3–4: normalised loss against a deadline or a received count, one colour
 * per scheme, line style formula vs Monte Carlo mean, point shape per window granularity.
 */
import type { Granularity } from '../coded-backprop/plan-api.ts';
import type { LineSpec, McScheme } from '../montecarlo/index.ts';
import { lineChart, type Row } from '../plot/index.ts';

/** Legend names of the schemes. */
export const SCHEME_LABELS: Record<McScheme, string> = { now: 'NOW-UEP', ew: 'EW-UEP', mds: 'MDS (polynomial code)', uncoded: 'uncoded', rep: 'repetition', sysmds: 'systematic MDS', product: 'product code', bacc: 'BACC (Berrut, approximate)' };

/**
 * The legend names of a figure whose lines may use other worker counts than the figure's W:
 * " (W = …)" after the scheme of each line whose W differs (uncoded and rep, src/montecarlo/setup.ts lineWorkers).
 */
export function labelsWithWorkers(base: Record<McScheme, string>, workers: Partial<Record<McScheme, number>>, figureW: number): Record<McScheme, string> {
  const out = { ...base };
  for (const [s, w] of Object.entries(workers) as [McScheme, number][]) if (w !== figureW) out[s] = `${base[s]} (W = ${w})`;
  return out;
}

/** Subtitle line of a figure in which some line uses another W than the figure's (none otherwise). */
export function workersNote(lineWorkers: readonly number[], figureW: number): string[] {
  return lineWorkers.some((w) => w !== figureW)
    ? [`a line marked (W = …) runs with that many workers: the figure's W = ${figureW} does not fit its code (Table III's count instead); every worker's time has the same law`]
    : [];
}

/** Legend names of the granularities. */
export const GRANULARITY_LABELS: Record<Granularity, string> = { class: 'class windows', product: 'product windows (eq. 5)' };

/** Legend of the line styles. */
export const STYLE_FORMULA = 'formula (Sec. IV)';
export const STYLE_PRODUCT_MC = 'Monte Carlo mean (no formula)';

/** Rows for the chart: theory as lines (plus product-granularity MC means as dashed lines), MC as points. */
export interface ChartRows {
  lines: Row[];
  points: Row[];
}

/** Options of {@link lossChart}. */
export interface LossChartOptions {
  title: string;
  subtitle: string[];
  x: { field: string; title: string };
  yScale: 'linear' | 'log';
  rows: ChartRows;
  /** The lines shown (fix the legend order). */
  lines: readonly LineSpec[];
  /** Interpolation of the lines (e.g. 'step-after' for functions of an integer). */
  interpolate?: string;
  /** Legend names of the schemes (default {@link SCHEME_LABELS}; the c×r figures name MDS MatDot). */
  schemeLabels?: Record<McScheme, string>;
  /** Legend of the formula lines (default {@link STYLE_FORMULA}). */
  formulaStyle?: string;
  /** Further line styles (dash legend) and point shapes (shape legend), after the built-in ones. */
  extraStyles?: readonly string[];
  extraShapes?: readonly string[];
  /** Further colour categories (legend labels of lines that are not a scheme, e.g. a designed code), after the schemes. */
  extraSchemes?: readonly string[];
}

/** The Figs. 3–4 chart (a vega-lite spec). */
export function lossChart(o: LossChartOptions) {
  const log = o.yScale === 'log';
  // On a log axis, zero and tiny values (MDS after N·P results) are clipped at the floor.
  const floor = 1e-4;
  // On a linear axis an approximate code (BACC with few results) can exceed 1 by far: the axis
  // grows to `cap` and larger values are drawn at the cap (said in the subtitle).
  const cap = 2;
  const values = [...o.rows.lines, ...o.rows.points].flatMap((r) => [r.loss, r.hi]).filter((v): v is number => typeof v === 'number');
  const top = values.reduce((m, v) => Math.max(m, v), 0);
  const clamp = (v: Row[string]): Row[string] => (typeof v === 'number' ? (log ? Math.max(v, floor) : Math.min(v, cap)) : v);
  const fix = (rows: Row[]): Row[] => rows.map((r) => ({ ...r, loss: clamp(r.loss), lo: clamp(r.lo), hi: clamp(r.hi) }));
  const schemes = [...new Set(o.lines.map((l) => l.scheme))];
  const granularities = [...new Set(o.lines.map((l) => l.granularity))].sort();
  const labels = o.schemeLabels ?? SCHEME_LABELS;
  const styles = [o.formulaStyle ?? STYLE_FORMULA, STYLE_PRODUCT_MC, ...(o.extraStyles ?? [])].filter((s) => o.rows.lines.some((r) => r.style === s));
  const spec = lineChart({
    title: o.title,
    subtitle: log
      ? [...o.subtitle, `log y axis: values below ${floor} are drawn at ${floor}`]
      : top > cap
        ? [...o.subtitle, `values above ${cap} (up to ${Number(top.toPrecision(3))}) are drawn at ${cap}`]
        : o.subtitle,
    x: { ...o.x },
    y: log
      ? { field: 'loss', title: 'normalised loss E‖C − Ĉ‖² / E‖C‖² (log)', scale: 'log', domain: [floor, 1] }
      : { field: 'loss', title: 'normalised loss E‖C − Ĉ‖² / E‖C‖²', domain: [0, top > 1.05 ? cap + 0.05 : 1.05] },
    color: { field: 'scheme', title: 'Scheme', sort: [...schemes.map((s) => labels[s]), ...(o.extraSchemes ?? [])] },
    dash: { field: 'style', title: 'Line', sort: styles },
    shape: { field: 'granularity', title: 'Monte Carlo (points, CI bars)', sort: [...granularities.map((g) => GRANULARITY_LABELS[g]), ...(o.extraShapes ?? [])] },
    detail: 'key',
    lines: fix(o.rows.lines),
    points: { rows: fix(o.rows.points), yLow: 'lo', yHigh: 'hi' },
    width: 620,
    height: 380,
  });
  // Room for the full legend labels (vega-lite truncates at 160 px by default).
  const config = (spec as { config?: Record<string, Record<string, unknown>> }).config;
  if (config) config.legend = { ...config.legend, labelLimit: 320, titleLimit: 320 };
  // Long subtitles centred over the plot overflowed on both sides, widening the canvas into an
  // empty left and right margin: start them at the plot's left edge, over plot and legend.
  if (config) config.title = { ...config.title, anchor: 'start' };
  if (o.interpolate) {
    for (const layer of (spec as { layer?: { mark?: { type?: string; interpolate?: string } }[] }).layer ?? []) {
      if (layer.mark?.type === 'line') layer.mark.interpolate = o.interpolate;
    }
  }
  return spec;
}
