/**
 * Repeated coded multiplications of fresh random matrices: the mean normalised loss
 * ‖C − Ĉ‖² / E‖C‖² with its confidence interval, the blocks recovered per class, the workers
 * received and the worst decode error. Used by `npm run matmul`.
 */
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, codedMatMulF64, type ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { matmul } from '../util/matrix.ts';
import type { Rng } from '../util/rng.ts';
import { MeanAccumulator, type MeanEstimate } from '../util/stats.ts';
import { totalEnergy } from '../theory/index.ts';
import { type BlockGaussianSpec, drawBlockGaussian } from './block-gaussian.ts';

export type Executor = 'f64' | 'tensor';
export const EXECUTORS: readonly Executor[] = ['f64', 'tensor'];

export interface MatmulTrialsResult {
  trials: number;
  /** Normalised loss ‖C − Ĉ‖²/E‖C‖² per trial (CI: confidenceInterval in montecarlo/stats). */
  loss: MeanEstimate;
  workersReceived: MeanEstimate;
  /** Mean number of recovered blocks per class. */
  classRecovered: number[];
  classSizes: number[];
  /** Mean number of blocks per class determined but withheld for precision (precision.ts). */
  classWithheld: number[];
  /** Max relative Frobenius error of any recovered block over all trials (floored, see worstBlockError). */
  worstDecodeError: number;
  /** Per class: max over trials and recovered blocks of ‖Ĉ_b − C_b‖_F / ‖C_b‖_F (the exact block's own norm). */
  classWorstRelError: number[];
}

/** ‖X − Y‖²_F for two equally long arrays. */
function squaredDistance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let e = 0; e < x.length; e++) s += (x[e] - y[e]) ** 2;
  return s;
}

/**
 * Runs `trials` coded multiplications of fresh draws from `spec`.
 * @param onProgress called with the number of finished trials (at most a few times a second)
 */
export function runMatmulTrials(
  spec: BlockGaussianSpec,
  opts: ResolvedCodedOptions,
  trials: number,
  executor: Executor,
  rng: Rng,
  onProgress?: (done: number) => void,
): MatmulTrialsResult {
  const energy = totalEnergy(spec);
  // quantity 0: normalised loss, 1: workers received
  const acc = new MeanAccumulator(2);
  const L = opts.grid.classSizes.length;
  const classSum = new Array<number>(L).fill(0);
  const withheldSum = new Array<number>(L).fill(0);
  const classWorst = new Array<number>(L).fill(0);
  let worst = 0;
  let lastReport = Date.now();
  const measured = { ...opts, measureError: true };
  for (let trial = 0; trial < trials; trial++) {
    const { A, B } = drawBlockGaussian(spec, rng);
    const exact = matmul(A, B).data;
    let approx: ArrayLike<number>;
    let stats;
    if (executor === 'f64') {
      ({ C: { data: approx }, stats } = codedMatMulF64(A, B, measured, rng));
    } else {
      const tA = tf.tensor2d(Float32Array.from(A.data), [A.rows, A.cols]);
      const tB = tf.tensor2d(Float32Array.from(B.data), [B.rows, B.cols]);
      const r = codedMatMul(tA, tB, measured, rng);
      approx = r.C.dataSync();
      stats = r.stats;
      tf.dispose([tA, tB, r.C]);
    }
    acc.add([squaredDistance(approx, exact) / energy, stats.workersReceived]);
    stats.classRecovered.forEach((c, l) => (classSum[l] += c));
    stats.classWithheld.forEach((c, l) => (withheldSum[l] += c));
    if (stats.decodeRelError === undefined || stats.classRelError === undefined) {
      throw new Error('runMatmulTrials: the executor did not measure the decode error it was asked for');
    }
    worst = Math.max(worst, stats.decodeRelError);
    stats.classRelError.forEach((e, l) => (classWorst[l] = Math.max(classWorst[l], e)));
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
    classWithheld: withheldSum.map((s) => s / trials),
    worstDecodeError: worst,
    classWorstRelError: classWorst,
  };
}
