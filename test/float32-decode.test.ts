/**
 * float32-safe decoding on the tensor path: a determined block is accepted only when its rounding
 * bound (amplification · 2⁻²⁴ · largest contributing part) is small against its own norm;
 * others are withheld and counted apart. Adversarial draws: level variances four decades apart,
 * so the low-class blocks are 10⁴× smaller than the HH block they are decoded beside.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, resolveCodedOptions, type CodedMatMulStats, type ResolvedCodedOptions } from '../src/coded-backprop/index.ts';
import { checkPrecision, DEFAULT_PRECISION_TOLERANCE, UNIT_ROUNDOFF } from '../src/coded-backprop/precision.ts';
import { initBackend } from '../src/util/backend.ts';
import { matmul, type Matrix } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';
import { drawBlockGaussian } from '../src/workloads/block-gaussian.ts';
import { toTensor } from './helpers/matrices.ts';

test.before(async () => {
  await initBackend();
});

test('the precision check rejects what the old amplification bound (≤ 1e10) accepted', (t) => {
  // The measured worst case of the issue: amplification 4.6e4 (MDS, W = 15), a block 100× smaller
  // than the largest part it is decoded from.
  const d = [4.6e4, 0, 0];
  const coefMax = [1, 1, 1];
  const partNorm = [100, 1, 1];
  const f32 = checkPrecision(d, coefMax, partNorm, 1, UNIT_ROUNDOFF.float32);
  t.true(f32.amplification <= 1e10, 'the old rule would accept it');
  t.false(f32.accepted);
  t.true(f32.bound > 0.1, `a rounding error of order 10% of the block: ${f32.bound}`);
  // The same decode in float64 carries ~1e-9 of the block: accepted.
  t.true(checkPrecision(d, coefMax, partNorm, 1, UNIT_ROUNDOFF.float64).accepted);
  // Zero weights do not count, whatever their parts.
  t.true(checkPrecision([1, 0], [1, 1], [1, 1e30], 1, UNIT_ROUNDOFF.float32).accepted);
});

const U = 4;
const M = 30;
const Q = 4;
const VAR = [1e4, 1, 1e-4];

/** codedMatMul on tensors of A and B, the tensors disposed; Ĉ downloaded. */
function run(A: Matrix, B: Matrix, opts: ResolvedCodedOptions, rng: Rng): { c: Float32Array; stats: CodedMatMulStats } {
  const a = toTensor(A);
  const b = toTensor(B);
  const { C, stats } = codedMatMul(a, b, opts, rng);
  const c = C.dataSync() as Float32Array;
  tf.dispose([a, b, C]);
  return { c, stats };
}

interface Outcome {
  stats: CodedMatMulStats;
  /** Relative error of each recovered block against its own exact norm. */
  recoveredErrors: number[];
}

/** One tensor-path MDS product of adversarial draws (ordering none: block (i, j) is in place). */
function adversarialCall(seed: number, tmax: number): Outcome {
  const rng = new Rng(seed);
  const { A, B } = drawBlockGaussian({ U, M, Q, varA: VAR, varB: VAR }, rng);
  const exact = matmul(A, B);
  const opts = resolveCodedOptions({ scheme: 'mds', workers: 15, tmax, ordering: 'none', latency: { model: 'exponential', lambda: 0.5 } });
  const out = run(A, B, opts, rng);
  const p = B.cols;
  const recoveredErrors: number[] = [];
  out.stats.recovered.forEach((ok, blk) => {
    if (!ok) return;
    const i = Math.floor(blk / 3);
    const j = blk % 3;
    let num = 0;
    let den = 0;
    for (let r = i * U; r < (i + 1) * U; r++) {
      for (let q = j * Q; q < (j + 1) * Q; q++) {
        num += (out.c[r * p + q] - exact.data[r * p + q]) ** 2;
        den += exact.data[r * p + q] ** 2;
      }
    }
    recoveredErrors.push(Math.sqrt(num / den));
  });
  return { stats: out.stats, recoveredErrors };
}

test('adversarial draws: every block counted as recovered is accurate against its own norm; the others are withheld, not lost', (t) => {
  let withheld = 0;
  let recovered = 0;
  let worst = 0;
  for (let seed = 1; seed <= 24; seed++) {
    // tmax 3: about 9–14 of the 15 results arrive, so decodes from ill-conditioned 9-subsets occur.
    const { stats, recoveredErrors } = adversarialCall(seed, 3);
    const determined = stats.blocksRecovered + stats.blocksWithheld;
    t.true(determined === 0 || determined === 9, 'MDS determines all blocks or none');
    t.is(stats.classWithheld.reduce((a, b) => a + b, 0), stats.blocksWithheld);
    t.is(stats.recovered.filter(Boolean).length, stats.blocksRecovered);
    withheld += stats.blocksWithheld;
    recovered += stats.blocksRecovered;
    for (const e of recoveredErrors) worst = Math.max(worst, e);
  }
  t.log(`recovered ${recovered}, withheld ${withheld}, worst recovered relative error ${worst.toExponential(2)}`);
  // With the old acceptance the LL blocks (10⁸× below HH in norm) came out as rounding noise and
  // were counted as recovered: relative errors ≫ 1.
  t.true(worst <= 10 * DEFAULT_PRECISION_TOLERANCE, `worst recovered block error ${worst}`);
  t.true(withheld > 0, 'the low blocks are withheld');
  t.true(recovered > 0, 'the high blocks are still recovered');
});

test('matmul-level stats: per-class worst error vs the exact block norm is reported and bounded', (t) => {
  const rng = new Rng(5);
  const { A, B } = drawBlockGaussian({ U, M, Q, varA: VAR, varB: VAR }, rng);
  const opts = resolveCodedOptions({ scheme: 'mds', workers: 15, tmax: Infinity, ordering: 'none', measureError: true });
  const { stats } = run(A, B, opts, rng);
  t.is(stats.classRelError?.length, 3);
  stats.classRelError!.forEach((e, c) => {
    if (stats.classRecovered[c] > 0) t.true(e <= 10 * DEFAULT_PRECISION_TOLERANCE, `class ${c}: ${e}`);
    else t.is(e, 0);
  });
  t.true(stats.classRecovered[0] === 1, 'HH is recovered from all 15 results');
});
