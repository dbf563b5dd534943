/**
 * The sweep's unit of work and how it is started: a planned run (name, options as given and as
 * resolved, the equivalent `npm run train` flags) and a Launcher, which trains it into a run
 * directory somewhere (a child process per run, or a persistent run process) and reports how
 * it ended.
 */
import type { TrainingScheme } from '../coded-backprop/index.ts';
import type { TrainConfig, TrainConfigInput } from './train-config.ts';

export interface PlannedRun {
  name: string;
  scheme: TrainingScheme;
  tmax: number | null;
  seed: number;
  /** The options as given (what a run executor resolves again). */
  given: TrainConfigInput;
  /** Resolved options (validated), as the executor will resolve them from `given` or `args`. */
  resolved: TrainConfig;
  /** The same options as flags of experiments/train.ts, without --out. */
  args: string[];
}

/** How one run ended, as a process would say it: code 0 done, 130 interrupted, other failed. */
export interface LaunchOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Interrupted here, but the run goes on elsewhere (a queued run stays with the workers). */
  leftOnQueue?: boolean;
}

/** Starts one run writing `dir`, its output going to `logPath`; `done` resolves when it ends. */
export type Launcher = (run: PlannedRun, dir: string, logPath: string) => { done: Promise<LaunchOutcome>; kill: (sig: NodeJS.Signals) => void };
