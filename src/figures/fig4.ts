/**
 * Fig. 4: normalised loss versus the number N of received results (N = 0..W), for NOW-UEP,
 * EW-UEP (class and product window granularity) and MDS: the formula ℓ(N) of Sec. IV (lines;
 * none for product granularity) — with --schemes also uncoded and block repetition, each on its
 * own W where the figure's does not fit (src/montecarlo/setup.ts lineWorkers; CSV column workers) — and the Monte Carlo of the real codes (points with confidence
 * intervals). The arrival order of i.i.d. worker times is a uniformly random permutation
 * whatever the latency model's rate, so λ and K play no part here. Builds the four files:
 *   <base>.csv   received,scheme,granularity,method,normalized_loss,ci_low,ci_high,workers
 *   <base>.json  seed, every parameter, decoding diagnostics, agreement with the formula
 */
import { gridOf, hasTheory, lineKey, simulateByWorkers, theoryVsReceived } from '../montecarlo/index.ts';
import { renderSpecFiles, type Row } from '../plot/index.ts';
import { formatCsv } from '../util/csv.ts';
import { confidenceInterval } from '../util/stats.ts';
import { agreement, type Agreement } from './agreement.ts';
import { GRANULARITY_LABELS, SCHEME_LABELS, labelsWithWorkers, workersNote, STYLE_FORMULA, STYLE_PRODUCT_MC, lossChart, type ChartRows } from './loss-chart.ts';
import type { FigureFiles, McFigureRun } from './run.ts';
import { diagnosticsJson, sidecarBase, warningLines } from './sidecar.ts';

export const FIG4_COLUMNS = ['received', 'scheme', 'granularity', 'method', 'normalized_loss', 'ci_low', 'ci_high', 'workers'] as const;

/** Runs the Monte Carlo of `run` and builds the Fig. 4 files at `base` (a path without extension). */
export async function fig4Files(run: McFigureRun, base: string, args: readonly string[]): Promise<FigureFiles> {
  const { setup } = run;
  const W = setup.workers;
  const started = Date.now();
  const sim = await simulateByWorkers(setup, run.lines, {
    trials: run.trials,
    seed: run.seed,
    threads: run.threads,
    ...(run.onProgress ? { onProgress: run.onProgress } : {}),
  });
  const elapsed = (Date.now() - started) / 1000;

  const csvRows: Row[] = [];
  const chart: ChartRows = { lines: [], points: [] };
  const agreements: Record<string, Agreement> = {};
  const labels = labelsWithWorkers(SCHEME_LABELS, Object.fromEntries(sim.lines.map((r) => [r.line.scheme, r.workers])), setup.workers);
  for (const r of sim.lines) {
    const { scheme, granularity } = r.line;
    const workers = r.workers;
    const theory = theoryVsReceived(setup, r.line);
    const label = labels[scheme];
    if (theory) {
      theory.forEach((v, received) => {
        csvRows.push({ received, scheme, granularity, method: 'theory', normalized_loss: v, workers });
        chart.lines.push({ received, loss: v, scheme: label, style: STYLE_FORMULA, key: `${lineKey(r.line)}/theory` });
      });
      agreements[lineKey(r.line)] = agreement(r.byReceived, theory, run.z);
    }
    r.byReceived.forEach((e, received) => {
      const ci = confidenceInterval(e, run.z);
      csvRows.push({ received, scheme, granularity, method: 'montecarlo', normalized_loss: e.mean, ci_low: ci.low, ci_high: ci.high, workers });
      if (!hasTheory(r.line)) chart.lines.push({ received, loss: e.mean, scheme: label, style: STYLE_PRODUCT_MC, key: `${lineKey(r.line)}/mc` });
      chart.points.push({ received, loss: e.mean, lo: ci.low, hi: ci.high, scheme: label, granularity: GRANULARITY_LABELS[granularity] });
    });
  }

  const { N, P, blocks: NP } = gridOf(setup);
  const spec = lossChart({
    title: 'Normalised loss vs number of received results',
    subtitle: [
      `W = ${W}, Γ = (${setup.gamma.join(', ')}), σ² = (${setup.variances.join(', ')}), ` +
        `A ${N * setup.U}×${setup.M}, B ${setup.M}×${P * setup.Q}`,
      `lines: formula ℓ(N) (steps: defined at integer N); points: Monte Carlo of the real codes, ${run.trials} trials, ` +
        `${Math.round(run.confidence * 100)}% CI`,
      ...warningLines(sim),
      ...workersNote(sim.lines.map((r) => r.workers), setup.workers),
    ],
    x: { field: 'received', title: 'number of received results N' },
    yScale: run.yScale,
    rows: chart,
    lines: run.lines,
    schemeLabels: labels,
    interpolate: 'step-after',
  });

  const sidecar = {
    ...sidecarBase('fig4', args, run, sim),
    note: 'worker times are drawn (Exp(λK)) only to order the arrivals; the order, and so every number here, does not depend on λ or K',
    received: Array.from({ length: W + 1 }, (_, n) => n),
    elapsedSeconds: elapsed,
    workersByLine: Object.fromEntries(sim.lines.map((r) => [lineKey(r.line), r.workers])),
    agreementWithFormula: agreements,
    diagnostics: Object.fromEntries(sim.lines.map((r) => [lineKey(r.line), diagnosticsJson(r, NP)])),
  };
  return {
    files: [
      { path: `${base}.csv`, data: formatCsv(csvRows, FIG4_COLUMNS) },
      { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
      ...(await renderSpecFiles(spec, base)),
    ],
    elapsedSeconds: elapsed,
  };
}
