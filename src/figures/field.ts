/**
 * The matrix-level figure of `npm run field` (issue 22): normalised loss E‖C − Ĉ‖²/E‖C‖² against
 * the deadline t and against the number of results, for UEP and the field's codes, on two setups:
 *   3x3: the Fig. 3 setup (σ² = 10, 1, 0.1 per level, one block per level, λ = 0.25);
 *   9x1: the 1-D grid where BACC lives: A's 9 row blocks in 3 levels (class table 0/0/0/1/1/1/2/2/2), B whole.
 * Every code runs with its own Table III worker count W and per-worker load K = N·P/W (each worker
 * one block product with 1/W of the compute: time Exp(λ·K)), stated in the legend. Lines: formula
 * where one exists (else the Monte Carlo mean, dashed); points: Monte Carlo of the real codes with
 * 95% intervals. EW with designed Γ: the formula with Γ optimised at each t (src/design), and Monte
 * Carlo points at t = 1, 2, 4 with the Γ optimal there.
 *   field-<setup>-time.{csv,svg,png}, field-<setup>-received.{csv,svg,png}, field.json (seed, setups, agreement)
 */
import { type LineSpec, type McScheme, type MonteCarloSetup, PAPER_MC_SETUP, confidenceInterval, gridOf, hasTheory, lineKey, simulateParallel, theoryVsReceived, theoryVsTime } from '../montecarlo/index.ts';
import { renderSpecFiles, type Row } from '../plot/index.ts';
import { formatCsv } from '../util/csv.ts';
import { streamSeed } from '../util/rng.ts';
import type { FileToWrite } from '../util/atomic-write.ts';
import { agreement } from './agreement.ts';
import { lossChart, SCHEME_LABELS, STYLE_FORMULA, STYLE_PRODUCT_MC, type ChartRows } from './loss-chart.ts';
import { getCode } from '../coded-backprop/plan-api.ts';

/** Each code's Table III worker count (product: N·P + N + P + 1). */
function workersOf(scheme: McScheme, N: number, P: number): number {
  return getCode(scheme).defaultWorkers({ N, P, levels: 3, classSizes: [] });
}

export interface FieldSetup {
  key: string;
  title: string;
  setup: MonteCarloSetup;
  schemes: McScheme[];
  times: number[];
}

/** The two setups of the figure. */
export function fieldSetups(): FieldSetup[] {
  const times = Array.from({ length: 41 }, (_, g) => g * 0.5);
  const base: MonteCarloSetup = { ...PAPER_MC_SETUP, workers: 15, K: 0.6 };
  return [
    { key: '3x3', title: 'Fig. 3 setup, 3×3 grid', setup: base, schemes: ['uncoded', 'rep', 'mds', 'sysmds', 'product', 'now', 'ew'], times },
    {
      key: '9x1',
      title: '1-D setup, 9×1 grid (A’s row blocks, B whole)',
      setup: { ...base, rowBlocks: 9, colBlocks: 1, classTable: [[0], [0], [0], [1], [1], [1], [2], [2], [2]] },
      schemes: ['uncoded', 'rep', 'mds', 'sysmds', 'now', 'ew', 'bacc'],
      times,
    },
  ];
}

/** EW with designed Γ on a setup: the formula with Γ optimised at each deadline, and Monte Carlo points (src/design, given by the command: figures do not import design). */
export interface DesignedEw {
  curve: number[];
  points: { t: number; gamma: number[]; formula: number; mean: number; ciLow: number; ciHigh: number; seed: number }[];
}

export interface FieldRunOptions {
  trials: number;
  seed: number;
  threads: number;
  /** EW with Γ designed at each of `times` (formula) and at `pointTimes` (Monte Carlo). */
  designedEw: (setup: MonteCarloSetup, times: readonly number[], pointTimes: readonly number[]) => Promise<DesignedEw>;
  onProgress?: (message: string) => void;
}

const Z95 = 1.959964;
const DESIGN_TIMES = [1, 2, 4];

/** The files of the matrix-level figure (written by the caller into `dir`). */
export async function fieldMatrixFiles(dir: string, o: FieldRunOptions, args: readonly string[]): Promise<FileToWrite[]> {
  const files: FileToWrite[] = [];
  const sidecar: Record<string, unknown> = { command: 'field', args, seed: o.seed, trials: o.trials, setups: {} };
  for (const fs of fieldSetups()) {
    const { N, P, blocks } = gridOf(fs.setup);
    const time: ChartRows = { lines: [], points: [] };
    const recv: ChartRows = { lines: [], points: [] };
    const timeCsv: Row[] = [];
    const recvCsv: Row[] = [];
    const labels = { ...SCHEME_LABELS };
    const lines: LineSpec[] = [];
    const agreements: Record<string, unknown> = {};
    const perLine: Record<string, { workers: number; K: number }> = {};
    for (const scheme of fs.schemes) {
      const W = workersOf(scheme, N, P);
      const K = blocks / W;
      const setup: MonteCarloSetup = { ...fs.setup, workers: W, K };
      const line: LineSpec = { scheme, granularity: 'class' };
      lines.push(line);
      const label = `${SCHEME_LABELS[scheme]} (W = ${W}, K = ${Number(K.toPrecision(3))})`;
      labels[scheme] = label;
      perLine[scheme] = { workers: W, K };
      o.onProgress?.(`${fs.key} ${scheme}: ${o.trials} trials`);
      const sim = await simulateParallel(setup, [line], { trials: o.trials, seed: streamSeed(o.seed, `field/${fs.key}/${scheme}`), times: fs.times, threads: o.threads });
      const r = sim.lines[0];
      const thT = theoryVsTime(setup, line, fs.times);
      const thN = theoryVsReceived(setup, line);
      const style = hasTheory(line) ? STYLE_FORMULA : STYLE_PRODUCT_MC;
      fs.times.forEach((t, g) => {
        const e = r.byTime[g];
        const ci = confidenceInterval(e, Z95);
        const y = thT ? thT[g] : e.mean;
        time.lines.push({ t, loss: y, scheme: label, style, key: `${lineKey(line)}/line` });
        if (g % 2 === 0) time.points.push({ t, loss: e.mean, lo: ci.low, hi: ci.high, scheme: label, granularity: 'class windows' });
        timeCsv.push({ setup: fs.key, t, scheme, workers: W, K, formula: thT ? thT[g] : '', montecarlo: e.mean, ci_low: ci.low, ci_high: ci.high });
      });
      r.byReceived.forEach((e, n) => {
        const ci = confidenceInterval(e, Z95);
        const y = thN ? thN[n] : e.mean;
        recv.lines.push({ received: n, loss: y, scheme: label, style, key: `${lineKey(line)}/line` });
        recv.points.push({ received: n, loss: e.mean, lo: ci.low, hi: ci.high, scheme: label, granularity: 'class windows' });
        recvCsv.push({ setup: fs.key, received: n, scheme, workers: W, K, formula: thN ? thN[n] : '', montecarlo: e.mean, ci_low: ci.low, ci_high: ci.high });
      });
      if (thT && thN) agreements[scheme] = { time: agreement(r.byTime, thT, Z95), received: agreement(r.byReceived, thN, Z95) };
    }
    // EW with Γ designed at each t (formula envelope; Monte Carlo points at DESIGN_TIMES)
    const W = 15;
    const designSetup: MonteCarloSetup = { ...fs.setup, workers: W, K: blocks / W };
    o.onProgress?.(`${fs.key} EW designed Γ`);
    const { curve, points: pts } = await o.designedEw(designSetup, fs.times, DESIGN_TIMES);
    const dLabel = `EW-UEP, designed Γ (W = ${W}, K = ${Number((blocks / W).toPrecision(3))})`;
    curve.forEach((loss, g) => {
      time.lines.push({ t: fs.times[g], loss, scheme: dLabel, style: STYLE_FORMULA, key: 'ew-designed/line' });
      timeCsv.push({ setup: fs.key, t: fs.times[g], scheme: 'ew-designed', workers: W, K: blocks / W, formula: loss, montecarlo: '', ci_low: '', ci_high: '' });
    });
    for (const p of pts) {
      time.points.push({ t: p.t, loss: p.mean, lo: p.ciLow, hi: p.ciHigh, scheme: dLabel, granularity: 'class windows' });
      timeCsv.push({ setup: fs.key, t: p.t, scheme: 'ew-designed', workers: W, K: blocks / W, formula: p.formula, montecarlo: p.mean, ci_low: p.ciLow, ci_high: p.ciHigh });
    }
    const subtitle = [
      `${fs.title}: A ${N * fs.setup.U}×${fs.setup.M}, B ${fs.setup.M}×${P * fs.setup.Q}, σ² = (${fs.setup.variances.join(', ')}) by level, λ = ${fs.setup.lambda}, Γ = (${fs.setup.gamma.join(', ')}) for NOW/EW`,
      `every worker computes one block product with time Exp(λ·K), K = N·P/W (Table III’s load normalisation); W and K in the legend`,
      `lines: formula (dashed: Monte Carlo mean where none exists); points: Monte Carlo of the real codes, ${o.trials} trials, 95% CI`,
    ];
    const common = { yScale: 'linear' as const, lines, schemeLabels: labels, extraStyles: [], extraShapes: [] };
    const tSpec = lossChart({ ...common, extraSchemes: [dLabel], title: `Normalised loss vs deadline t — ${fs.title}`, subtitle, x: { field: 't', title: 'deadline t' }, rows: time });
    const nSpec = lossChart({ ...common, title: `Normalised loss vs results received — ${fs.title}`, subtitle: subtitle.slice(0, 1).concat(['lines: formula (dashed: Monte Carlo mean where none exists); points: Monte Carlo of the real codes']), x: { field: 'received', title: 'number of results received' }, rows: recv });
    const tb = `${dir}/field-${fs.key}-time`;
    const nb = `${dir}/field-${fs.key}-received`;
    files.push({ path: `${tb}.csv`, data: formatCsv(timeCsv, ['setup', 't', 'scheme', 'workers', 'K', 'formula', 'montecarlo', 'ci_low', 'ci_high']) });
    files.push({ path: `${nb}.csv`, data: formatCsv(recvCsv, ['setup', 'received', 'scheme', 'workers', 'K', 'formula', 'montecarlo', 'ci_low', 'ci_high']) });
    files.push(...(await renderSpecFiles(tSpec, tb)), ...(await renderSpecFiles(nSpec, nb)));
    (sidecar.setups as Record<string, unknown>)[fs.key] = {
      setup: fs.setup,
      lines: perLine,
      agreementWithFormula: agreements,
      ewDesigned: { times: DESIGN_TIMES, points: pts.map((p) => ({ t: p.t, gamma: p.gamma, formula: p.formula, mean: p.mean, ciLow: p.ciLow, ciHigh: p.ciHigh, seed: p.seed })) },
    };
  }
  files.push({ path: `${dir}/field.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` });
  return files;
}
