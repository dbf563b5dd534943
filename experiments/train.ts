/**
 * `npm run train -- --scheme ew --tmax 0.5`: trains the MNIST MLP once with the backward
 * products computed by a straggler-prone coded multiplication (or exactly, --scheme baseline)
 * and writes <out>/metrics.csv (one row per step) and <out>/config.json.
 *
 * Every flag is validated, and the data is loaded, before anything is written. Training writes
 * into <out>.partial-<pid> and renames it to <out> after the last row and config.json (see
 * src/training/run.ts), so an interrupted run never leaves a directory that looks finished;
 * Ctrl-C (SIGINT) or SIGTERM removes the temporary directory and exits with code 130.
 */
import { noWorkersNote } from '../src/runtime/runtime.ts';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import type { RunResult } from '../src/training/index.ts';
import { TRAIN_KEYS } from '../src/training/train-keys.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { describeRuntime, resolveRuntimeOptions, RUNTIME_CLI_OPTIONS, startRuntime } from '../src/runtime/options.ts';
import { recordTrace, traceTimeUnit } from '../src/runtime/trace.ts';
import { abortOnSignals, commandLine, isMainModule, runCommand, UsageError } from './cli-common.ts';
import { isRunComplete, partialDirOf, runName } from '../src/training/run-dir.ts';
import type { PlannedRun } from '../src/training/sweep.ts';

const KEYS = [...TRAIN_KEYS, 'out', 'progressEvery'];

/** Where the command writes its lines. */
export interface TrainIo {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Install SIGINT/SIGTERM handlers that stop the run and remove its temporary directory (default true). */
  handleSignals?: boolean;
}

/**
 * Runs the train command on `args` (argv without node and script).
 * @returns the run's result (its directory is complete when this resolves)
 * @throws RangeError / UsageError naming the flag or file, before anything is written;
 *   RunAbortedError when interrupted
 */
export async function trainCommand(args: string[], io: TrainIo = {}): Promise<RunResult> {
  const out = io.stdout ?? process.stdout;
  const argv = withOptions(commandLine('Train a network (default: the paper\'s MNIST MLP) with coded (straggler-prone) backward products.', args), KEYS, 'dnn')
    .options(RUNTIME_CLI_OPTIONS)
    .option('force', { type: 'boolean', describe: 'replace a finished run in the output directory that was made with other options' })
    .parseSync();

  // 1. Resolve and check every option, then load the data (errors name the flag or the file),
  // before anything is written.
  const given = valuesFromArgv(argv, KEYS);
  const { out: outFlag, progressEvery: pe, ...trainGiven } = given;
  const cmd = resolveValues(['out', 'progressEvery'], { out: outFlag, progressEvery: pe });
  const progressEvery = cmd.progressEvery as number;
  resolveValues(TRAIN_KEYS, trainGiven, 'dnn'); // each value's own check (catalogue), as prepareRun does again below
  const runtimeOptions = resolveRuntimeOptions(argv);
  // The flags parsed above are checked; only now load the engine (tfjs: seconds), which the
  // remaining checks (the coded options, the data) need. A bad flag is refused before this.
  const [{ checkModelRuntime, prepareRun, progressPrinter, runTraining, totalIterations }, { initBackend }, { realRunMultiply }, { optionMismatches }] = await Promise.all([
    import('../src/training/index.ts'),
    import('../src/util/backend.ts'),
    import('../src/runtime/training.ts'),
    import('../src/training/sweep.ts'),
  ]);
  const { config: run, data } = prepareRun(trainGiven, 'dnn');
  const runtimeOpts = runtimeOptions;
  checkModelRuntime(run, runtimeOpts.runtime);
  const dir = checkOutputDir((cmd.out as string | null) ?? join('results', 'train', runName(run.scheme, run.tmax, run.seed)));
  // the default directory names only scheme, T_max and seed: a quick try must not silently replace a longer run
  if (!argv.force && isRunComplete(dir)) {
    const diff = optionMismatches(dir, { scheme: run.scheme, resolved: run } as PlannedRun, runtimeOpts.runtime);
    if (diff.length > 0) throw new UsageError(`--out: ${relative(process.cwd(), dir) || dir} holds a finished run made with other options (${diff.slice(0, 3).join('; ')}${diff.length > 3 ? '; …' : ''}): give another --out, or --force to replace it`);
  }

  // 3. Train.
  const backend = await initBackend(run.backend);
  const total = totalIterations(run, data.train.count);
  const what = run.scheme === 'baseline' ? 'baseline (exact products)' : `${run.scheme}, T_max ${run.tmax}, W ${run.workers}, λ ${run.lambda}`;
  out.write(`backend: ${backend}\n`);
  out.write(`training ${what}, seed ${run.seed}: ${run.epochs} epoch(s) × ${total / run.epochs} iterations on ${data.train.count} examples (${run.dataset}, model ${run.model}${run.codeConv ? ', convolutions coded' : ''})\n`);

  const onProgress = progressPrinter(out, progressEvery);
  const tmp = partialDirOf(dir);
  const interrupt = abortOnSignals(
    (sig) => `${out.isTTY ? '\n' : ''}${sig}: stopping after this step and removing ${relative(process.cwd(), tmp)}`,
    () => rmSync(tmp, { recursive: true, force: true }),
    io.handleSignals ?? true,
  );
  // real workers (--runtime threads|nats): started before training, closed after it
  const runtime = await startRuntime(runtimeOpts);
  if (runtime) out.write(`${describeRuntime(runtimeOpts, run.tmax ?? NaN)}\n`);
  // a lost server must be loud: while it is gone every product is zero-filled
  runtime?.onConnection?.((up) =>
    out.write(`${out.isTTY ? '\n' : ''}${up ? `runtime: reconnected to ${runtimeOpts.nats.server}` : `warning: lost the NATS server at ${runtimeOpts.nats.server}: until it is back, steps receive nothing and every coded product is zero-filled`}\n`),
  );
  const trace = runtime && runtimeOpts.trace ? recordTrace(runtime, traceTimeUnit(runtimeOpts.timing, run.tmax ?? Infinity)) : undefined;
  try {
    const multiply = runtime ? realRunMultiply(run, runtime, runtimeOpts.timing, runtimeOpts.runtime) : undefined;
    const onWarning = (m: string) => out.write(`${out.isTTY ? '\n' : ''}warning: ${m}\n`);
    const res = await runTraining(run, data, dir, { onProgress, onWarning, signal: interrupt.signal, argv: args, multiply });
    if (runtime) {
      const c = runtime.counters();
      out.write(`runtime: replies in time ${c.inTime} of ${c.tasks}, late ${c.late}, rejected ${Object.values(c.rejected).reduce((a, b) => a + b, 0)}${noWorkersNote(c)}\n`);
      if (trace && runtimeOpts.trace) {
        await trace.write(runtimeOpts.trace);
        out.write(`wrote ${runtimeOpts.trace} (arrival trace)\n`);
      }
    }
    out.write(
      `final test accuracy: ${res.finalTestAccuracy.toFixed(4)} (${res.iterations} iterations, ` +
        `${res.msPerStep.toFixed(2)} ms/step, ${res.wallSeconds.toFixed(1)} s)\n`,
    );
    out.write(`wrote ${relative(process.cwd(), join(dir, 'metrics.csv'))}\nwrote ${relative(process.cwd(), join(dir, 'config.json'))}\n`);
    return res;
  } finally {
    await runtime?.close();
    interrupt.dispose();
  }
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    try {
      await trainCommand(hideBin(process.argv));
    } catch (err) {
      // by name: importing the class here would load tfjs just to report a bad flag
      if (err instanceof Error && err.name === 'RunAbortedError') {
        process.stderr.write('interrupted: no output directory written\n');
        process.exitCode = 130;
        return;
      }
      throw err;
    }
  });
}
