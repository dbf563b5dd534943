/**
 * The matrix-level straggler comparison (`npm run stragglers`, docs/stragglers.md): normalised loss
 * against the deadline t on the Fig. 3 setup (3×3 grid, classes k = (1, 2, 6) with the setup's
 * class energies, λ = 0.25, W = 40 for MDS/NOW/EW and 9 for uncoded, K = 1), one panel per latency
 * model, for uncoded, MDS, and NOW and EW with random or adaptive assignment.
 *
 * Monte Carlo over consecutive calls: for each (panel, line, t), `runs` independent runs of `calls`
 * consecutive calls each (a fresh latency state and assignment state per run, seeded from the run's
 * index: every line sees the same latency sequence in run r when it has the same W). A call's loss
 * is Σ over the blocks its received set does not determine of the block's expected energy, over
 * E‖C‖² (exact decoding of a determined block is exact: this is E[‖C − Ĉ‖² | recovered set]/E‖C‖²).
 * The interval is the batch-means interval with one batch per run (runs are independent, so it is
 * valid under any memory, including a run's fixed hetero rates). Lines: the simulation; the i.i.d.
 * theory under each model's stationary marginal F(K·t) (Theorem 1; uncoded 1 − F) is drawn dashed
 * for the random lines, labelled as such: exact per call for i.i.d. and markov (stationary
 * start, windows independent of the worker), a reference only for hetero, correlated and bursts.
 */
import { gridLayout, planCall, resolveCodedOptions, statsOf, type ResolvedCodedOptions } from '../coded-backprop/plan-api.ts';
import { batchMeansInterval, classEnergiesOfSetup, classSizesOfSetup, PAPER_MC_SETUP } from '../montecarlo/index.ts';
import { panelChart, type Row, type TopLevelSpec } from '../plot/index.ts';
import { expectedLossAtProbability } from '../theory/index.ts';
import { Rng, streamSeed } from '../util/rng.ts';

/** One panel: a latency model. */
export interface LatencyPanel {
  key: string;
  title: string;
  /** The --latency value. */
  model: string;
}

/** One line: a code and an assignment. */
export interface MatrixLine {
  label: string;
  scheme: 'uncoded' | 'mds' | 'now' | 'ew';
  assign: 'random' | 'adaptive';
}

export const MATRIX_LINES: readonly MatrixLine[] = [
  { label: 'uncoded', scheme: 'uncoded', assign: 'random' },
  { label: 'MDS', scheme: 'mds', assign: 'random' },
  { label: 'NOW random', scheme: 'now', assign: 'random' },
  { label: 'NOW adaptive', scheme: 'now', assign: 'adaptive' },
  { label: 'EW random', scheme: 'ew', assign: 'random' },
  { label: 'EW adaptive', scheme: 'ew', assign: 'adaptive' },
];

/** The panels of the figure (the trace files relative to the working directory). */
export const LATENCY_PANELS: readonly LatencyPanel[] = [
  { key: 'iid', title: 'i.i.d. Exp(λ)', model: 'exponential' },
  { key: 'markov-short', title: 'markov: slow share 0.2, mean slow run 2, ×10', model: 'markov:share=0.2,run=2,s=10' },
  { key: 'markov-long', title: 'markov: slow share 0.2, mean slow run 50, ×10', model: 'markov:share=0.2,run=50,s=10' },
  { key: 'hetero', title: 'hetero: rates λ·Gamma(2)/2 per worker', model: 'hetero:gamma=2' },
  { key: 'correlated', title: 'correlated: q 0.2, f 0.5, ×10', model: 'correlated:q=0.2,f=0.5,s=10' },
  { key: 'aws', title: 'AWS Lambda bursts', model: 'bursts:data/traces/aws.csv' },
  { key: 'azure', title: 'Azure Functions bursts', model: 'bursts:data/traces/azure.csv' },
  { key: 'gcp', title: 'Google Cloud Functions bursts', model: 'bursts:data/traces/gcp.csv' },
  { key: 'ibm', title: 'IBM Cloud Functions bursts', model: 'bursts:data/traces/ibm.csv' },
];

/** The setup's constants. */
export function matrixSetup() {
  const setup = PAPER_MC_SETUP;
  const classSizes = classSizesOfSetup(setup);
  const energies = classEnergiesOfSetup(setup);
  return { setup, classSizes, energies, lambda: setup.lambda, K: setup.K, gamma: [...setup.gamma], workers: setup.workers };
}

/** Workers of a line: uncoded N·P = 9, the others the setup's W. */
function workersOf(line: MatrixLine, W: number): number {
  return line.scheme === 'uncoded' ? 9 : W;
}

/** The resolved options of a line at deadline t in run r (fresh latency and assignment state). */
export function lineOptions(panel: LatencyPanel, line: MatrixLine, t: number, run: number, seed: number): ResolvedCodedOptions {
  const s = matrixSetup();
  return resolveCodedOptions({
    scheme: line.scheme,
    tmax: t,
    workers: workersOf(line, s.workers),
    K: s.K,
    gamma: line.scheme === 'now' || line.scheme === 'ew' ? s.gamma : undefined,
    latency: { model: panel.model as 'exponential', lambda: s.lambda, seed: streamSeed(seed, `latency:${panel.key}`, run) },
    assign: line.assign,
  });
}

/** One simulated point. */
export interface MatrixPoint {
  panel: string;
  line: string;
  t: number;
  mean: number;
  low: number;
  high: number;
  /** Mean of the runs' last half (after the adaptive estimates have warmed up). */
  meanLate: number;
}

/** Losses of `calls` consecutive calls of one run. */
export function runLosses(opts: ResolvedCodedOptions, calls: number, rng: Rng): number[] {
  const s = matrixSetup();
  const layout = gridLayout(3 * s.setup.U, 3 * s.setup.Q, opts);
  // expected energy of each block: its class's energy shared by the class's blocks
  const blockEnergy = layout.blockClass.map((c) => s.energies[c] / s.classSizes[c]);
  const total = blockEnergy.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let c = 0; c < calls; c++) {
    const st = statsOf(planCall(layout, opts, rng, { step: c, product: 0 }));
    let lost = 0;
    st.recovered.forEach((ok, b) => {
      if (!ok) lost += blockEnergy[b];
    });
    out.push(lost / total);
  }
  return out;
}

/** Simulates one (panel, line) at every deadline. */
export function simulateLine(panel: LatencyPanel, line: MatrixLine, times: readonly number[], runs: number, calls: number, seed: number): MatrixPoint[] {
  return times.map((t) => {
    const all: number[] = [];
    const late: number[] = [];
    for (let r = 0; r < runs; r++) {
      const xs = runLosses(lineOptions(panel, line, t, r, seed), calls, new Rng(streamSeed(seed, 'calls', r)));
      all.push(...xs);
      late.push(...xs.slice(Math.floor(calls / 2)));
    }
    const ci = batchMeansInterval(all, 0.99, runs);
    return { panel: panel.key, line: line.label, t, mean: ci.mean, low: ci.low, high: ci.high, meanLate: late.reduce((a, b) => a + b, 0) / late.length };
  });
}

/** The i.i.d. theory under the stationary marginal (random assignment): Theorem 1 for NOW, EW, MDS; 1 − F for uncoded. */
export function iidTheory(panel: LatencyPanel, line: MatrixLine, t: number): number {
  const s = matrixSetup();
  const opts = lineOptions(panel, line, t, 0, 1);
  const F = Math.min(1, Math.max(0, opts.latency.cdf(s.K * t)));
  if (line.scheme === 'uncoded') return 1 - F;
  return expectedLossAtProbability(line.scheme, s.classSizes, s.gamma, s.energies, opts.workers, F);
}

/** The chart: one panel per latency model; simulation as points with intervals joined by lines, i.i.d. theory dashed. */
export function matrixChart(points: readonly MatrixPoint[], theory: readonly Row[], subtitle: string[]): TopLevelSpec {
  const rows: Row[] = points.map((p) => ({ panel: LATENCY_PANELS.find((q) => q.key === p.panel)!.title, series: p.line, kind: 'simulation', t: p.t, loss: p.mean, low: p.low, high: p.high }));
  return panelChart({
    title: 'Normalised loss vs deadline under stragglers with memory and measured cloud bursts',
    subtitle,
    x: { field: 't', title: 'deadline t' },
    y: { field: 'loss', title: 'E‖C − Ĉ‖² / E‖C‖²', domain: [0, 1] },
    color: { field: 'series', title: 'code / assignment', sort: MATRIX_LINES.map((l) => l.label) },
    dash: { field: 'kind', title: 'curve', sort: ['simulation', 'i.i.d. theory'] },
    detail: 'series',
    lines: [...rows, ...theory],
    points: { rows, yLow: 'low', yHigh: 'high' },
    panel: { field: 'panel', title: 'latency model', sort: LATENCY_PANELS.map((p) => p.title), columns: 3 },
    width: 260,
    height: 190,
  });
}
