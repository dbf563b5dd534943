/**
 * `npm run matmul -- --runtime threads|nats`: the Monte Carlo of runMatmulTrials
 * (workloads/matmul-trials.ts) with every coded product run on a real runtime. Each trial draws
 * A, B and then the plan from the rng exactly as the simulator does, so the same seed gives the
 * same matrices, code coefficients and worker draws; only who arrives is decided by the wall clock.
 */
import { classRelErrors, worstBlockError } from '../coded-backprop/plan-api.ts';
import { matmul } from '../util/matrix.ts';
import type { Rng } from '../util/rng.ts';
import type { ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { totalEnergy } from '../theory/index.ts';
import { type BlockGaussianSpec, drawBlockGaussian } from '../workloads/block-gaussian.ts';
import { type MatmulTrialsResult, TrialTally } from '../workloads/trial-tally.ts';
import { codedMatMulOn, type RealTiming } from './coded-call.ts';
import type { Runtime, RuntimeCounters } from './runtime.ts';

/** The trials' result plus what the runtime saw. */
export interface RealMatmulTrialsResult extends MatmulTrialsResult {
  /** Worker draws whose received/not-received decision differed from the simulator's. */
  disagreements: number;
  /** Worker draws in all (trials × W). */
  draws: number;
  /** Mean wall-clock time of one coded product (ms). */
  meanCallMs: number;
  counters: RuntimeCounters;
}

/** `trials` coded products of fresh draws from `spec` on `runtime` (trial i is step i, product 0). */
export async function runRealMatmulTrials(
  spec: BlockGaussianSpec,
  opts: ResolvedCodedOptions,
  trials: number,
  runtime: Runtime,
  timing: RealTiming,
  rng: Rng,
  onProgress?: (done: number) => void,
): Promise<RealMatmulTrialsResult> {
  // extra quantity 0: wall-clock ms of the call
  const tally = new TrialTally(opts.grid.classSizes, totalEnergy(spec), 1, onProgress);
  let disagreements = 0;
  for (let trial = 0; trial < trials; trial++) {
    const { A, B } = drawBlockGaussian(spec, rng);
    const exact = matmul(A, B).data;
    const r = await codedMatMulOn(runtime, A.data, A.rows, A.cols, B.data, B.cols, opts, rng, timing, { step: trial, product: 0 });
    const sim = new Set(r.simPlan.received);
    const real = new Set(r.realPlan.received);
    for (let w = 0; w < opts.workers; w++) if (sim.has(w) !== real.has(w)) disagreements++;
    const { recovered } = r.stats;
    r.stats.decodeRelError = worstBlockError(r.C, exact, r.realPlan.layout, B.cols, (b) => recovered[b]);
    r.stats.classRelError = classRelErrors(r.C, exact, r.realPlan.layout, B.cols, recovered);
    tally.add(r.C, exact, r.stats, [r.outcome.elapsedMs]);
  }
  return {
    ...tally.result(),
    disagreements,
    draws: trials * opts.workers,
    meanCallMs: tally.extra(0).mean,
    counters: runtime.counters(),
  };
}
