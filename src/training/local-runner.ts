/**
 * The in-process run executor: trains one configuration into one run directory, in this
 * process, reusing what an earlier run already loaded (the tfjs backend, and the MNIST splits of
 * the same `dataDir`/`limit`/`testLimit`/`batch`). It is the unit every long-lived executor is
 * built from: the sweep's persistent child processes (src/training/run-host.ts) call it for each
 * run they receive, and a queue worker (e.g. over JetStream) can call it directly.
 *
 * The run directory protocol is runTraining's (src/training/run-dir.ts): written into
 * `<dir>.partial-<pid>`, renamed to `<dir>` after config.json; an aborted run removes its
 * temporary directory. A run through this executor writes the same metrics.csv as
 * `npm run train` with the same options (step_ms aside): every random stream is named from the
 * run's seed, and nothing a run changes is carried to the next (tested).
 */
import { packedTestImages } from '../model/test-evaluator.ts';
import { initBackend } from '../util/backend.ts';
import { runTraining, type Progress, type RunMultiply, type RunResult, type RunTiming } from './run.ts';
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './train-config.ts';
import { loadTrainData, type TrainData } from './train-data.ts';

/** One run for an executor: its options (as given to `npm run train`) and its directory. */
export interface RunRequest {
  /** Catalogue options of the run (resolved with the `dnn` preset). */
  input: TrainConfigInput;
  /** Final run directory (absolute, or relative to this process's cwd). */
  dir: string;
  /** Real workers for a coded run (options the runner's {@link RealMultiplyFactory} understands); absent: the simulator. */
  runtime?: unknown;
}

/**
 * Starts real workers for one coded run: its multiply and how to stop them. Provided by the
 * process that hosts the runner (a command may import src/runtime; src/training does not).
 */
export type RealMultiplyFactory = (config: TrainConfig, runtime: unknown) => Promise<{ multiply: RunMultiply & { runtime: string }; close(): Promise<void> }>;

export interface LocalRunHooks {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Recorded in config.json as `argv`. */
  argv?: readonly string[];
  /** A real-worker multiply instead of the simulator's (see RunHooks.multiply). */
  multiply?: RunMultiply & { runtime: string };
  /** Filled in with the run's setup and writing times (see RunHooks.timing). */
  timing?: RunTiming;
}

/** Trains requests one after another in this process. */
export interface LocalRunner {
  /**
   * Resolves `req.input`, loads (or reuses) the data and backend, trains into `req.dir`.
   * @throws OptionError for bad options, RunAbortedError when `hooks.signal` aborts
   */
  run(req: RunRequest, hooks?: LocalRunHooks): Promise<RunResult>;
  /** Loads (or keeps) the data of `input` and the backend, so that its run starts training at once. */
  preload(input: TrainConfigInput): Promise<void>;
  /** The resolved configuration of a request (no I/O beyond checking dataDir). */
  resolve(input: TrainConfigInput): TrainConfig;
  /**
   * Runs finished by this runner, how many data loads they needed, and the milliseconds spent
   * loading data (with packing the test set for evaluations) and initialising the backend.
   */
  readonly stats: { runs: number; dataLoads: number; dataLoadMs: number; backendMs: number };
}

function dataKey(c: TrainConfig): string {
  return JSON.stringify([c.dataset, c.dataDir, c.limit, c.testLimit, c.batch]);
}

/** A runner keeping the last data set loaded (runs of a sweep share one). */
export function makeLocalRunner(realMultiply?: RealMultiplyFactory): LocalRunner {
  let cached: { key: string; data: TrainData } | null = null;
  const stats = { runs: 0, dataLoads: 0, dataLoadMs: 0, backendMs: 0 };
  const resolveIt = (input: TrainConfigInput) => resolveTrainConfig(input, 'dnn');
  const load = async (config: TrainConfig): Promise<TrainData> => {
    const key = dataKey(config);
    if (!cached || cached.key !== key) {
      cached = null;
      const t0 = performance.now();
      const data = loadTrainData(config);
      packedTestImages(data.test); // once per data set, not in every run's evaluator
      cached = { key, data };
      stats.dataLoads++;
      stats.dataLoadMs += performance.now() - t0;
    }
    const t1 = performance.now();
    await initBackend(config.backend);
    stats.backendMs += performance.now() - t1;
    return cached.data;
  };
  return {
    stats,
    resolve: resolveIt,
    async preload(input) {
      await load(resolveIt(input));
    },
    async run(req, hooks = {}) {
      const config = resolveIt(req.input);
      const data = await load(config);
      // the baseline has exact products and no workers: it runs in this process whatever the runtime
      if (req.runtime === undefined || config.coded === 'baseline') {
        const res = await runTraining(config, data, req.dir, hooks);
        stats.runs++;
        return res;
      }
      if (!realMultiply) throw new Error('local runner: a real runtime was asked for, but this process cannot start one');
      const real = await realMultiply(config, req.runtime);
      try {
        const res = await runTraining(config, data, req.dir, { ...hooks, multiply: real.multiply });
        stats.runs++;
        return res;
      } finally {
        await real.close();
      }
    },
  };
}
