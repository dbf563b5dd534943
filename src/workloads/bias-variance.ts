/**
 * Bias and variance of Ĉ with A and B held fixed (`npm run matmul -- --fixed-matrices`): the same
 * A·B multiplied `trials` times with fresh code coefficients and worker times. Per class l:
 *   bias_l      = ‖E[Ĉ_l] − C_l‖_F / ‖C_l‖_F          (E over the trials: the sample mean)
 *   variance_l  = Σ_entries Var(Ĉ_e) / ‖C_l‖²_F
 *   biasNoise_l = √(variance_l / trials)              (the bias the sample mean shows from noise
 *                                                      alone: a bias well above it is real)
 * Plain decoding has bias = 1 − P(recovered) (a lost block is zero), unbiased decoding bias ≈ 0
 * (above the floor) and more variance.
 */
import { codedMatMulF64, layoutOf, type ResolvedCodedOptions } from '../coded-backprop/plan-api.ts';
import { matmul } from '../util/matrix.ts';
import type { Rng } from '../util/rng.ts';
import { type BlockGaussianSpec, drawBlockGaussian } from './block-gaussian.ts';

export interface ClassBiasVariance {
  bias: number;
  variance: number;
  biasNoise: number;
}

/** Runs the fixed-matrix trials (float64 executor) and returns bias and variance per class. */
export function runFixedMatrixTrials(spec: BlockGaussianSpec, opts: ResolvedCodedOptions, trials: number, rng: Rng): ClassBiasVariance[] {
  const { A, B } = drawBlockGaussian(spec, rng);
  const C = matmul(A, B).data;
  const p = B.cols;
  // class of every entry of C (original order), from the engine's layout of these matrices
  const layout = layoutOf(A, B, opts);
  const entryClass = new Int32Array(C.length);
  for (let i = 0; i < layout.N; i++) {
    for (let j = 0; j < layout.P; j++) {
      const cls = layout.blockClass[i * layout.P + j];
      for (let x = layout.rows.bounds[i]; x < layout.rows.bounds[i + 1]; x++) {
        for (let y = layout.cols.bounds[j]; y < layout.cols.bounds[j + 1]; y++) entryClass[layout.rows.order[x] * p + layout.cols.order[y]] = cls;
      }
    }
  }
  const sum = new Float64Array(C.length);
  const sq = new Float64Array(C.length);
  for (let k = 0; k < trials; k++) {
    const r = codedMatMulF64(A, B, opts, rng, { step: k, product: 0 });
    for (let e = 0; e < C.length; e++) {
      sum[e] += r.C.data[e];
      sq[e] += r.C.data[e] ** 2;
    }
  }
  const L = layout.classSizes.length;
  const bias2 = new Float64Array(L);
  const vari = new Float64Array(L);
  const norm2 = new Float64Array(L);
  for (let e = 0; e < C.length; e++) {
    const l = entryClass[e];
    const mean = sum[e] / trials;
    bias2[l] += (mean - C[e]) ** 2;
    vari[l] += Math.max(0, sq[e] / trials - mean * mean) * (trials / Math.max(1, trials - 1));
    norm2[l] += C[e] ** 2;
  }
  return Array.from({ length: L }, (_, l) => ({
    bias: Math.sqrt(bias2[l] / norm2[l]),
    variance: vari[l] / norm2[l],
    biasNoise: Math.sqrt(vari[l] / norm2[l] / trials),
  }));
}
