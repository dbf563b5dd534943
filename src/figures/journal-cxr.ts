/**
 * The journal's c×r figures (Figs_8_9_10_cxr.m of the authors' repository, with the real codes):
 * normalised loss vs the deadline t and vs the number N of received results on the c×r partition,
 * the formula of src/theory/cxr.ts (lines) against the Monte Carlo of the real c×r codes
 * (src/montecarlo/cxr.ts; points with confidence intervals). Builds, at `base`:
 *   <base>-time.csv      t,scheme,method,normalized_loss,ci_low,ci_high,workers (+ .svg, .png)
 *   <base>-received.csv  received,scheme,method,normalized_loss,ci_low,ci_high,workers (+ .svg, .png)
 *   <base>.json          seed, every parameter, formula at the journal's full size, agreement
 * The Monte Carlo runs at the setup's (small) sizes; the formula is evaluated at the small size
 * (beside its points) and at `fullSize` (sidecar): with equal packets and i.i.d. entries the
 * normalised loss does not depend on U, Q or the packet width, and both give the same numbers.
 */
import { cxrTheoryVsReceived, cxrTheoryVsTime, simulateCxrByWorkers, type CxrMcScheme, type CxrMonteCarloSetup, type McScheme } from '../montecarlo/index.ts';
import { renderSpecFiles, type Row } from '../plot/index.ts';
import { formatCsv } from '../util/csv.ts';
import { confidenceInterval } from '../util/stats.ts';
import { agreement, type Agreement } from './agreement.ts';
import { GRANULARITY_LABELS, labelsWithWorkers, lossChart, workersNote, type ChartRows } from './loss-chart.ts';
import type { FigureFiles } from './run.ts';

export const CXR_TIME_COLUMNS = ['t', 'scheme', 'method', 'normalized_loss', 'ci_low', 'ci_high', 'workers'] as const;
export const CXR_RECEIVED_COLUMNS = ['received', 'scheme', 'method', 'normalized_loss', 'ci_low', 'ci_high', 'workers'] as const;

/** Legend names on the c×r partition. */
export const CXR_SCHEME_LABELS: Record<CxrMcScheme, string> = {
  now: 'NOW-UEP',
  ew: 'EW-UEP',
  mds: 'MDS (MatDot, 2K − 1 results)',
  uncoded: 'uncoded',
  rep: 'repetition',
};
const STYLE = 'formula (c×r, Σ_l E_l·P(class l lost))';

/** A c×r figure run. */
export interface CxrFigureRun {
  setup: CxrMonteCarloSetup;
  /** The same setup at the size the formula is reported at (the journal's U = Q = 900, n = 900). */
  fullSize: CxrMonteCarloSetup;
  schemes: CxrMcScheme[];
  trials: number;
  seed: number;
  times: number[];
  confidence: number;
  z: number;
  yScale: 'linear' | 'log';
  onProgress?: (done: number, total: number) => void;
}

/** Where the c×r builder writes: the vs-t files, the vs-N files (bases without extension), the sidecar. */
export interface CxrOutputs {
  time?: string;
  received?: string;
  sidecar: string;
  /** The command recorded in the sidecar. */
  command: string;
}

/** Runs the c×r Monte Carlo and builds both figures' files and the sidecar (the journal's layout). */
export function journalCxrFiles(run: CxrFigureRun, base: string, args: readonly string[]): Promise<FigureFiles> {
  return cxrFigureFiles(run, { time: `${base}-time`, received: `${base}-received`, sidecar: `${base}.json`, command: 'journal:cxr' }, args);
}

/**
 * Runs the c×r Monte Carlo and builds the files of `out`: the vs-t figure (CSV, SVG, PNG), the
 * vs-N figure, and the JSON sidecar (fig3/fig4 --partition cxr write one figure each).
 */
export async function cxrFigureFiles(run: CxrFigureRun, out: CxrOutputs, args: readonly string[]): Promise<FigureFiles> {
  const { setup, times } = run;
  const started = Date.now();
  const sim = simulateCxrByWorkers(setup, run.schemes, { trials: run.trials, seed: run.seed, times, ...(run.onProgress ? { onProgress: run.onProgress } : {}) });
  const elapsed = (Date.now() - started) / 1000;
  const labels = labelsWithWorkers(CXR_SCHEME_LABELS as Record<McScheme, string>, sim.workers, setup.workers);
  const timeRows: Row[] = [];
  const recvRows: Row[] = [];
  const timeChart: ChartRows = { lines: [], points: [] };
  const recvChart: ChartRows = { lines: [], points: [] };
  const agreements: Record<string, { time: Agreement; received: Agreement }> = {};
  const fullFormula: Record<string, { time: number[]; received: number[] }> = {};
  const gran = GRANULARITY_LABELS.class;
  for (const r of sim.lines) {
    const { scheme } = r;
    const label = labels[scheme];
    const workers = sim.workers[scheme];
    const thT = cxrTheoryVsTime(setup, scheme, times);
    const thN = Array.from(cxrTheoryVsReceived(setup, scheme));
    fullFormula[scheme] = { time: cxrTheoryVsTime(run.fullSize, scheme, times), received: Array.from(cxrTheoryVsReceived(run.fullSize, scheme)) };
    agreements[scheme] = { time: agreement(r.byTime, thT, run.z), received: agreement(r.byReceived, thN, run.z) };
    times.forEach((t, g) => {
      timeRows.push({ t, scheme, method: 'theory', normalized_loss: thT[g], workers });
      timeChart.lines.push({ t, loss: thT[g], scheme: label, style: STYLE, key: `${scheme}/theory` });
      const ci = confidenceInterval(r.byTime[g], run.z);
      timeRows.push({ t, scheme, method: 'montecarlo', normalized_loss: r.byTime[g].mean, ci_low: ci.low, ci_high: ci.high, workers });
      timeChart.points.push({ t, loss: r.byTime[g].mean, lo: ci.low, hi: ci.high, scheme: label, granularity: gran });
    });
    thN.forEach((v, received) => {
      recvRows.push({ received, scheme, method: 'theory', normalized_loss: v, workers });
      recvChart.lines.push({ received, loss: v, scheme: label, style: STYLE, key: `${scheme}/theory` });
      const e = r.byReceived[received];
      const ci = confidenceInterval(e, run.z);
      recvRows.push({ received, scheme, method: 'montecarlo', normalized_loss: e.mean, ci_low: ci.low, ci_high: ci.high, workers });
      recvChart.points.push({ received, loss: e.mean, lo: ci.low, hi: ci.high, scheme: label, granularity: gran });
    });
  }
  const K = setup.classOf.length;
  const f = run.fullSize;
  const subtitle = [
    `c×r: ${K} packets in classes (${[...new Set(setup.classOf)].map((c) => setup.classOf.filter((x) => x === c).length).join(', ')}), σ² = (${setup.variances.join(', ')}), ` +
      `W = ${setup.workers}, λ = ${setup.lambda}, Γ = (${setup.gamma.join(', ')})`,
    `lines: formula${f.U === setup.U && f.n === setup.n && f.Q === setup.Q ? '' : ` (the same at A ${f.U}×${f.n}, B ${f.n}×${f.Q})`}; points: Monte Carlo of the real codes at A ${setup.U}×${setup.n}, B ${setup.n}×${setup.Q}, ` +
      `${run.trials} trials, ${Math.round(run.confidence * 100)}% CI`,
    ...workersNote(Object.values(sim.workers), setup.workers),
  ];
  const lines = run.schemes.map((scheme) => ({ scheme: scheme as McScheme, granularity: 'class' as const }));
  const common = { yScale: run.yScale, lines, schemeLabels: labels, formulaStyle: STYLE, subtitle };
  const timeSpec = () => lossChart({ ...common, title: 'c×r: normalised loss vs deadline t', x: { field: 't', title: 'deadline t' }, rows: timeChart });
  const recvSpec = () =>
    lossChart({
    ...common,
    title: 'c×r: normalised loss vs number of received results',
    x: { field: 'received', title: 'number of received results N' },
    rows: recvChart,
    interpolate: 'step-after',
  });
  const sidecar = {
    command: out.command,
    args: [...args],
    seed: run.seed,
    trials: run.trials,
    confidence: run.confidence,
    z: run.z,
    setup,
    fullSize: run.fullSize,
    ...(out.time ? { times } : {}),
    elapsedSeconds: elapsed,
    normaliser: { expectedEnergy: sim.expectedEnergy, meanEnergyRatio: sim.energy },
    workersByScheme: sim.workers,
    agreementWithFormula: agreements,
    formulaAtFullSize: fullFormula,
    decoding: Object.fromEntries(sim.lines.map((l) => [l.scheme, { trialsFullyDecodedAfterAllResults: l.fullTrials, maxFinalRelativeLoss: l.maxFinalLoss }])),
  };
  const files: FigureFiles['files'] = [];
  if (out.time) files.push({ path: `${out.time}.csv`, data: formatCsv(timeRows, CXR_TIME_COLUMNS) });
  if (out.received) files.push({ path: `${out.received}.csv`, data: formatCsv(recvRows, CXR_RECEIVED_COLUMNS) });
  files.push({ path: out.sidecar, data: `${JSON.stringify(sidecar, null, 2)}\n` });
  if (out.time) files.push(...(await renderSpecFiles(timeSpec(), out.time)));
  if (out.received) files.push(...(await renderSpecFiles(recvSpec(), out.received)));
  return { files, elapsedSeconds: elapsed };
}
