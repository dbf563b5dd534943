/**
 * The training loop's backward-product hook on a real runtime: an asynchronous multiply whose
 * every call is one coded product on the runtime (codedMatMulOn), tagged (run, step, product =
 * index of the site in PRODUCT_SITES, worker), plus the per-step bookkeeping of the sim adapter
 * (makeCodedMultiply's StepStats) and the step's wall-clock time and late/rejected counts.
 *
 * `perSite` replaces the options at the sites it names, as in makeCodedMultiply.
 * The plan (code coefficients, worker draws) is drawn from `rng` synchronously when a call
 * starts, so calls started in a fixed order draw the same numbers as the sim adapter even when
 * two products of a layer are in flight together.
 */
import * as tf from '@tensorflow/tfjs';
import { emptyStepStats, type ResolvedCodedOptions, type StepStats } from '../coded-backprop/index.ts';
import { type AsyncMultiply, type SiteKey, siteIndex, siteKey } from '../model/backprop.ts';
import type { Rng } from '../util/rng.ts';
import { codedMatMulOn, type RealTiming } from './coded-call.ts';
import type { Runtime } from './runtime.ts';


/** StepStats plus what the runtime saw during the step. */
export interface RealStepStats extends StepStats {
  /** Wall-clock ms from the step's first dispatch to its last product's return. */
  step_ms: number;
  /** Replies for this run that came after their call's deadline, during the step. */
  late: number;
  /** Replies rejected (malformed, too large, wrong shape, non-finite, duplicate, unknown), during the step. */
  rejected: number;
}

export interface RealMultiply {
  multiply: AsyncMultiply;
  /** The sums since the previous call, then reset; the next products get the next step tag. */
  takeStepStats(): RealStepStats;
}

function rejectedTotal(rt: Runtime): number {
  return Object.values(rt.counters().rejected).reduce((a, b) => a + b, 0);
}

/**
 * The async multiply of `resolved` on `runtime`; one step tag per takeStepStats(), from
 * `firstStep` (a second multiply on the same runtime must start past the first one's steps).
 */
export function makeRealMultiply(
  resolved: ResolvedCodedOptions,
  rng: Rng,
  runtime: Runtime,
  timing: RealTiming,
  firstStep = 0,
  perSite: Partial<Record<SiteKey, ResolvedCodedOptions>> = {},
): RealMultiply {
  const L = Math.max(resolved.grid.classSizes.length, ...Object.values(perSite).map((o) => o.grid.classSizes.length));
  let step = firstStep;
  let first = NaN;
  let last = NaN;
  let late0 = runtime.counters().late;
  let rejected0 = rejectedTotal(runtime);
  let acc = emptyStepStats(L);
  const multiply: AsyncMultiply = async (a, b, site) => {
    const [m, M] = a.shape;
    const [Mb, p] = b.shape;
    if (M !== Mb) throw new RangeError(`multiply: inner dimensions differ (${a.shape.join('×')} · ${b.shape.join('×')})`);
    if (Number.isNaN(first)) first = performance.now();
    const opts = perSite[siteKey(site)] ?? resolved;
    const r = await codedMatMulOn(runtime, a.dataSync(), m, M, b.dataSync(), p, opts, rng, timing, { step, product: siteIndex(site) });
    last = performance.now();
    acc.workers_received += r.stats.workersReceived;
    acc.blocks_recovered += r.stats.blocksRecovered;
    acc.products += 1;
    acc.blocks_withheld += r.stats.blocksWithheld;
    r.stats.classRecovered.forEach((n, l) => (acc.class_recovered[l] += n));
    return tf.tensor2d(r.C, [m, p]);
  };
  return {
    multiply,
    takeStepStats() {
      const c = runtime.counters();
      const rej = rejectedTotal(runtime);
      const out: RealStepStats = { ...acc, step_ms: Number.isNaN(first) ? 0 : last - first, late: c.late - late0, rejected: rej - rejected0 };
      late0 = c.late;
      rejected0 = rej;
      first = NaN;
      step++;
      acc = emptyStepStats(L);
      return out;
    },
  };
}
