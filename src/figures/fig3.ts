/**
 * Fig. 3: normalised loss E‖C − Ĉ‖²/E‖C‖² versus the deadline t, for NOW-UEP, EW-UEP (class and
 * product window granularity) and MDS: the formula of Sec. IV (lines; class granularity and MDS
 * only: product granularity has none) — with --schemes also uncoded and block repetition, each on its
 * own W where the figure's does not fit (src/montecarlo/setup.ts lineWorkers; CSV column workers) — and the Monte Carlo of the real codes (points with
 * confidence intervals; src/montecarlo). Builds the four files (CSV, JSON sidecar, SVG, PNG);
 * the command writes them.
 *   <base>.csv   t,scheme,granularity,method,normalized_loss,ci_low,ci_high,workers
 *   <base>.json  seed, every parameter, decoding diagnostics, agreement with the formula
 */
import { gridOf, hasTheory, lineKey, simulateByWorkers, theoryVsTime } from '../montecarlo/index.ts';
import { renderSpecFiles, type Row } from '../plot/index.ts';
import { formatCsv } from '../util/csv.ts';
import { confidenceInterval } from '../util/stats.ts';
import { agreement, type Agreement } from './agreement.ts';
import { GRANULARITY_LABELS, SCHEME_LABELS, labelsWithWorkers, workersNote, STYLE_FORMULA, STYLE_PRODUCT_MC, lossChart, type ChartRows } from './loss-chart.ts';
import type { FigureExtras, FigureFiles, McFigureRun } from './run.ts';
import { diagnosticsJson, sidecarBase, warningLines } from './sidecar.ts';

export const FIG3_COLUMNS = ['t', 'scheme', 'granularity', 'method', 'normalized_loss', 'ci_low', 'ci_high', 'workers'] as const;

/**
 * Runs the Monte Carlo of `run` at the deadlines `times` and builds the Fig. 3 files at `base`
 * (a path without extension). `args` are recorded in the sidecar. `extras` (e.g. the designed
 * codes of `fig3 --design`, src/design) are merged into the CSV, chart, sidecar and files.
 */
export async function fig3Files(
  run: McFigureRun,
  times: readonly number[],
  base: string,
  args: readonly string[],
  extras?: FigureExtras,
): Promise<FigureFiles> {
  const { setup } = run;
  const started = Date.now();
  const sim = await simulateByWorkers(setup, run.lines, {
    trials: run.trials,
    seed: run.seed,
    times,
    threads: run.threads,
    ...(run.onProgress ? { onProgress: run.onProgress } : {}),
  });
  const elapsed = (Date.now() - started) / 1000;

  const csvRows: Row[] = [];
  const chart: ChartRows = { lines: [], points: [] };
  const pointStride = Math.max(1, Math.ceil(times.length / 26));
  const agreements: Record<string, Agreement> = {};
  const labels = labelsWithWorkers(SCHEME_LABELS, Object.fromEntries(sim.lines.map((r) => [r.line.scheme, r.workers])), setup.workers);
  for (const r of sim.lines) {
    const { scheme, granularity } = r.line;
    const workers = r.workers;
    const theory = theoryVsTime(setup, r.line, times);
    const label = labels[scheme];
    const gran = GRANULARITY_LABELS[granularity];
    if (theory) {
      times.forEach((t, g) => {
        csvRows.push({ t, scheme, granularity, method: 'theory', normalized_loss: theory[g], workers });
        chart.lines.push({ t, loss: theory[g], scheme: label, style: STYLE_FORMULA, key: `${lineKey(r.line)}/theory` });
      });
      agreements[lineKey(r.line)] = agreement(r.byTime, theory, run.z);
    }
    r.byTime.forEach((e, g) => {
      const ci = confidenceInterval(e, run.z);
      const t = times[g];
      csvRows.push({ t, scheme, granularity, method: 'montecarlo', normalized_loss: e.mean, ci_low: ci.low, ci_high: ci.high, workers });
      if (!hasTheory(r.line)) chart.lines.push({ t, loss: e.mean, scheme: label, style: STYLE_PRODUCT_MC, key: `${lineKey(r.line)}/mc` });
      if (g % pointStride === 0 || g === times.length - 1) {
        chart.points.push({ t, loss: e.mean, lo: ci.low, hi: ci.high, scheme: label, granularity: gran });
      }
    });
  }

  if (extras) {
    csvRows.push(...extras.csvRows);
    chart.lines.push(...extras.lines);
    chart.points.push(...extras.points);
  }

  const { N, P, blocks: NP } = gridOf(setup);
  const spec = lossChart({
    title: 'Normalised loss vs deadline t',
    subtitle: [
      `W = ${setup.workers}, λ = ${setup.lambda}, K = ${setup.K}, Γ = (${setup.gamma.join(', ')}), σ² = (${setup.variances.join(', ')}), ` +
        `A ${N * setup.U}×${setup.M}, B ${setup.M}×${P * setup.Q}`,
      `lines: formula; points: Monte Carlo of the real codes, ${run.trials} trials, ${Math.round(run.confidence * 100)}% CI` +
        (pointStride > 1 ? ` (every ${pointStride}th t shown)` : ''),
      ...warningLines(sim),
      ...workersNote(sim.lines.map((r) => r.workers), setup.workers),
      ...(extras?.subtitle ?? []),
    ],
    x: { field: 't', title: 'deadline t' },
    yScale: run.yScale,
    rows: chart,
    lines: run.lines,
    schemeLabels: labels,
    ...(extras ? { extraStyles: extras.lineStyles, extraShapes: extras.pointShapes } : {}),
  });

  const sidecar = {
    ...sidecarBase('fig3', args, run, sim),
    times,
    elapsedSeconds: elapsed,
    workersByLine: Object.fromEntries(sim.lines.map((r) => [lineKey(r.line), r.workers])),
    agreementWithFormula: agreements,
    diagnostics: Object.fromEntries(sim.lines.map((r) => [lineKey(r.line), diagnosticsJson(r, NP)])),
    ...(extras ? { [extras.sidecarKey]: extras.sidecar } : {}),
  };
  return {
    files: [
      { path: `${base}.csv`, data: formatCsv(csvRows, FIG3_COLUMNS) },
      { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
      ...(await renderSpecFiles(spec, base)),
      ...(extras?.files ?? []),
    ],
    elapsedSeconds: elapsed,
  };
}
