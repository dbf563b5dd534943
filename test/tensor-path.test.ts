/**
 * The fused tensor path (issue 10: operands read and Ĉ written in place, encoding straight from
 * the original layout, decode restricted to each block's group) against the path it replaced
 * (test/helpers/legacy-execute-tensor.ts), on fixed inputs of the six backward products' shapes:
 * the same plan, the same determined blocks, and every block both keep equal within float32
 * rounding of its own norm.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, CODES, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { legacyCodedMatMul } from './helpers/legacy-execute-tensor.ts';
import { randomPair, toTensor } from './helpers/matrices.ts';

test.before(async () => {
  await initBackend();
});

/** Table II at batch 16, (m, n, p) of A: m×n, B: n×p: both encoding sides (U ≤ Q and U > Q) occur. */
const SHAPES: [number, number, number][] = [
  [16, 100, 784],
  [784, 16, 100],
  [16, 200, 100],
  [100, 16, 200],
  [16, 10, 200],
  [200, 16, 10],
];

/** ‖x − y‖/‖y‖ over the entries where both are nonzero (a block withheld or lost is all zeros). */
function relDiffWhereBoth(x: Float32Array, y: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let e = 0; e < x.length; e++) {
    if (x[e] === 0 || y[e] === 0) continue;
    num += (x[e] - y[e]) ** 2;
    den += y[e] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

// approximate codes (BACC, 9×1 only) are checked against float64 and an independent Berrut in test/bacc.test.ts
for (const code of CODES.filter((c) => !c.estimate)) {
  test(`${code.name}: the fused tensor path gives the old path's coded product within float32 rounding`, (t) => {
    for (const tmax of [0.5, 1, 2]) {
      SHAPES.forEach(([m, n, p], s) => {
        const { A, B } = randomPair(m, n, p, 100 + s);
        const tA = toTensor(A);
        const tB = toTensor(B);
        const opts = resolveCodedOptions({ scheme: code.name, tmax });
        const seed = 7 + s;
        const fresh = codedMatMul(tA, tB, opts, new Rng(seed));
        const old = legacyCodedMatMul(tA, tB, opts, new Rng(seed));
        const label = `${code.name} T_max ${tmax} (${m}×${n})·(${n}×${p})`;
        // the same plan: the same workers received, the same blocks determined
        t.is(fresh.stats.workersReceived, old.stats.workersReceived, label);
        const determined = (st: typeof fresh.stats) => st.recovered.map((r, b) => r || st.withheld[b]);
        t.deepEqual(determined(fresh.stats), determined(old.stats), label);
        // the new decode adds only each block's own group of parts, so its precision bound is
        // no larger: it keeps every block the old path kept (and may keep a few it withheld)
        old.stats.recovered.forEach((r, b) => {
          if (r) t.true(fresh.stats.recovered[b], `${label}: block ${b} kept by the old path, withheld by the new`);
        });
        const d = relDiffWhereBoth(fresh.C.dataSync() as Float32Array, old.C.dataSync() as Float32Array);
        t.true(d <= 1e-4, `${label}: relative difference ${d.toExponential(2)}`);
        for (const z of [tA, tB, fresh.C, old.C]) z.dispose();
      });
    }
  });
}

// tensor-io's copies (dataSync, tf.tensor2d) stand in for the wasm heap views on other backends
test.serial('off wasm (cpu backend) the fused path gives the same coded products as the old path', async (t) => {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    for (const code of CODES.filter((c) => !c.estimate)) {
      for (const tmax of [1, 2]) {
        const [m, n, p] = SHAPES[code.name.length % SHAPES.length];
        const { A, B } = randomPair(m, n, p, 5);
        const tA = toTensor(A);
        const tB = toTensor(B);
        const opts = resolveCodedOptions({ scheme: code.name, tmax });
        const fresh = codedMatMul(tA, tB, opts, new Rng(3));
        const old = legacyCodedMatMul(tA, tB, opts, new Rng(3));
        t.deepEqual(fresh.stats.recovered.map((r, b) => r || fresh.stats.withheld[b]), old.stats.recovered.map((r, b) => r || old.stats.withheld[b]));
        const d = relDiffWhereBoth(fresh.C.dataSync() as Float32Array, old.C.dataSync() as Float32Array);
        t.true(d <= 1e-4, `${code.name} T_max ${tmax} on cpu: relative difference ${d.toExponential(2)}`);
        // Ĉ is zero exactly outside the kept blocks in both
        t.is(countZeros(fresh.C.dataSync() as Float32Array) > 0, countZeros(old.C.dataSync() as Float32Array) > 0);
        for (const z of [tA, tB, fresh.C, old.C]) z.dispose();
      }
    }
  } finally {
    await tf.setBackend(previous);
  }
});

function countZeros(x: Float32Array): number {
  let z = 0;
  for (const v of x) if (v === 0) z++;
  return z;
}
