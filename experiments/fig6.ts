/**
 * `npm run fig6`: the Fig. 6 sweep. Trains the baseline once per seed and every other scheme
 * once per (T_max, seed), as child processes of experiments/train.ts, `--jobs` at a time
 * (default: one per core), into <out>/runs/<name>; finished runs are skipped, so an interrupted
 * sweep resumes where it stopped. Then draws <out>/fig6.{png,svg}, <out>/fig6-test.{png,svg} and
 * writes <out>/summary.csv (see src/training/fig6-plot.ts).
 */
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { hideBin } from 'yargs/helpers';
import type { TrainingScheme } from '../src/coded-backprop/coded-multiply.ts';
import { drawFig6 } from '../src/training/fig6-plot.ts';
import { DEFAULT_EVAL_EVERY, TRAIN_SCHEMES } from '../src/training/run.ts';
import {
  FIG6_SCHEMES,
  FIG6_TMAX,
  planSweep,
  runSweep,
  type Launcher,
  type SweepEvent,
  type SweepOutcome,
} from '../src/training/sweep.ts';
import { BACKENDS } from '../src/util/backend.ts';
import {
  commandLine,
  isMainModule,
  outDir,
  parseChoiceList,
  parseInteger,
  parseNumberList,
  runCommand,
} from './cli-common.ts';
import { asFlagError } from './train.ts';

/** Default seeds: three, for a mean and a min–max band (≈ 13 min on 2 cores, see docs/fig6.md). */
export const DEFAULT_SEEDS = [1, 2, 3];

export interface Fig6Io {
  stdout?: NodeJS.WritableStream;
  /** Replaces the child-process launcher (tests). */
  launch?: Launcher;
  /** Install a SIGINT/SIGTERM handler that stops the sweep (default true). */
  handleSignals?: boolean;
}

export interface Fig6Result {
  outcome: SweepOutcome;
  /** Files drawn (empty when nothing finished). */
  written: string[];
  wallSeconds: number;
}

function fmtTmax(values: number[]): string {
  return values.map((v) => (v === Infinity ? 'inf' : String(v))).join(',');
}

/**
 * Runs the Fig. 6 command on `args` (argv without node and script).
 * @throws RangeError / UsageError naming the flag, before anything is run or written
 */
export async function fig6(args: string[], io: Fig6Io = {}): Promise<Fig6Result> {
  const out = io.stdout ?? process.stdout;
  const argv = commandLine('Fig. 6: MNIST accuracy with coded backpropagation, a sweep of training runs.', args)
    .option('seeds', { type: 'string', default: DEFAULT_SEEDS.join(','), describe: 'seeds, comma-separated' })
    .option('epochs', { type: 'number', default: 3 })
    .option('schemes', { type: 'string', default: FIG6_SCHEMES.join(','), describe: `schemes (${TRAIN_SCHEMES.join(', ')})` })
    .option('tmax', { type: 'string', default: fmtTmax([...FIG6_TMAX]), describe: 'deadlines T_max, comma-separated (inf allowed)' })
    .option('out', { type: 'string', default: 'results/fig6', describe: 'output directory' })
    .option('jobs', { type: 'number', default: availableParallelism(), describe: 'trainings run at once (default: number of cores)' })
    .option('lambda', { type: 'string', describe: 'rate λ of the worker times (train default 0.5)' })
    .option('eval-every', { type: 'number', default: DEFAULT_EVAL_EVERY, describe: 'test evaluation every K iterations' })
    .option('limit', { type: 'number', describe: 'train on the first N examples only' })
    .option('test-limit', { type: 'number', describe: 'evaluate on the first N test examples only' })
    .option('backend', { type: 'string', default: 'auto', choices: BACKENDS as unknown as string[] })
    .option('data-dir', { type: 'string', describe: 'folder of the MNIST IDX files' })
    .option('window', { type: 'number', default: 50, describe: 'moving-average window of the plotted training accuracy' })
    .parseSync();

  // Validate every flag, and every run's options, before running anything.
  const seeds = parseNumberList(argv.seeds, '--seeds', { integer: true, min: 0 });
  if (new Set(seeds).size !== seeds.length) throw new RangeError('--seeds: a seed is listed twice');
  const epochs = parseInteger(argv.epochs, '--epochs', 1);
  const schemes = parseChoiceList(argv.schemes, '--schemes', TRAIN_SCHEMES) as TrainingScheme[];
  const tmaxes = String(argv.tmax)
    .split(',')
    .map((tok) => (/^\s*(inf|infinity)\s*$/i.test(tok) ? Infinity : parseNumberList(tok, '--tmax', { length: 1 })[0]));
  if (tmaxes.some((t) => !(t > 0))) throw new RangeError(`--tmax: deadlines must be > 0, got ${argv.tmax}`);
  if (new Set(tmaxes).size !== tmaxes.length) throw new RangeError('--tmax: a deadline is listed twice');
  const jobs = parseInteger(argv.jobs, '--jobs', 1, 256);
  const window = parseInteger(argv.window, '--window', 1);
  const dir = outDir(argv.out, '--out');
  let plan;
  try {
    plan = planSweep({
      schemes,
      tmaxes,
      seeds,
      epochs,
      lambda: argv.lambda === undefined ? undefined : parseNumberList(argv.lambda, '--lambda', { length: 1 })[0],
      evalEvery: parseInteger(argv['eval-every'], '--eval-every', 0),
      limit: argv.limit === undefined ? undefined : parseInteger(argv.limit, '--limit', 1),
      testLimit: argv['test-limit'] === undefined ? undefined : parseInteger(argv['test-limit'], '--test-limit', 1),
      backend: argv.backend,
      dataDir: argv['data-dir'],
    });
  } catch (err) {
    throw asFlagError(err);
  }

  const t0 = performance.now();
  const total = plan.length;
  const rel = (p: string) => relative(process.cwd(), p) || p;
  out.write(`fig6: ${total} runs (${schemes.join(', ')}; T_max ${fmtTmax(tmaxes)}; seeds ${seeds.join(',')}; ${epochs} epoch(s)), ${jobs} at a time, into ${rel(dir)}\n`);
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s`;
  const onEvent = (e: SweepEvent) => {
    switch (e.type) {
      case 'skip':
        out.write(`${stamp()}  skip  ${e.run.name}: already complete (test acc ${e.result.finalTestAccuracy.toFixed(4)})\n`);
        break;
      case 'start':
        out.write(`${stamp()}  start ${e.run.name}\n`);
        break;
      case 'done':
        out.write(
          `${stamp()}  [${e.finished}/${e.total}] done ${e.run.name}: test acc ${e.result.finalTestAccuracy.toFixed(4)} ` +
            `(${e.result.msPerStep.toFixed(1)} ms/step, ${e.result.wallSeconds.toFixed(0)} s, ${e.result.backend})\n`,
        );
        break;
      case 'failed':
        out.write(
          `${stamp()}  [${e.finished}/${e.total}] FAILED ${e.run.name} (exit ${e.outcome.code ?? e.outcome.signal}); see ${rel(e.logPath)}\n`,
        );
        break;
    }
  };

  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.stderr.write(`${sig}: stopping the running trainings; finished runs are kept\n`);
    controller.abort();
  };
  const handle = io.handleSignals ?? true;
  if (handle) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let outcome: SweepOutcome;
  try {
    outcome = await runSweep(plan, dir, { jobs, launch: io.launch, onEvent, signal: controller.signal });
  } catch (err) {
    throw asFlagError(err);
  } finally {
    if (handle) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  out.write(
    `fig6: ${outcome.ran.length} run(s) trained, ${outcome.skipped.length} skipped (complete), ` +
      `${outcome.failed.length} failed, ${outcome.notStarted.length} not started; ${wallSeconds.toFixed(0)} s\n`,
  );
  let written: string[] = [];
  const finished = [...outcome.ran, ...outcome.skipped].map((r) => r.name);
  if (finished.length > 0) {
    written = await drawFig6(dir, finished, { window });
    for (const p of written) out.write(`wrote ${rel(p)}\n`);
  }
  if (controller.signal.aborted) {
    process.exitCode = 130;
  } else if (outcome.failed.length > 0) {
    throw new Error(`${outcome.failed.length} run(s) failed: ${outcome.failed.map((r) => r.name).join(', ')} (see ${rel(dir)}/logs)`);
  }
  return { outcome, written, wallSeconds };
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    await fig6(hideBin(process.argv));
  });
}
