/**
 * Fig. 4: normalised loss versus the number N of received results (N = 0..W), for NOW-UEP,
 * EW-UEP (class and product window granularity) and MDS: the formula ℓ(N) of Sec. IV (lines;
 * none for product granularity) and the Monte Carlo of the real codes (points with confidence
 * intervals). The arrival order of i.i.d. worker times is a uniformly random permutation
 * whatever the latency model's rate, so λ and K play no part here.
 *
 * Writes, all validated before anything is computed and written together at the end:
 *   <out>/fig4.csv   received,scheme,granularity,method,normalized_loss,ci_low,ci_high
 *   <out>/fig4.json  seed, every parameter, decoding diagnostics, agreement with the formula
 *   <out>/fig4.svg, <out>/fig4.png
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import {
  PAPER_MC_SETUP,
  confidenceInterval,
  hasTheory,
  levelsOf,
  lineKey,
  simulateParallel,
  theoryVsReceived,
  type MonteCarloSetup,
} from '../src/montecarlo/index.ts';
import type { Row } from '../src/plot/index.ts';
import { renderSpecFiles } from '../src/plot/index.ts';
import { writeFilesAtomic, type FileToWrite } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, reportBackend, reportWritten, runCommand } from './cli-common.ts';
import {
  GRANULARITY_LABELS,
  SCHEME_LABELS,
  STYLE_FORMULA,
  STYLE_PRODUCT_MC,
  agreement,
  commonFlags,
  diagnosticsJson,
  lossChart,
  parseChoice,
  parseCommonFlags,
  progressReporter,
  sidecarBase,
  warningLines,
  type Agreement,
  type ChartRows,
} from './fig3.ts';

export const FIG4_COLUMNS = ['received', 'scheme', 'granularity', 'method', 'normalized_loss', 'ci_low', 'ci_high'] as const;

/**
 * Fig. 4 with the given args (argv without node and script): validates every flag, runs the
 * Monte Carlo, renders and writes the four files as a group.
 * @returns the paths written (CSV, JSON, SVG, PNG)
 * @throws RangeError / UsageError naming the flag on bad input, before anything is computed or written
 */
export async function fig4(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = commandLine('Fig. 4: normalised loss vs number of received results — formula and Monte Carlo of the real codes.', args)
    .options(commonFlags('results/fig4'))
    .option('y-scale', { type: 'string', default: 'linear', describe: 'y axis of the plot: linear or log' })
    .parseSync();

  const flags = parseCommonFlags(argv as Record<string, unknown>);
  const yScale = parseChoice(argv['y-scale'], '--y-scale', ['linear', 'log'] as const);
  // Only the arrival order matters; any rate gives the same (uniformly random) order.
  const setup: MonteCarloSetup = { ...flags.base, lambda: PAPER_MC_SETUP.lambda, K: PAPER_MC_SETUP.K };
  const W = setup.workers;

  log(`fig4: ${flags.trials} trials, seed ${flags.seed}, lines ${flags.lines.map(lineKey).join(', ')}, N = 0..${W}, ${flags.threads} thread(s)`);
  const started = Date.now();
  const sim = await simulateParallel(setup, flags.lines, {
    trials: flags.trials,
    seed: flags.seed,
    threads: flags.threads,
    ...(flags.progress ? { onProgress: progressReporter('fig4 Monte Carlo') } : {}),
  });
  const elapsed = (Date.now() - started) / 1000;

  const csvRows: Row[] = [];
  const chart: ChartRows = { lines: [], points: [] };
  const agreements: Record<string, Agreement> = {};
  for (const r of sim.lines) {
    const { scheme, granularity } = r.line;
    const theory = theoryVsReceived(setup, r.line);
    const label = SCHEME_LABELS[scheme];
    if (theory) {
      theory.forEach((v, received) => {
        csvRows.push({ received, scheme, granularity, method: 'theory', normalized_loss: v });
        chart.lines.push({ received, loss: v, scheme: label, style: STYLE_FORMULA, key: `${lineKey(r.line)}/theory` });
      });
      agreements[lineKey(r.line)] = agreement(r.byReceived, theory, flags.z);
    }
    r.byReceived.forEach((e, received) => {
      const ci = confidenceInterval(e, flags.z);
      csvRows.push({ received, scheme, granularity, method: 'montecarlo', normalized_loss: e.mean, ci_low: ci.low, ci_high: ci.high });
      if (!hasTheory(r.line)) chart.lines.push({ received, loss: e.mean, scheme: label, style: STYLE_PRODUCT_MC, key: `${lineKey(r.line)}/mc` });
      chart.points.push({ received, loss: e.mean, lo: ci.low, hi: ci.high, scheme: label, granularity: GRANULARITY_LABELS[granularity] });
    });
  }

  const spec = lossChart({
    title: 'Normalised loss vs number of received results',
    subtitle: [
      `W = ${W}, Γ = (${setup.gamma.join(', ')}), σ² = (${setup.variances.join(', ')}), ` +
        `A ${levelsOf(setup) * setup.U}×${setup.M}, B ${setup.M}×${levelsOf(setup) * setup.Q}`,
      `lines: formula ℓ(N) (steps: defined at integer N); points: Monte Carlo of the real codes, ${flags.trials} trials, ` +
        `${Math.round(flags.confidence * 100)}% CI`,
      ...warningLines(sim),
    ],
    x: { field: 'received', title: 'number of received results N' },
    yScale,
    rows: chart,
    lines: flags.lines,
    interpolate: 'step-after',
  });

  const base = join(flags.dir, 'fig4');
  const sidecar = {
    ...sidecarBase('fig4', args, flags, setup, sim),
    note: 'worker times are drawn (Exp(λK)) only to order the arrivals; the order, and so every number here, does not depend on λ or K',
    received: Array.from({ length: W + 1 }, (_, n) => n),
    elapsedSeconds: elapsed,
    agreementWithFormula: agreements,
    diagnostics: Object.fromEntries(sim.lines.map((r) => [lineKey(r.line), diagnosticsJson(r, levelsOf(setup) ** 2)])),
  };
  const files: FileToWrite[] = [
    { path: `${base}.csv`, data: formatCsv(csvRows, FIG4_COLUMNS) },
    { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
    ...(await renderSpecFiles(spec, base)),
  ];
  const written = await writeFilesAtomic(files);
  log(`fig4: Monte Carlo took ${elapsed.toFixed(1)} s`);
  return written;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportBackend(FLOAT64_BACKEND);
    reportWritten(await fig4(hideBin(process.argv)));
  });
}
