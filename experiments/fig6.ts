/**
 * `npm run fig6`: the Fig. 6 sweep. Trains the baseline once per seed and every other scheme
 * once per (T_max, seed), in persistent run processes (src/training/run-pool.ts), `--jobs` at a
 * time (default: one per core), into <out>/runs/<name>; finished runs are skipped, so an
 * interrupted sweep resumes where it stopped. Then draws <out>/fig6.{png,svg},
 * <out>/fig6-test.{png,svg} and writes <out>/summary.csv (src/training/fig6-draw.ts).
 * With `--runtime threads|nats` the coded runs' products go to real workers, one run at a time,
 * into results/fig6-<runtime> by default, and <out>/fig6-wallclock.{png,svg} draws test accuracy
 * against the wall-clock seconds of the training steps.
 */
import { UserError } from '../src/util/user-error.ts';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hideBin } from 'yargs/helpers';
import type { TrainingScheme } from '../src/coded-backprop/index.ts';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { drawFig6 } from '../src/training/fig6-draw.ts';
import { checkModelRuntime, loadTrainData } from '../src/training/index.ts';
import { planSweep, runSweep, writeSweepPlan, type Launcher, type SweepEvent, type SweepOutcome } from '../src/training/sweep.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { describeRuntime, resolveRuntimeOptions, RUNTIME_CLI_OPTIONS } from '../src/runtime/options.ts';
import { openQueueFromArgv, QUEUE_CLI_OPTIONS } from '../src/queue/cli.ts';
import { abortOnSignals, commandLine, isMainModule, runCommand } from './cli-common.ts';

/** Options every run of the sweep shares (passed through to train). */
const COMMON_KEYS = ['epochs', 'lambda', 'evalEvery', 'limit', 'testLimit', 'backend', 'dataDir', 'trainDesign', 'designWarmup', 'designEvery', 'decoder', 'partition', 'packets', 'dataset', 'model', 'codeConv', 'lr'] as const;
const KEYS = ['seeds', 'schemes', 'tmaxes', ...COMMON_KEYS, 'out', 'jobs', 'window'];

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

/** The default output's suffix for a workload other than MNIST + the paper's MLP: '-<model>' (e.g. -cnn), else '-<dataset>' (-fashion). */
function workloadSuffix(dataset: unknown, model: unknown): string {
  const slug = (v: string) => v.replace(/[^a-z0-9-]+/gi, '-');
  if (typeof model === 'string' && model !== 'mlp') return `-${slug(model)}`;
  if (typeof dataset === 'string' && dataset !== 'mnist') return dataset === 'fashion-mnist' ? '-fashion' : `-${slug(dataset)}`;
  return '';
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
  const { trace: _trace, ...runtimeFlags } = RUNTIME_CLI_OPTIONS;
  const argv = withOptions(commandLine('Fig. 6: MNIST accuracy with coded backpropagation, a sweep of training runs.', args), KEYS, 'dnn')
    .options(runtimeFlags)
    .options(QUEUE_CLI_OPTIONS)
    .parseSync();

  // Validate every flag, every run's options and the data, before running anything.
  const given = valuesFromArgv(argv, KEYS);
  const v = resolveValues(['seeds', 'schemes', 'tmaxes', 'out', 'jobs', 'window'], {
    seeds: given.seeds,
    schemes: given.schemes,
    tmaxes: given.tmaxes,
    out: given.out ?? (argv.runtime === 'sim' ? `results/fig6${workloadSuffix(given.dataset, given.model)}` : `results/fig6-${String(argv.runtime)}`),
    jobs: given.jobs,
    window: given.window,
  });
  const seeds = v.seeds as number[];
  const schemes = v.schemes as TrainingScheme[];
  const tmaxes = v.tmaxes as number[];
  const runtimeOpts = resolveRuntimeOptions(argv);
  const real = runtimeOpts.runtime !== 'sim';
  // Real workers: one training at a time, so that runs do not share the cores (or the workers)
  // and each run's wall-clock numbers mean what they say.
  const jobs = real ? 1 : (v.jobs as number);
  if (real && given.jobs !== undefined && (given.jobs as number) > 1) out.write(`fig6: --runtime ${runtimeOpts.runtime} runs one training at a time (--jobs ${String(given.jobs)} ignored): parallel runs would share the cores and make wall-clock numbers meaningless\n`);
  const window = v.window as number;
  const dir = checkOutputDir(v.out as string);
  // Only the shared options the user gave are passed on: each run resolves the rest itself.
  const common = Object.fromEntries(COMMON_KEYS.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]));
  const plan = planSweep({ schemes, tmaxes, seeds, common });
  checkModelRuntime(plan[0].resolved, runtimeOpts.runtime);
  loadTrainData(plan[0].resolved);
  if (real) out.write(`${describeRuntime(runtimeOpts, tmaxes[0])} (first T_max); the baseline runs without workers\n`);

  const t0 = performance.now();
  const total = plan.length;
  const rel = (p: string) => relative(process.cwd(), p) || p;
  out.write(
    `fig6: ${total} runs (${schemes.join(', ')}; T_max ${fmtTmax(tmaxes)}; seeds ${seeds.join(',')}; ${plan[0].resolved.epochs} epoch(s)), ` +
      `${jobs} at a time, into ${rel(dir)} (about 25 s per run per core on full MNIST)\n`,
  );
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
      case 'left':
        out.write(`${stamp()}  [${e.finished}/${e.total}] left on the queue: ${e.run.name} (its workers go on; run the same command again to reattach)\n`);
        break;
    }
  };

  const queue = await openQueueFromArgv(argv, dir, (s) => out.write(s));
  const interrupt = abortOnSignals((sig) => `${sig}: stopping${queue ? ' (the queued runs stay with the workers; run again to reattach)' : ' the running trainings'}; finished runs are kept`, undefined, io.handleSignals ?? true);
  let outcome: SweepOutcome;
  try {
    await writeSweepPlan(dir, plan);
    outcome = await runSweep(plan, dir, { jobs: queue ? total : jobs, launch: queue?.launch ?? io.launch, onEvent, signal: interrupt.signal, ...(real ? { runtime: runtimeOpts } : {}) });
  } finally {
    interrupt.dispose();
    await queue?.close();
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  out.write(
    `fig6: ${outcome.ran.length} trained, ${outcome.skipped.length} skipped (complete), ` +
      `${outcome.failed.length} failed, ${outcome.leftOnQueue.length ? `${outcome.leftOnQueue.length} left on the queue, ` : ''}${outcome.notStarted.length} not started; ${wallSeconds.toFixed(0)} s\n`,
  );
  let written: string[] = [];
  const finished = [...outcome.ran, ...outcome.skipped].map((r) => r.name);
  if (finished.length > 0) {
    const partial = finished.length < total ? { present: finished.length, planned: total } : undefined;
    if (partial) out.write(`fig6: the sweep is not complete (${finished.length} of ${total} runs): drawing it as PARTIAL (fig6-partial*, summary-partial.csv)\n`);
    written = await drawFig6(dir, finished, { window, partial, onWarning: (m) => out.write(`warning: ${m}\n`) });
    for (const p of written) out.write(`wrote ${rel(p)}\n`);
  }
  const firstFailed = outcome.failed[0];
  if (firstFailed) {
    const log = readFileSync(join(dir, 'logs', `${firstFailed.name}.log`), 'utf8').trim().split('\n');
    out.write(`first failed run ${firstFailed.name}, last lines of its log:\n  ${log.slice(-8).join('\n  ')}\n`);
  }
  if (interrupt.signal.aborted) {
    process.exitCode = 130;
  } else if (outcome.failed.length > 0) {
    throw new UserError(`${outcome.failed.length} run${outcome.failed.length === 1 ? '' : 's'} failed: ${outcome.failed.map((r) => r.name).join(', ')} (see ${rel(dir)}/logs)`);
  }
  return { outcome, written, wallSeconds };
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    await fig6(hideBin(process.argv));
  });
}
