/**
 * What repeated coded multiplications of fresh random matrices report, accumulated one trial at a
 * time: the mean normalised loss ‖C − Ĉ‖² / E‖C‖² with its confidence interval, the workers
 * received, the blocks recovered and withheld per class, and the worst decode errors. The one
 * accumulator behind every trial loop of `npm run matmul` (float64, tensor, c×r, real runtimes).
 */
import type { CodedMatMulStats } from '../coded-backprop/index.ts';
import { MeanAccumulator, type MeanEstimate } from '../util/stats.ts';

export interface MatmulTrialsResult {
  trials: number;
  /** Normalised loss ‖C − Ĉ‖²/E‖C‖² per trial (CI: confidenceInterval in util/stats). */
  loss: MeanEstimate;
  workersReceived: MeanEstimate;
  /** Mean number of recovered blocks per class. */
  classRecovered: number[];
  classSizes: number[];
  /** Mean number of blocks per class determined but withheld for precision (precision.ts). */
  classWithheld: number[];
  /** Max relative Frobenius error of any recovered block over all trials (floored, see worstBlockError). */
  worstDecodeError: number;
  /** Per class: max over trials and recovered blocks of ‖Ĉ_b − C_b‖_F / ‖C_b‖_F; NaN where not measured. */
  classWorstRelError: number[];
  /** Approximate codes (BACC) only: mean number of blocks given an estimate (never exact). */
  blocksEstimated?: number;
}

/** ‖X − Y‖²_F for two equally long arrays. */
export function squaredDistance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let e = 0; e < x.length; e++) s += (x[e] - y[e]) ** 2;
  return s;
}

/** Accumulates trials; `extra` quantities (e.g. wall-clock ms per call) are averaged alongside. */
export class TrialTally {
  private readonly acc: MeanAccumulator;
  private readonly classSum: number[];
  private readonly withheldSum: number[];
  private readonly classWorst: number[];
  private worst = 0;
  private trials = 0;
  private estimatedSum: number | undefined;
  private lastReport = Date.now();

  /**
   * @param classSizes blocks (or packets) per class
   * @param energy E‖C‖², the loss normaliser
   * @param extras number of extra per-trial quantities
   * @param onProgress called with the trials done, at most twice a second
   */
  constructor(
    private readonly classSizes: readonly number[],
    private readonly energy: number,
    private readonly extras = 0,
    private readonly onProgress?: (done: number) => void,
  ) {
    this.acc = new MeanAccumulator(2 + extras);
    this.classSum = classSizes.map(() => 0);
    this.withheldSum = classSizes.map(() => 0);
    this.classWorst = classSizes.map(() => 0);
  }

  /**
   * One trial: the approximation Ĉ against the exact C (same layout), the call's stats (whose
   * decodeRelError must have been measured) and the extra quantities.
   */
  add(approx: ArrayLike<number>, exact: ArrayLike<number>, stats: CodedMatMulStats, extra: readonly number[] = []): void {
    if (extra.length !== this.extras) throw new RangeError(`TrialTally: ${extra.length} extra quantities given, ${this.extras} expected`);
    if (stats.decodeRelError === undefined) throw new Error('TrialTally: the executor did not measure the decode error it was asked for');
    this.acc.add([squaredDistance(approx, exact) / this.energy, stats.workersReceived, ...extra]);
    stats.classRecovered.forEach((c, l) => (this.classSum[l] += c));
    if (stats.blocksEstimated !== undefined) this.estimatedSum = (this.estimatedSum ?? 0) + stats.blocksEstimated;
    stats.classWithheld.forEach((c, l) => (this.withheldSum[l] += c));
    this.worst = Math.max(this.worst, stats.decodeRelError);
    // c×r calls measure no per-class block error: NaN there
    this.classSizes.forEach((_, l) => (this.classWorst[l] = stats.classRelError ? Math.max(this.classWorst[l], stats.classRelError[l]) : NaN));
    this.trials++;
    if (this.onProgress && Date.now() - this.lastReport > 500) {
      this.lastReport = Date.now();
      this.onProgress(this.trials);
    }
  }

  /** Mean of extra quantity i. */
  extra(i: number): MeanEstimate {
    return this.acc.estimate(2 + i);
  }

  result(): MatmulTrialsResult {
    const n = this.trials;
    return {
      trials: n,
      loss: this.acc.estimate(0),
      workersReceived: this.acc.estimate(1),
      classRecovered: this.classSum.map((s) => s / n),
      classSizes: [...this.classSizes],
      classWithheld: this.withheldSum.map((s) => s / n),
      worstDecodeError: this.worst,
      classWorstRelError: [...this.classWorst],
      ...(this.estimatedSum !== undefined ? { blocksEstimated: this.estimatedSum / n } : {}),
    };
  }
}
