/**
 * Adapter between the coded matrix-multiplication engine and the training loop: a
 * {@link Multiply} (the backward-product hook of src/model/backprop.ts) whose every call runs
 * one coded multiplication (codedMatMul) with fresh code coefficients and worker times, plus
 * the per-step bookkeeping the training logs.
 *
 * Per training step the backward pass calls the multiply six times (Table II: grad input and
 * grad weight of each of the three dense layers). `takeStepStats()` returns the SUMS over the
 * calls made since it was last called (normally the step's six products) and resets them:
 *   workers_received — workers whose product arrived before T_max, summed over the products
 *                      (at most 6·W per step: 54 uncoded, 108 rep, 90 MDS/NOW/EW);
 *   blocks_recovered — C blocks the decoder recovered, summed over the products (at most 6·9 = 54);
 *   blocks_withheld  — C blocks determined but withheld for float32 precision (precision.ts).
 * The scheme 'baseline' is the exact product (tf.matMul), no engine, and has no stats.
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import { exactMultiply, siteIndex, siteKey, type Multiply, type SiteKey } from '../model/backprop.ts';
import type { Rng } from '../util/rng.ts';
import { codedMatMul } from './execute-tensor.ts';
import type { ResolvedCodedOptions } from './options.ts';
import type { SchemeName } from './types.ts';

/** A training scheme: the exact baseline or one of the registered codes. */
export type TrainingScheme = 'baseline' | SchemeName;

/** Sums over the products of one step (see the module comment). */
export interface StepStats {
  workers_received: number;
  blocks_recovered: number;
  /**
   * C blocks the received results determined but the tensor path withheld for float32 precision
   * (left at zero; precision.ts), summed over the products; not in blocks_recovered. Exactly zero
   * blocks (e.g. gradients of always-blank pixels) decoded from combinations with others land here.
   */
  blocks_withheld: number;
  /** Number of multiply calls these sums are over (6 per step). */
  products: number;
  /** Blocks recovered per class, summed over the products (class 0 = most important). */
  class_recovered: number[];
}

export interface CodedMultiply {
  /** The multiply to hand to the trainer (`train({ multiply })`). */
  multiply: Multiply;
  /**
   * The stats summed since the previous call, then reset; `undefined` for the baseline.
   * Call it once per step (e.g. from the trainer's `extraFields`).
   */
  takeStepStats(): StepStats | undefined;
}

/**
 * Builds the multiply for `resolved` (from resolveCodedOptions; the string 'baseline' for the
 * exact product), with `perSite` replacing it at the product sites it names (e.g. a Γ designed
 * for one product). Every call draws its code coefficients and worker times from `rng`, so the
 * same seed gives the same run.
 */
export function makeCodedMultiply(
  resolved: ResolvedCodedOptions | 'baseline',
  rng: Rng,
  perSite: Partial<Record<SiteKey, ResolvedCodedOptions>> = {},
): CodedMultiply {
  if (resolved === 'baseline') {
    return { multiply: exactMultiply, takeStepStats: () => undefined };
  }
  const L = Math.max(resolved.grid.classSizes.length, ...Object.values(perSite).map((o) => o.grid.classSizes.length));
  let acc: StepStats = emptyStepStats(L);
  // call tags (step, product site) as a real runtime tags its calls, for trace replay
  let step = 0;
  const multiply: Multiply = (a: Tensor2D, b: Tensor2D, site) => {
    const { C, stats } = codedMatMul(a, b, perSite[siteKey(site)] ?? resolved, rng, { step, product: siteIndex(site) });
    acc.workers_received += stats.workersReceived;
    acc.blocks_recovered += stats.blocksRecovered;
    acc.blocks_withheld += stats.blocksWithheld;
    acc.products += 1;
    stats.classRecovered.forEach((n, l) => (acc.class_recovered[l] += n));
    return C;
  };
  return {
    multiply,
    takeStepStats() {
      const out = acc;
      acc = emptyStepStats(L);
      step++;
      return out;
    },
  };
}

/** Zero sums of a step with `classes` classes. */
export function emptyStepStats(classes: number): StepStats {
  return { workers_received: 0, blocks_recovered: 0, blocks_withheld: 0, products: 0, class_recovered: new Array<number>(classes).fill(0) };
}
