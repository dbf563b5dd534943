/**
 * What happens in one coded multiplication before any matrix arithmetic: the code's tasks and
 * coefficient rows, the workers' completion times, the received set and its decoding. Both
 * executors (float64 reference, tfjs tensors) run the same plan, drawn from the rng in one order:
 * code coefficients first, then worker times.
 */
import type { Rng } from '../util/rng.ts';
import { coefficientRow, type WorkerTask } from './codes/code.ts';
import { type DecodeResult, decodeReceived } from './decode.ts';
import { receivedBy, workerTimes } from './latency.ts';
import type { ResolvedCodedOptions } from './options.ts';
import { axisScores, type BlockLayout, type GridOptions, layoutOfSplits, makeLayout, originalOrder } from './partition.ts';
import type { CodedMatMulStats } from './types.ts';

export interface CallPlan {
  layout: BlockLayout;
  /** One task per worker. */
  tasks: WorkerTask[];
  /** Coefficient row (length N·P) of every received worker, in arrival order (aligned with `received`). */
  coef: Float64Array[];
  /** Completion time of every worker. */
  times: Float64Array;
  /** Workers received before T_max, in arrival order. */
  received: number[];
  /** Decoding of the received set (its columns follow `received`). */
  decode: DecodeResult;
}

/** The block layout of A: m×M and B: M×p (row-major data) under the options' ordering and grid. */
export function layoutFor(a: ArrayLike<number>, m: number, M: number, b: ArrayLike<number>, p: number, opts: ResolvedCodedOptions): BlockLayout {
  return layoutOfScores(axisScores(a, m, M, false, opts.ordering), axisScores(b, M, p, true, opts.ordering), opts);
}

/** The block layout from A's row scores and B's column scores (as axisScores gives them under opts.ordering). */
export function layoutOfScores(rowScores: ArrayLike<number>, colScores: ArrayLike<number>, opts: ResolvedCodedOptions): BlockLayout {
  return makeLayout(rowScores, colScores, gridOptionsOf(opts));
}

/** The r×c grid of resolved options (partition cxr has none). */
function gridOptionsOf(opts: ResolvedCodedOptions): GridOptions {
  if (opts.partition === 'cxr') throw new RangeError('r×c block layout asked for partition cxr options (use the cxr/ executors)');
  return { rowBlocks: opts.grid.N, colBlocks: opts.grid.P, levels: opts.grid.levels, classTable: opts.grid.classTable };
}

/**
 * The grid of an m×p product without its ordering (rows and columns in their original order):
 * everything a plan depends on — block counts and sizes, levels, classes — and nothing of A's
 * and B's values. layoutFor gives the same layout with the ordering.
 */
export function gridLayout(m: number, p: number, opts: ResolvedCodedOptions): BlockLayout {
  const grid = gridOptionsOf(opts);
  return layoutOfSplits(originalOrder(m, grid.rowBlocks), originalOrder(p, grid.colBlocks), grid);
}

/** Which call of a run a plan is for: the step and the product (site index) within it. */
export interface CallTag {
  step: number;
  product: number;
}

/**
 * The plan of one call. Under a trace replay (opts.replay) the worker times are the recorded
 * ones of call `tag` (required then); the model's draws are still made first, so the rng stays
 * aligned with the recorded run's. With an assignment policy (opts.assigner: fixed, adaptive) the
 * code's tasks are handed out by rank after the times are drawn (they do not depend on it), and
 * the policy is told what the parameter server saw: the in-time workers and their times (unless
 * `observe` is false: a real runtime reports its own arrivals).
 */
export function planCall(layout: BlockLayout, opts: ResolvedCodedOptions, rng: Rng, tag?: CallTag, observe = true): CallPlan {
  const drawn = opts.code.encode(layout, opts, rng);
  let times = workerTimes(opts.latency, opts.workers, opts.K, rng, tag?.product ?? 0);
  if (opts.replay) {
    if (!tag) throw new RangeError('planCall: a trace replay needs the call tag (step, product) of every call');
    times = opts.replay.times(tag.step, tag.product);
  }
  const site = tag?.product ?? 0;
  const tasks = opts.assigner ? opts.assigner.assign(drawn, layout, site, rng) : drawn;
  const received = receivedBy(times, opts.tmax);
  if (opts.assigner && observe) opts.assigner.observe(site, opts.workers, received.map((w) => ({ worker: w, time: times[w] })), opts.tmax);
  // only the received workers' rows matter: a late result cannot change Ĉ
  const coef = received.map((w) => coefficientRow(tasks[w], layout.N, layout.P));
  const decode = decodeOf(received, coef, layout, opts);
  return { layout, tasks, coef, times, received, decode };
}

/**
 * Real-runtime hook: the plan with its received set replaced by the workers whose products
 * actually arrived (a runtime's wall-clock decision, in arrival order): coefficient rows and
 * decoding of exactly those workers. Tasks, layout and the drawn times are kept.
 */
export function withReceived(plan: CallPlan, received: number[], opts: ResolvedCodedOptions): CallPlan {
  const coef = received.map((w) => coefficientRow(plan.tasks[w], plan.layout.N, plan.layout.P));
  const decode = decodeOf(received, coef, plan.layout, opts);
  return { ...plan, received, coef, decode };
}

/** The code's own estimate (approximate codes) or the shared exact decoder's. */
function decodeOf(received: number[], coef: Float64Array[], layout: BlockLayout, opts: ResolvedCodedOptions): DecodeResult {
  const decode = opts.code.estimate ? opts.code.estimate(received, opts, layout) : decodeReceived(coef, layout.N * layout.P, opts.tolerance);
  if (opts.unbiased) {
    // unbiased decoding: block b's decode vector (so Ĉ_b) times 1/P(b recovered); the precision
    // check is scale-free (its bound and ‖Ĉ_b‖ scale alike)
    const R = received.length;
    opts.unbiased.scale.forEach((s, b) => {
      if (s !== 1 && decode.determined[b]) for (let r = 0; r < R; r++) decode.matrix[b * R + r] *= s;
    });
  }
  return decode;
}

/** Per-call statistics of a plan (decode error is filled in by the executor on request). */
export function statsOf(plan: CallPlan): CodedMatMulStats {
  const { layout, decode } = plan;
  const classRecovered = new Array<number>(layout.classSizes.length).fill(0);
  // exact blocks only: an approximate code's estimates are counted apart
  const recovered = decode.determined.map((ok, b) => ok && !decode.estimated?.[b]);
  recovered.forEach((ok, b) => {
    if (ok) classRecovered[layout.blockClass[b]]++;
  });
  return {
    workers: plan.tasks.length,
    workersReceived: plan.received.length,
    blocksTotal: layout.N * layout.P,
    blocksRecovered: recovered.filter(Boolean).length,
    recovered,
    ...(decode.estimated ? { blocksEstimated: decode.estimated.filter(Boolean).length, estimated: [...decode.estimated] } : {}),
    blockClass: [...layout.blockClass],
    classSizes: [...layout.classSizes],
    classRecovered,
    blocksWithheld: 0,
    withheld: new Array<boolean>(layout.N * layout.P).fill(false),
    classWithheld: new Array<number>(layout.classSizes.length).fill(0),
  };
}

/**
 * Moves the blocks an executor withheld for precision (determined, but their decode could carry
 * too much rounding) from recovered to withheld. Returns `stats`, updated in place.
 */
export function withhold(stats: CodedMatMulStats, withheld: readonly boolean[]): CodedMatMulStats {
  withheld.forEach((w, b) => {
    if (w && stats.estimated?.[b]) {
      // an estimate that failed the precision check is withheld like an exact block
      stats.estimated[b] = false;
      stats.blocksEstimated!--;
      stats.withheld[b] = true;
      stats.blocksWithheld++;
      stats.classWithheld[stats.blockClass[b]]++;
      return;
    }
    if (!w || !stats.recovered[b]) return;
    stats.recovered[b] = false;
    stats.withheld[b] = true;
    stats.blocksRecovered--;
    stats.classRecovered[stats.blockClass[b]]--;
    stats.blocksWithheld++;
    stats.classWithheld[stats.blockClass[b]]++;
  });
  return stats;
}
