/**
 * What a latency model is: the time one worker needs for the whole single-worker task, as a
 * sampler and a CDF. With W workers the CDF is F(K·t) (every time divided by K; K = NP/W by
 * default, the paper's "W scaling"). Each model lives in its own file with its parameters, its
 * check, its CDF and its sampler, and is listed in registry.ts (like the codes).
 */
import type { Rng } from '../../util/rng.ts';

/** One latency model with its parameters fixed. */
export interface LatencyModel {
  readonly name: string;
  /** One draw of the single-worker completion time. */
  sample(rng: Rng): number;
  /** CDF F(t) of the single-worker time (used by the theory; for models with memory, their stationary marginal). */
  cdf(t: number): number;
  /**
   * Models with memory or with workers that depend on each other (markov, hetero, correlated,
   * bursts): the W single-worker times of the next call at product site `site`, drawn from the
   * model's own seeded state (LatencyParams.seed), which lives across the calls of a run per
   * (site, worker): each of the six products has its own pool of W workers. Absent: the workers
   * are i.i.d. draws of sample() from the call's rng. sample() and cdf() then give the stationary
   * marginal (what the i.i.d. theory uses).
   */
  callTimes?(site: number, workers: number): Float64Array;
  /** The state drawn so far that the seed alone does not show at a glance (e.g. hetero's rates), for config.json. */
  stateRecord?(): Record<string, unknown>;
  /** Throws OptionError('latency', …) when the model cannot serve W workers (e.g. a rate list of another length). */
  checkWorkers?(workers: number): void;
}

/** The parameters of every model, as the options give them (each model reads its own). */
export interface LatencyParams {
  /** Rate λ > 0 of the exponential part. */
  lambda: number;
  /** Start-up time ≥ 0 of the shifted exponential. */
  shift: number;
  /** Pareto scale xm > 0 and shape α > 0. */
  paretoScale: number;
  paretoShape: number;
  /** Shape k > 0 of the Gamma model (its rate is λ). Optional: only the Gamma model reads it. */
  gammaShape?: number;
  /**
   * Seed of the state of models with memory (callTimes): per site s its stream is
   * streamSeed(seed, 'latency-site', s). Optional: only those models read it (a training run
   * gives streamSeed(run seed, 'latency')).
   */
  seed?: number;
}

/** A registered latency model: its name, the parameters it reads, its check and its constructor. */
export interface LatencyModelDef<Name extends string = string> {
  readonly name: Name;
  /** The fields of LatencyParams this model reads. */
  readonly params: readonly (keyof LatencyParams)[];
  /** One line for help texts, e.g. "F(t) = 1 − e^{−λt}". */
  readonly describe: string;
  /**
   * Models selected as `name:ARG` (e.g. `trace-pool:FILE`): what ARG is, for help texts, and its
   * check (OptionError with key 'latency' when ARG is unusable, e.g. a missing file).
   */
  /**
   * `file`: the file on this machine the argument names (without reading it), for a model that
   * reads one; null for an argument that names no file. Required, so that a new model cannot
   * forget it: a queued job's file arguments are refused outside the worker's --allow-dir by it.
   */
  readonly arg?: { readonly placeholder: string; validate(arg: string): void; readonly file: ((arg: string) => string) | null };
  /** The model keeps a seeded state across calls (its LatencyModel has callTimes; LatencyParams.seed is recorded). */
  readonly stateful?: boolean;
  /** Throws OptionError naming the parameter when a value it reads is out of range. */
  check(p: LatencyParams, arg?: string): void;
  /** The model with these (checked) parameters (and ARG for models that take one). */
  create(p: LatencyParams, arg?: string): LatencyModel;
}
