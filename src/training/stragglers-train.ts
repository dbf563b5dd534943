/**
 * The training straggler comparison (`npm run stragglers`, docs/stragglers.md): MNIST final test
 * accuracy against T_max, for uncoded, MDS, EW random and EW adaptive, under a persistent Markov
 * latency and under one cloud trace's bursts, over seeds. The runs are ordinary training runs (the
 * sweep machinery: src/training/sweep.ts), named `<latency>-<line>-tmax<T>-seed<S>`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { panelChart, type Row, type TopLevelSpec } from '../plot/index.ts';
import type { PlannedRun } from './launcher.ts';
import { planSweep } from './sweep.ts';

export interface TrainLatency {
  key: string;
  title: string;
  model: string;
}

export interface TrainLine {
  key: string;
  label: string;
  scheme: 'uncoded' | 'mds' | 'ew';
  assign: 'random' | 'adaptive';
}

export const TRAIN_LINES: readonly TrainLine[] = [
  { key: 'uncoded', label: 'uncoded', scheme: 'uncoded', assign: 'random' },
  { key: 'mds', label: 'MDS', scheme: 'mds', assign: 'random' },
  { key: 'ew-random', label: 'EW random', scheme: 'ew', assign: 'random' },
  { key: 'ew-adaptive', label: 'EW adaptive', scheme: 'ew', assign: 'adaptive' },
];

/** The training panels (trace files resolved by the caller). */
export function trainLatencies(gcpTrace: string): TrainLatency[] {
  return [
    { key: 'markov', title: 'markov: slow share 0.2, mean slow run 50, ×10', model: 'markov:share=0.2,run=50,s=10' },
    { key: 'gcp', title: 'Google Cloud Functions bursts', model: `bursts:${gcpTrace}` },
  ];
}

/** The runs: latency × line × T_max × seed, each a training run with `common` options. */
export function planStragglerRuns(latencies: readonly TrainLatency[], tmaxes: readonly number[], seeds: readonly number[], common: Record<string, unknown>): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const lat of latencies) {
    for (const line of TRAIN_LINES) {
      const plan = planSweep({ schemes: [line.scheme], tmaxes: [...tmaxes], seeds: [...seeds], common: { ...common, latency: lat.model, assign: line.assign } });
      for (const r of plan) runs.push({ ...r, name: `${lat.key}-${line.key}-tmax${r.tmax}-seed${r.seed}` });
    }
  }
  return runs;
}

/** One finished run's coordinates and accuracy. */
export interface TrainPoint {
  latency: string;
  line: string;
  tmax: number;
  seed: number;
  accuracy: number;
}

/** Reads the finished runs' results from `<runsDir>/<name>/config.json`. */
export function readTrainPoints(runsDir: string, latencies: readonly TrainLatency[], runs: readonly PlannedRun[]): TrainPoint[] {
  const out: TrainPoint[] = [];
  for (const r of runs) {
    const lat = latencies.find((l) => r.name.startsWith(`${l.key}-`))!;
    const line = TRAIN_LINES.find((l) => r.name.startsWith(`${lat.key}-${l.key}-tmax`))!;
    let acc: number;
    try {
      acc = (JSON.parse(readFileSync(join(runsDir, r.name, 'config.json'), 'utf8')) as { result: { finalTestAccuracy: number } }).result.finalTestAccuracy;
    } catch {
      continue; // not finished
    }
    out.push({ latency: lat.key, line: line.label, tmax: r.tmax as number, seed: r.seed, accuracy: acc });
  }
  return out;
}

/** Mean and spread over seeds of each (latency, line, T_max). */
export function summariseTrain(points: readonly TrainPoint[]): { latency: string; line: string; tmax: number; seeds: number; mean: number; min: number; max: number }[] {
  const groups = new Map<string, TrainPoint[]>();
  for (const p of points) {
    const k = `${p.latency}|${p.line}|${p.tmax}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(p);
  }
  return [...groups.values()].map((g) => {
    const accs = g.map((p) => p.accuracy);
    return { latency: g[0].latency, line: g[0].line, tmax: g[0].tmax, seeds: g.length, mean: accs.reduce((a, b) => a + b, 0) / accs.length, min: Math.min(...accs), max: Math.max(...accs) };
  });
}

/** Accuracy vs T_max, one panel per latency: the seeds' mean as lines, min–max as bands, each seed a point. */
export function trainChart(points: readonly TrainPoint[], latencies: readonly TrainLatency[], subtitle: string[]): TopLevelSpec {
  const title = (k: string) => latencies.find((l) => l.key === k)!.title;
  const summary = summariseTrain(points);
  const lines: Row[] = summary.map((s) => ({ panel: title(s.latency), series: s.line, tmax: s.tmax, accuracy: s.mean, low: s.min, high: s.max, kind: 'mean over seeds' }));
  return panelChart({
    title: 'MNIST final test accuracy vs T_max under stragglers with memory and a cloud trace',
    subtitle,
    x: { field: 'tmax', title: 'deadline T_max' },
    y: { field: 'accuracy', title: 'final test accuracy', domain: [0, 1] },
    color: { field: 'series', title: 'code / assignment', sort: TRAIN_LINES.map((l) => l.label) },
    detail: 'series',
    lines,
    lineMarkers: true,
    band: { rows: lines, yLow: 'low', yHigh: 'high', opacity: 0.15 },
    panel: { field: 'panel', title: 'latency model', sort: latencies.map((l) => l.title), columns: 2 },
    width: 320,
    height: 230,
  });
}
