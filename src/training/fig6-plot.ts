/**
 * The Fig. 6 chart specs from the finished runs of a sweep directory
 * (`<out>/runs/<name>/{config.json,metrics.csv}`); fig6-draw.ts writes them:
 *   <out>/fig6.png + .svg       minibatch training accuracy vs iteration, one panel per T_max, a
 *                               centred moving average over `window` iterations (default 50); the
 *                               baseline (no T_max) is drawn in every panel; with several seeds a
 *                               line for the mean and a band from the min to the max over seeds;
 *   <out>/fig6-test.png + .svg  test accuracy at the evaluation points, same layout;
 *   <out>/summary.csv           one row per run (src/training/fig6-runs.ts).
 * A sweep that is not complete is drawn only as `fig6-partial*` and `summary-partial.csv`, titled
 * PARTIAL with the count of runs present, so it cannot be taken for the finished figure.
 */
import { panelChart, type Row, type TopLevelSpec } from '../plot/index.ts';
import { schemeRank, type RunData } from './fig6-runs.ts';

export { readRun, readRuns, SCHEME_ORDER, SUMMARY_COLUMNS, summaryRows, type RunData } from './fig6-runs.ts';

const COLORS: Record<string, string> = {
  baseline: '#222222',
  uncoded: '#d62728',
  rep: '#ff7f0e',
  mds: '#8c564b',
  now: '#2ca02c',
  ew: '#1f77b4',
};

const DASHED = new Set(['rep', 'now']);

/** Legend label of a scheme, with its number of workers when the runs agree on one. */
export function schemeLabel(scheme: string, workers?: number | null): string {
  const base: Record<string, string> = {
    baseline: 'baseline (exact)',
    uncoded: 'uncoded',
    rep: 'block repetition',
    mds: 'MDS',
    now: 'NOW-UEP',
    ew: 'EW-UEP',
  };
  const name = base[scheme] ?? scheme;
  return workers ? `${name} (W = ${workers})` : name;
}

/**
 * Colour and dash of each scheme. Dashes tell apart the pairs that coincide: uncoded/repetition
 * (same arrival probability per block) and NOW/EW (both decode mostly classes 0–1).
 */
export function schemeStyles(schemes: readonly string[]): { colours: string[]; dashes: number[][] } {
  return {
    colours: schemes.map((s, i) => COLORS[s] ?? ['#9467bd', '#e377c2', '#17becf'][i % 3]),
    dashes: schemes.map((s) => (DASHED.has(s) ? [7, 3] : [1, 0])),
  };
}

/** Centred moving average over `window` points (truncated at both ends). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const n = values.length;
  if (window <= 1 || n === 0) return [...values];
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + values[i];
  const before = Math.floor((window - 1) / 2);
  const after = window - 1 - before;
  return Array.from({ length: n }, (_, i) => {
    const lo = Math.max(0, i - before);
    const hi = Math.min(n, i + after + 1);
    return (prefix[hi] - prefix[lo]) / (hi - lo);
  });
}

/** mean, min, max across series, point by point over their common length. */
function across(series: readonly (readonly number[])[]): { mean: number[]; min: number[]; max: number[] } {
  const n = Math.min(...series.map((s) => s.length));
  const mean: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of series) {
      s += x[i];
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    mean.push(s / series.length);
    min.push(lo);
    max.push(hi);
  }
  return { mean, min, max };
}

export interface Fig6PlotOptions {
  /** Moving-average window of the training accuracy, in iterations (default 50). */
  window?: number;
  /** About this many points per training curve after smoothing (default 400). */
  points?: number;
  /** Told about what the figure had to adapt (e.g. seed series of unequal length). */
  onWarning?: (message: string) => void;
  /** The sweep is not complete: `present` of `planned` runs. Marks titles and file names. */
  partial?: { present: number; planned: number };
}

export function tmaxLabel(t: number): string {
  return `T_max = ${t === Infinity ? '∞' : t}`;
}

interface Grouped {
  panels: number[];
  /** scheme → tmax (null for baseline) → runs */
  groups: Map<string, Map<number | null, RunData[]>>;
  workers: Map<string, number | null>;
  seeds: number[];
}

export function group(runs: readonly RunData[]): Grouped {
  const groups = new Map<string, Map<number | null, RunData[]>>();
  const workers = new Map<string, number | null>();
  for (const r of runs) {
    if (!groups.has(r.scheme)) groups.set(r.scheme, new Map());
    const g = groups.get(r.scheme) as Map<number | null, RunData[]>;
    const key = r.scheme === 'baseline' ? null : r.tmax;
    if (!g.has(key)) g.set(key, []);
    (g.get(key) as RunData[]).push(r);
    const w = (r.options.workers as number | null) ?? null;
    if (!workers.has(r.scheme)) workers.set(r.scheme, w);
    else if (workers.get(r.scheme) !== w) workers.set(r.scheme, null);
  }
  const panels = [...new Set(runs.filter((r) => r.scheme !== 'baseline' && r.tmax !== null).map((r) => r.tmax as number))].sort(
    (a, b) => a - b,
  );
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  return { panels, groups, workers, seeds };
}

/**
 * Sets the colour and dash ranges of the legend field (a vega-lite spec is plain JSON), and
 * widens the legend so that labels are not cut.
 */
export function style(spec: TopLevelSpec, field: string, domain: string[], colours: string[], dashes: number[][]): TopLevelSpec {
  const visit = (o: unknown, key: string): void => {
    if (Array.isArray(o)) return o.forEach((x) => visit(x, key));
    if (!o || typeof o !== 'object') return;
    const rec = o as Record<string, unknown>;
    if ((key === 'color' || key === 'strokeDash') && rec.field === field && rec.scale && typeof rec.scale === 'object') {
      (rec.scale as Record<string, unknown>).domain = domain;
      (rec.scale as Record<string, unknown>).range = key === 'color' ? colours : dashes;
    }
    for (const [k, v] of Object.entries(rec)) visit(v, k);
  };
  visit(spec, '');
  const cfg = (spec as unknown as { config: Record<string, Record<string, unknown>> }).config;
  cfg.legend = { ...cfg.legend, labelLimit: 320, symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.5 };
  return spec;
}

/** The runs' data set and network as the titles name them: 'MNIST' for the paper's (and for runs older than --dataset/--model). */
export function workloadOf(runs: readonly RunData[]): string {
  const o = runs[0].options;
  const names: Record<string, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST', cifar10: 'CIFAR-10' };
  const dataset = typeof o.dataset === 'string' ? (names[o.dataset] ?? o.dataset) : 'MNIST';
  const model = typeof o.model === 'string' && o.model !== 'mlp' ? ` ${o.model}${o.codeConv ? ' (convolutions coded too)' : ''}` : '';
  return `${dataset}${model}`;
}

export function describeOptions(runs: readonly RunData[], seeds: number[]): string {
  const o = runs.find((r) => r.scheme !== 'baseline')?.options ?? runs[0].options;
  const parts = [
    o.lambda !== undefined && o.lambda !== null ? `λ = ${o.lambda as number}` : null,
    `${o.epochs as number} epoch(s), batch ${o.batch as number}, lr ${o.lr as number}`,
    o.limit ? `first ${o.limit as number} training examples` : null,
    o.testLimit ? `first ${o.testLimit as number} test examples` : null,
    o.gamma ? `Γ = (${(o.gamma as number[]).join(', ')})` : null,
    seeds.length > 1 ? `seeds ${seeds.join(', ')}: line = mean, band = min–max` : `seed ${seeds[0]}`,
  ];
  return parts.filter(Boolean).join('; ');
}

/**
 * Builds the two Fig. 6 chart specs (training accuracy, test accuracy) from finished runs.
 * @throws RangeError when there are no runs
 */
export function fig6Specs(runs: readonly RunData[], opts: Fig6PlotOptions = {}): { train: TopLevelSpec; test: TopLevelSpec } {
  if (runs.length === 0) throw new RangeError('runs: no finished runs to plot');
  const window = opts.window ?? 50;
  const target = opts.points ?? 400;
  const { panels, groups, workers, seeds } = group(runs);
  const panelValues = panels.length ? panels.map(tmaxLabel) : ['baseline only'];
  const schemes = [...groups.keys()].sort((a, b) => schemeRank(a) - schemeRank(b));
  const labels = schemes.map((s) => schemeLabel(s, workers.get(s)));
  const { colours, dashes } = schemeStyles(schemes);
  const several = seeds.length > 1;

  const trainLines: Row[] = [];
  const trainBand: Row[] = [];
  const testLines: Row[] = [];
  const testBand: Row[] = [];
  for (const [si, scheme] of schemes.entries()) {
    const byT = groups.get(scheme) as Map<number | null, RunData[]>;
    for (const [tmax, rs] of byT) {
      const targets = tmax === null ? panelValues : [tmaxLabel(tmax)];
      const series = seedSeries(rs);
      const lengths = new Set(series.map((r) => r.iteration.length));
      if (lengths.size > 1) {
        opts.onWarning?.(
          `${scheme}${tmax === null ? '' : ` at T_max ${tmax}`}: seeds ${series.map((r) => `${r.seed} (${r.iteration.length} iterations)`).join(', ')} ` +
            `differ in length; mean and band are drawn over the first ${Math.min(...lengths)} iterations, where all seeds have data`,
        );
      }
      const tr = across(series.map((r) => movingAverage(r.trainAcc, window)));
      const its = series[0].iteration;
      const stride = Math.max(1, Math.floor(tr.mean.length / target));
      const te = across(series.map((r) => r.testAcc));
      const teIts = series[0].testIteration;
      for (const panel of targets) {
        for (let i = 0; i < tr.mean.length; i++) {
          if (i % stride !== 0 && i !== tr.mean.length - 1) continue;
          const row = { panel, scheme: labels[si], iteration: its[i], acc: tr.mean[i], lo: tr.min[i], hi: tr.max[i] };
          trainLines.push(row);
          if (several) trainBand.push(row);
        }
        for (let i = 0; i < te.mean.length; i++) {
          const row = { panel, scheme: labels[si], iteration: teIts[i], acc: te.mean[i], lo: te.min[i], hi: te.max[i] };
          testLines.push(row);
          if (several) testBand.push(row);
        }
      }
    }
  }
  const common = {
    // Integer ticks: with one evaluation point vega's default format prints '50.000000'.
    x: { field: 'iteration', title: `iteration (minibatch of ${batchOf(runs)})`, format: 'd' },
    color: { field: 'scheme', title: 'Scheme', sort: labels },
    dash: { field: 'scheme', title: 'Scheme', sort: labels },
    panel: { field: 'panel', title: '', sort: panelValues, columns: Math.min(2, panelValues.length) },
    width: 360,
    height: 230,
  };
  const what = describeOptions(runs, seeds);
  const mark = opts.partial ? `PARTIAL (${opts.partial.present} of ${opts.partial.planned} runs): ` : '';
  const train = panelChart({
    ...common,
    title: `${mark}${workloadOf(runs)} training accuracy with coded backpropagation (Fig. 6)`,
    subtitle: [`Minibatch accuracy before each update, centred moving average over ${window} iterations.`, what],
    y: { field: 'acc', title: 'training accuracy', domain: [0, 1] },
    lines: trainLines,
    band: several ? { rows: trainBand, yLow: 'lo', yHigh: 'hi', opacity: 0.18 } : undefined,
  });
  const test = panelChart({
    ...common,
    title: `${mark}${workloadOf(runs)} test accuracy with coded backpropagation`,
    subtitle: [`Accuracy on the test set at the evaluation points.`, what],
    y: { field: 'acc', title: 'test accuracy', domain: [0, 1] },
    lines: testLines,
    lineMarkers: testLines.length / Math.max(1, schemes.length * panelValues.length) <= 40,
    band: several ? { rows: testBand, yLow: 'lo', yHigh: 'hi', opacity: 0.18 } : undefined,
  });
  return {
    train: style(train, 'scheme', labels, colours, dashes),
    test: style(test, 'scheme', labels, colours, dashes),
  };
}

/** The minibatch size of the runs ('mixed' when they differ). */
function batchOf(runs: readonly RunData[]): string {
  const b = new Set(runs.map((r) => r.options.batch));
  return b.size === 1 ? String([...b][0]) : 'mixed sizes';
}

/** One run per seed (the first found for a repeated seed), in seed order. */
export function seedSeries(rs: readonly RunData[]): RunData[] {
  const bySeed = new Map<number, RunData>();
  for (const r of rs) if (!bySeed.has(r.seed)) bySeed.set(r.seed, r);
  return [...bySeed.keys()].sort((a, b) => a - b).map((s) => bySeed.get(s) as RunData);
}
