/**
 * `npm run stragglers [-- --part matrix|train|all] [--runs R] [--calls C] [--seeds 1,2,3]
 *   [--tmax 1.5,2.5,4] [--epochs E] [--limit N] [--jobs J] [--out DIR]`: the straggler comparison of
 * docs/stragglers.md, into <out> (default results/stragglers):
 *   matrix.{png,svg,csv}  normalised loss vs t per latency model (src/figures/stragglers-matrix.ts):
 *                         uncoded, MDS, NOW/EW × random/adaptive; R runs × C consecutive calls per
 *                         point, batch-means 99 % intervals; i.i.d. theory of the stationary marginal
 *   train.{png,svg,csv}   MNIST final test accuracy vs T_max (src/figures/stragglers-train.ts) under
 *                         markov persistence and the GCP bursts: uncoded, MDS, EW random, EW adaptive;
 *                         the runs in <out>/train-runs/runs/<name> (finished runs are skipped)
 *   stragglers.json       the command, seeds and parameters
 */
import { join, relative, resolve } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { iidTheory, LATENCY_PANELS, MATRIX_LINES, matrixChart, simulateLine, type MatrixPoint } from '../src/figures/stragglers-matrix.ts';
import { planStragglerRuns, readTrainPoints, summariseTrain, trainChart, trainLatencies } from '../src/training/stragglers-train.ts';
import { renderSpecFiles, type Row } from '../src/plot/index.ts';
import { loadTrainData } from '../src/training/index.ts';
import { runSweep, writeSweepPlan, type SweepEvent } from '../src/training/sweep.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { OptionError } from '../src/util/option-error.ts';
import { abortOnSignals, commandLine, isMainModule, runCommand } from './cli-common.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KEYS = ['seeds', 'epochs', 'limit', 'testLimit', 'jobs', 'out'] as const;
const DEFAULTS = { out: 'results/stragglers', epochs: 2, limit: 12800, testLimit: 10000, jobs: 1 };
const PARTS = ['matrix', 'train', 'all'] as const;

export async function stragglers(args: string[], log: (l: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(commandLine('Straggler comparison: matrix-level loss vs t per latency model, and MNIST accuracy vs T_max, under stragglers with memory and cloud traces.', args), KEYS, DEFAULTS)
    .option('part', { type: 'string', default: 'all', describe: 'matrix, train or all' })
    .option('runs', { type: 'number', default: 20, describe: 'matrix: independent runs per point (batches of the interval)' })
    .option('calls', { type: 'number', default: 100, describe: 'matrix: consecutive calls per run' })
    .option('times', { type: 'string', default: '0.5,1,1.5,2,2.5,3,3.5,4,5,6,8', describe: 'matrix: deadlines t, comma-separated' })
    .option('tmax', { type: 'string', default: '1.5,2.5,4', describe: 'train: deadlines T_max, comma-separated' })
    .option('seed', { type: 'number', default: 1, describe: 'matrix: seed of the Monte Carlo' })
    .parseSync();
  const v = resolveValues(KEYS, valuesFromArgv(argv as Record<string, unknown>, KEYS), DEFAULTS);
  const part = String(argv.part);
  if (!(PARTS as readonly string[]).includes(part)) throw new OptionError('part', `'${part}' is not one of ${PARTS.join(', ')}`);
  const int = (flag: string, x: unknown, min: number) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min) throw new OptionError(flag, `must be an integer ≥ ${min} (got ${String(x)})`, flag);
    return x;
  };
  const numbers = (flag: string, s: unknown) => {
    const xs = String(s).split(',').map(Number);
    if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x <= 0)) throw new OptionError(flag, `must be positive numbers, comma-separated (got ${String(s)})`, flag);
    return xs;
  };
  const runs = int('runs', argv.runs, 2);
  const calls = int('calls', argv.calls, 2);
  const seed = int('seed', argv.seed, 0);
  const times = numbers('times', argv.times);
  const tmaxes = numbers('tmax', argv.tmax);
  const dir = checkOutputDir(v.out as string);
  const written: string[] = [];
  const sidecar: Record<string, unknown> = { command: 'stragglers', args, date: new Date().toISOString() };

  if (part !== 'train') {
    const t0 = performance.now();
    const points: MatrixPoint[] = [];
    const theory: Row[] = [];
    for (const panel of LATENCY_PANELS) {
      for (const line of MATRIX_LINES) {
        points.push(...simulateLine(panel, line, times, runs, calls, seed));
        if (line.assign === 'random') for (const t of times) theory.push({ panel: panel.title, series: line.label, kind: 'i.i.d. theory', t, loss: iidTheory(panel, line, t) });
      }
      log(`matrix: ${panel.key} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    const theoryOf = (p: MatrixPoint) => theory.find((r) => r.panel === LATENCY_PANELS.find((q) => q.key === p.panel)!.title && r.series === p.line && r.t === p.t)?.loss ?? null;
    const rows = points.map((p) => ({ panel: p.panel, line: p.line, t: p.t, loss: p.mean, ci_low: p.low, ci_high: p.high, loss_last_half: p.meanLate, iid_theory: theoryOf(p) }));
    const subtitle = [
      `Fig. 3 setup (λ = 0.25, K = 1, W = 40; uncoded 9; Γ = (0.35, 0.35, 0.30)); ${runs} runs × ${calls} consecutive calls per point, seed ${seed}`,
      'points: simulation with 99 % batch-means intervals (one batch per run); dashed: i.i.d. theory under each model\'s stationary marginal (random lines)',
      'trace times scaled so that their median is ln 2/(λK) = 2.77, the median of the i.i.d. exponential; no shift',
    ];
    const spec = matrixChart(points, theory, subtitle);
    written.push(
      ...(await writeFilesAtomic([
        { path: join(dir, 'matrix.csv'), data: formatCsv(rows, ['panel', 'line', 't', 'loss', 'ci_low', 'ci_high', 'loss_last_half', 'iid_theory']) },
        ...(await renderSpecFiles(spec, join(dir, 'matrix'))),
      ])),
    );
    sidecar.matrix = { runs, calls, seed, times, panels: LATENCY_PANELS, lines: MATRIX_LINES, seconds: Math.round((performance.now() - t0) / 1000) };
  }

  if (part !== 'matrix') {
    const t0 = performance.now();
    const latencies = trainLatencies(relative(process.cwd(), join(ROOT, 'data', 'traces', 'gcp.csv')) || 'data/traces/gcp.csv');
    const seeds = v.seeds as number[];
    const common = { epochs: v.epochs, limit: v.limit, testLimit: v.testLimit };
    const plan = planStragglerRuns(latencies, tmaxes, seeds, common);
    loadTrainData(plan[0].resolved);
    const runsDir = join(dir, 'train-runs');
    log(`train: ${plan.length} runs (${v.epochs} epoch(s) on ${v.limit} examples, test on ${v.testLimit}), ${v.jobs} at a time, into ${relative(process.cwd(), runsDir)}`);
    const onEvent = (e: SweepEvent) => {
      if (e.type === 'done') log(`${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s [${e.finished}/${e.total}] ${e.run.name}: test acc ${e.result.finalTestAccuracy.toFixed(4)}`);
      else if (e.type === 'failed') log(`FAILED ${e.run.name}; see ${e.logPath}`);
    };
    const interrupt = abortOnSignals((sig) => `${sig}: stopping the running trainings; finished runs are kept`);
    try {
      await writeSweepPlan(runsDir, plan);
      await runSweep(plan, runsDir, { jobs: v.jobs as number, onEvent, signal: interrupt.signal });
    } finally {
      interrupt.dispose();
    }
    const points = readTrainPoints(join(runsDir, 'runs'), latencies, plan);
    const summary = summariseTrain(points);
    const subtitle = [
      `${v.epochs} epoch(s) on the first ${v.limit} MNIST training examples, test on ${v.testLimit}; seeds ${seeds.join(', ')}; dnn preset (λ 0.5, W 15, uncoded 9)`,
      `lines: mean over seeds, bands: min–max; ${points.length} of ${plan.length} runs finished`,
    ];
    written.push(
      ...(await writeFilesAtomic([
        { path: join(dir, 'train.csv'), data: formatCsv(summary, ['latency', 'line', 'tmax', 'seeds', 'mean', 'min', 'max']) },
        { path: join(dir, 'train-runs.csv'), data: formatCsv(points, ['latency', 'line', 'tmax', 'seed', 'accuracy']) },
        ...(await renderSpecFiles(trainChart(points, latencies, subtitle), join(dir, 'train'))),
      ])),
    );
    sidecar.train = { tmaxes, seeds, common, latencies: latencies.map((l) => ({ ...l, model: l.model.replace(/^bursts:.*gcp\.csv$/, 'bursts:data/traces/gcp.csv') })), finished: points.length, planned: plan.length, seconds: Math.round((performance.now() - t0) / 1000) };
  }
  written.push(...(await writeFilesAtomic([{ path: join(dir, `stragglers-${part}.json`), data: `${JSON.stringify(sidecar, null, 2)}\n` }])));
  return written;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    for (const p of await stragglers(hideBin(process.argv))) console.log(`wrote ${relative(process.cwd(), p)}`);
  });
}
