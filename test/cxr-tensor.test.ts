/**
 * The float32 tensor path of the c×r partition (cxr/execute-tensor.ts) against the float64
 * executor (cxr/execute-f64.ts) on the same float32-rounded inputs and seed: the same plan and
 * stats, and Ĉ equal within float32 rounding, for every code, on even and uneven packets and on
 * both stacking sides (m ≤ p and m > p); with every worker arriving Ĉ = A·B. Plus the c×r
 * precision check (cxr/precision.ts) on a decode it must refuse.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, CODES, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { cxrMatMulF64 } from '../src/coded-backprop/cxr/execute-f64.ts';
import { decodePacketsChecked, type PacketResults } from '../src/coded-backprop/cxr/precision.ts';
import type { PacketDecode } from '../src/coded-backprop/cxr/decode.ts';
import { UNIT_ROUNDOFF } from '../src/coded-backprop/precision.ts';
import { initBackend } from '../src/util/backend.ts';
import { type Matrix, matmul } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';
import { randomPair, toTensor } from './helpers/matrices.ts';

test.before(async () => {
  await initBackend();
});

/** (m, n, p, K): Table II shapes at batch 16 (both sides) and uneven packets (K ∤ n). */
const SHAPES: [number, number, number, number][] = [
  [16, 100, 784, 9],
  [784, 16, 100, 9],
  [100, 16, 200, 7],
  [200, 16, 10, 9],
  [20, 64, 12, 9],
  [7, 100, 9, 7],
  [10, 30, 10, 3],
];

function rounded(M: Matrix): Matrix {
  return { ...M, data: Float64Array.from(Float32Array.from(M.data)) };
}

function frob(x: ArrayLike<number>): number {
  let s = 0;
  for (let e = 0; e < x.length; e++) s += x[e] * x[e];
  return Math.sqrt(s);
}

function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let e = 0; e < x.length; e++) s += (x[e] - y[e]) ** 2;
  const ny = frob(y);
  return ny === 0 ? Math.sqrt(s) : Math.sqrt(s) / ny;
}

// codes with a c×r form
for (const code of CODES.filter((c) => c.packets)) {
  const scheme = code.name;
  test(`cxr ${scheme}: tensor Ĉ = float64 Ĉ within float32 rounding, same stats`, (t) => {
    let compared = 0;
    let worst = 0;
    for (const [m, n, p, K] of SHAPES) {
      const pair = randomPair(m, n, p, m + 3 * n + p);
      const A = rounded(pair.A);
      const B = rounded(pair.B);
      const tA = toTensor(A);
      const tB = toTensor(B);
      for (const tmax of [0.3, 0.5, 1, 2, 4]) {
        const opts = resolveCodedOptions({ scheme, partition: 'cxr', packets: K, tmax });
        for (let seed = 0; seed < 3; seed++) {
          const label = `${scheme} (${m}×${n})·(${n}×${p}) K=${K} T_max ${tmax} seed ${seed}`;
          const ref = cxrMatMulF64(A, B, opts, new Rng(seed));
          const ten = codedMatMul(tA, tB, opts, new Rng(seed));
          const C = ten.C.dataSync();
          t.deepEqual(ten.stats, ref.stats, label);
          const rel = relDiff(C, ref.C.data);
          worst = Math.max(worst, rel);
          // the precision check's tolerance (1e-3) bounds an accepted decode; plain results are far closer
          t.true(rel <= (scheme === 'uncoded' || scheme === 'rep' ? 1e-5 : 1e-3), `${label}: relative difference ${rel}`);
          compared++;
          ten.C.dispose();
        }
      }
      tf.dispose([tA, tB]);
    }
    t.log(`${compared} products, worst ‖Ĉ₃₂ − Ĉ₆₄‖/‖Ĉ₆₄‖ = ${worst.toExponential(2)}`);
  });

  test(`cxr ${scheme}: tensor path with every worker arriving gives A·B`, (t) => {
    for (const [m, n, p, K] of SHAPES) {
      const pair = randomPair(m, n, p, 5 * m + n);
      const A = rounded(pair.A);
      const B = rounded(pair.B);
      const opts = resolveCodedOptions({ scheme, partition: 'cxr', packets: K, tmax: Infinity, workers: scheme === 'now' || scheme === 'ew' ? 12 * K : undefined });
      const tA = toTensor(A);
      const tB = toTensor(B);
      const r = codedMatMul(tA, tB, opts, new Rng(1));
      t.is(r.stats.workersReceived, opts.workers);
      t.is(r.stats.blocksRecovered, K);
      t.is(r.stats.blocksWithheld, 0);
      const rel = relDiff(r.C.dataSync(), matmul(A, B).data);
      t.true(rel <= 1e-5, `${scheme} (${m}×${n})·(${n}×${p}) K=${K}: ${rel}`);
      tf.dispose([tA, tB, r.C]);
    }
  });
}

test('cxr precision check: a packet decoded with a large amplification is withheld in float32, kept in float64', (t) => {
  // results R_0 = x (packet 0), R_1 = x + 1e-6·y: packet 1 = 1e6·(R_1 − R_0) = y
  const x = Float64Array.from({ length: 16 }, (_, e) => Math.sin(e + 1));
  const y = Float64Array.from({ length: 16 }, (_, e) => Math.cos(3 * e));
  const results = [x, x.map((v, e) => v + 1e-6 * y[e])];
  const source = (u: number): PacketResults => ({
    unitRoundoff: u,
    addScaled(acc, r, d) {
      for (let e = 0; e < acc.length; e++) acc[e] += d * results[r][e];
    },
    norm: (r) => frob(results[r]),
  });
  const units = [
    { packets: [0], d: Float64Array.of(1, 0) },
    { packets: [1], d: Float64Array.of(-1e6, 1e6) },
  ];
  const decode: PacketDecode = { packetDetermined: [true, true], restSum: false, inC: [true, true], d: Float64Array.of(1 - 1e6, 1e6), units };
  const coef = [Float64Array.of(1, 0, 0, 0), Float64Array.of(1, 0, 0, 1e-6)];
  const out32 = new Float64Array(16);
  t.deepEqual(decodePacketsChecked(decode, coef, source(UNIT_ROUNDOFF.float32), out32), [false, true]);
  t.deepEqual(Array.from(out32), Array.from(x));
  const out64 = new Float64Array(16);
  t.deepEqual(decodePacketsChecked(decode, coef, source(UNIT_ROUNDOFF.float64), out64), [false, false]);
  t.true(relDiff(out64, x.map((v, e) => v + y[e])) < 1e-8);
});
