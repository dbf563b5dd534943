/**
 * Builders for the chart kinds the experiments need, as vega-lite specs:
 * - theory curves as lines, one colour per series (e.g. scheme), optional dash style per
 *   series (e.g. granularity);
 * - Monte Carlo estimates as points with error bars;
 * - a shaded band for spread (e.g. min–max or ± sd across seeds);
 * and the same laid out as a grid of panels (facets) sharing the legends.
 * All layers read one data table; each row carries which layer it belongs to.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './render.ts';

/** One data row: field name → value. */
export type Row = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** A positional (x or y) quantitative field. */
export interface AxisField {
  field: string;
  /** Axis title, with units where relevant. */
  title: string;
  scale?: 'linear' | 'log' | 'sqrt' | 'symlog';
  /** Fixed domain, e.g. [0, 1] for probabilities. */
  domain?: [number, number];
  /** Include zero in the domain when not fixed (vega-lite default for linear: true). */
  zero?: boolean;
  /** d3 number format for tick labels, e.g. '.1f' or '%'. */
  format?: string;
}

/** A categorical field mapped to colour, dash, shape or panels. */
export interface SeriesField {
  field: string;
  /** Legend (or panel header) title. */
  title: string;
  /** Order of the categories (legend order); defaults to first appearance order sorted by vega. */
  sort?: readonly (string | number)[];
}

/** Options common to {@link lineChart} and {@link panelChart}. */
export interface ChartOptions {
  title?: string;
  subtitle?: string | string[];
  x: AxisField;
  y: AxisField;
  /** One colour per category (e.g. scheme). */
  color?: SeriesField;
  /** Dash style of lines per category (e.g. granularity). */
  dash?: SeriesField;
  /** Point shape per category for Monte Carlo points (defaults to `dash` when given). */
  shape?: SeriesField;
  /** Extra grouping field(s) that separate lines without a visual encoding. */
  detail?: string;
  /** Rows drawn as lines (e.g. theory). */
  lines?: readonly Row[];
  /** Also mark each line vertex with a small point. */
  lineMarkers?: boolean;
  /** Rows drawn as points, with error bars from yLow to yHigh when given (e.g. Monte Carlo). */
  points?: { rows: readonly Row[]; yLow?: string; yHigh?: string };
  /** Rows drawn as a shaded band from yLow to yHigh (e.g. spread across seeds). */
  band?: { rows: readonly Row[]; yLow: string; yHigh: string; opacity?: number };
  /** Width and height of one plot (or one panel) in pixels. */
  width?: number;
  height?: number;
}

/** Options of {@link panelChart}: a chart repeated per value of `panel.field`. */
export interface PanelOptions extends ChartOptions {
  panel: SeriesField & { columns?: number };
  /** Give each panel its own y scale (default shared). */
  independentY?: boolean;
  /** Give each panel its own x scale (default shared). */
  independentX?: boolean;
}

const LAYER = '__layer';

type Json = Record<string, unknown>;

/** A single plot with theory lines, Monte Carlo points with error bars, and/or bands. */
export function lineChart(opts: ChartOptions): TopLevelSpec {
  const { data, layers } = buildLayers(opts);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...titleOf(opts),
    width: opts.width ?? 420,
    height: opts.height ?? 300,
    data: { values: data },
    layer: layers,
    config: baseConfig(),
  } as unknown as TopLevelSpec;
}

/** The same chart repeated in a grid of panels, one per value of `opts.panel.field`. */
export function panelChart(opts: PanelOptions): TopLevelSpec {
  const { data, layers } = buildLayers(opts);
  const facet: Json = { field: opts.panel.field, type: 'nominal', title: opts.panel.title };
  if (opts.panel.sort) facet.sort = [...opts.panel.sort];
  const scale: Json = {};
  if (opts.independentY) scale.y = 'independent';
  if (opts.independentX) scale.x = 'independent';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...titleOf(opts),
    data: { values: data },
    facet,
    ...(opts.panel.columns ? { columns: opts.panel.columns } : {}),
    spec: { width: opts.width ?? 300, height: opts.height ?? 240, layer: layers },
    ...(Object.keys(scale).length ? { resolve: { scale, axis: { ...scale } } } : {}),
    config: baseConfig(),
  } as unknown as TopLevelSpec;
}

function titleOf(opts: ChartOptions): Json {
  if (!opts.title) return {};
  return { title: opts.subtitle ? { text: opts.title, subtitle: opts.subtitle } : opts.title };
}

function baseConfig(): Json {
  return {
    font: CHART_FONT,
    background: 'white',
    view: { stroke: '#ccc' },
    title: { fontSize: 15, subtitleFontSize: 12, anchor: 'middle', offset: 10 },
    axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
    legend: { labelFontSize: 11, titleFontSize: 12, symbolStrokeWidth: 2 },
    header: { labelFontSize: 12, titleFontSize: 13 },
    line: { strokeWidth: 2 },
  };
}

function seriesEncoding(s: SeriesField, extra: Json = {}): Json {
  const enc: Json = { field: s.field, type: 'nominal', title: s.title, ...extra };
  if (s.sort) {
    enc.sort = [...s.sort];
    enc.scale = { ...((extra.scale as Json | undefined) ?? {}), domain: [...s.sort] };
  }
  return enc;
}

function buildLayers(opts: ChartOptions): { data: Json[]; layers: Json[] } {
  const data: Json[] = [];
  const layers: Json[] = [];
  const x: Json = { field: opts.x.field, type: 'quantitative', title: opts.x.title, scale: scaleOf(opts.x) };
  if (opts.x.format) x.axis = { format: opts.x.format };
  const yScale = scaleOf(opts.y);
  const yAxis = opts.y.format ? { format: opts.y.format } : undefined;
  const y = (field: string, withTitle: boolean): Json => ({
    field,
    type: 'quantitative',
    ...(withTitle ? { title: opts.y.title } : {}),
    scale: yScale,
    ...(yAxis && withTitle ? { axis: yAxis } : {}),
  });
  const color = opts.color ? { color: seriesEncoding(opts.color) } : {};
  // Clip marks to the plot area when an axis has a fixed domain.
  const clip = Boolean(opts.x.domain || opts.y.domain);
  const filter = (name: string) => [{ filter: `datum['${LAYER}'] === '${name}'` }];

  if (opts.band && opts.band.rows.length) {
    for (const r of opts.band.rows) data.push({ ...r, [LAYER]: 'band' });
    layers.push({
      transform: filter('band'),
      mark: { type: 'area', opacity: opts.band.opacity ?? 0.2, clip },
      encoding: {
        x,
        y: y(opts.band.yLow, true),
        y2: { field: opts.band.yHigh },
        // Legend symbols at full opacity (the band layer comes first and defines them).
        ...(opts.color ? { color: seriesEncoding(opts.color, { legend: { symbolOpacity: 1 } }) } : {}),
        ...(opts.detail ? { detail: { field: opts.detail, type: 'nominal' } } : {}),
      },
    });
  }
  if (opts.lines && opts.lines.length) {
    for (const r of opts.lines) data.push({ ...r, [LAYER]: 'line' });
    layers.push({
      transform: filter('line'),
      mark: { type: 'line', clip, ...(opts.lineMarkers ? { point: { size: 18 } } : {}) },
      encoding: {
        x,
        y: y(opts.y.field, true),
        ...color,
        ...(opts.dash ? { strokeDash: seriesEncoding(opts.dash) } : {}),
        ...(opts.detail ? { detail: { field: opts.detail, type: 'nominal' } } : {}),
      },
    });
  }
  if (opts.points && opts.points.rows.length) {
    const { yLow, yHigh } = opts.points;
    for (const r of opts.points.rows) data.push({ ...r, [LAYER]: 'point' });
    const shapeField = opts.shape ?? opts.dash;
    if (yLow && yHigh) {
      layers.push({
        transform: filter('point'),
        mark: { type: 'rule', strokeWidth: 1.5, clip },
        encoding: { x, y: y(yLow, true), y2: { field: yHigh }, ...color },
      });
    }
    layers.push({
      transform: filter('point'),
      mark: { type: 'point', filled: true, size: 40, opacity: 0.9, clip },
      encoding: {
        x,
        y: y(opts.y.field, true),
        ...color,
        ...(shapeField ? { shape: seriesEncoding(shapeField) } : {}),
      },
    });
  }
  if (layers.length === 0) throw new RangeError('chart: give at least one of lines, points or band with rows');
  return { data, layers };
}

function scaleOf(a: AxisField): Json {
  const s: Json = {};
  if (a.scale && a.scale !== 'linear') s.type = a.scale;
  if (a.domain) s.domain = [...a.domain];
  if (a.zero !== undefined) s.zero = a.zero;
  return s;
}
