/**
 * Repeated coded multiplications of fresh random matrices (r×c partition, simulated workers,
 * float64 or tensor executor), tallied by trial-tally.ts. Used by `npm run matmul`.
 */
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, codedMatMulF64, type ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { matmul } from '../util/matrix.ts';
import type { Rng } from '../util/rng.ts';
import { totalEnergy } from '../theory/index.ts';
import { type BlockGaussianSpec, drawBlockGaussian } from './block-gaussian.ts';
import { type MatmulTrialsResult, TrialTally } from './trial-tally.ts';

export type { MatmulTrialsResult } from './trial-tally.ts';

import type { Executor } from './executors.ts';

export { EXECUTORS, type Executor } from './executors.ts';

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
  const tally = new TrialTally(opts.grid.classSizes, totalEnergy(spec), 0, onProgress);
  const measured = { ...opts, measureError: true };
  for (let trial = 0; trial < trials; trial++) {
    const { A, B } = drawBlockGaussian(spec, rng);
    const exact = matmul(A, B).data;
    if (executor === 'f64') {
      const { C, stats } = codedMatMulF64(A, B, measured, rng, { step: trial, product: 0 });
      tally.add(C.data, exact, stats);
    } else {
      const tA = tf.tensor2d(Float32Array.from(A.data), [A.rows, A.cols]);
      const tB = tf.tensor2d(Float32Array.from(B.data), [B.rows, B.cols]);
      const r = codedMatMul(tA, tB, measured, rng, { step: trial, product: 0 });
      tally.add(r.C.dataSync(), exact, r.stats);
      tf.dispose([tA, tB, r.C]);
    }
  }
  return tally.result();
}
