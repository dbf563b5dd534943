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
import { MeanAccumulator } from '../util/stats.ts';
import { totalEnergy } from '../theory/index.ts';
import { type BlockGaussianSpec, drawBlockGaussian } from '../workloads/block-gaussian.ts';
import type { MatmulTrialsResult } from '../workloads/matmul-trials.ts';
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

function squaredDistance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let e = 0; e < x.length; e++) s += (x[e] - y[e]) ** 2;
  return s;
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
  const energy = totalEnergy(spec);
  const acc = new MeanAccumulator(3);
  const classSum = new Array<number>(opts.grid.classSizes.length).fill(0);
  const withheldSum = new Array<number>(opts.grid.classSizes.length).fill(0);
  const classWorst = new Array<number>(opts.grid.classSizes.length).fill(0);
  let disagreements = 0;
  let worst = 0;
  let lastReport = Date.now();
  for (let trial = 0; trial < trials; trial++) {
    const { A, B } = drawBlockGaussian(spec, rng);
    const exact = matmul(A, B).data;
    const r = await codedMatMulOn(runtime, A.data, A.rows, A.cols, B.data, B.cols, opts, rng, timing, { step: trial, product: 0 });
    const sim = new Set(r.simPlan.received);
    const real = new Set(r.realPlan.received);
    for (let w = 0; w < opts.workers; w++) if (sim.has(w) !== real.has(w)) disagreements++;
    acc.add([squaredDistance(r.C, exact) / energy, r.stats.workersReceived, r.outcome.elapsedMs]);
    const { determined } = r.realPlan.decode;
    worst = Math.max(worst, worstBlockError(r.C, exact, r.realPlan.layout, B.cols, (b) => determined[b]));
    r.stats.classRecovered.forEach((c, l) => (classSum[l] += c));
    r.stats.classWithheld.forEach((c, l) => (withheldSum[l] += c));
    classRelErrors(r.C, exact, r.realPlan.layout, B.cols, r.stats.recovered).forEach((e, l) => (classWorst[l] = Math.max(classWorst[l], e)));
    if (onProgress && Date.now() - lastReport > 500) {
      lastReport = Date.now();
      onProgress(trial + 1);
    }
  }
  return {
    trials,
    loss: acc.estimate(0),
    workersReceived: acc.estimate(1),
    classRecovered: classSum.map((s) => s / trials),
    classSizes: [...opts.grid.classSizes],
    worstDecodeError: worst,
    classWithheld: withheldSum.map((s) => s / trials),
    classWorstRelError: classWorst,
    disagreements,
    draws: trials * opts.workers,
    meanCallMs: acc.estimate(2).mean,
    counters: runtime.counters(),
  };
}
