import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { energyRecordingMultiply, type EnergyRow } from '../src/design/energy-recorder.ts';
import { productEnergies } from '../src/design/index.ts';
import { PRODUCT_SITES } from '../src/model/backprop.ts';

test('the recording multiply returns the exact product and records every `every` steps, fractions summing to 1', async (t) => {
  await tf.setBackend('cpu');
  const rows: EnergyRow[] = [];
  const mul = energyRecordingMultiply(2, rows);
  const a = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 3]);
  const b = tf.tensor2d([1, 0, 2, -1, 3, 1, 0, 2, 1, 1, 1, 1, -2, 0, 1], [3, 5]);
  for (let step = 0; step < 3; step++) {
    for (const site of PRODUCT_SITES) {
      const c = mul(a, b, site);
      t.deepEqual(c.arraySync(), tf.matMul(a, b).arraySync());
      c.dispose();
    }
  }
  // Steps 1 and 3 measured: 2 steps × 6 products × 3 classes.
  t.is(rows.length, 2 * 6 * 3);
  t.deepEqual([...new Set(rows.map((r) => r.iteration))], [1, 3]);
  const first = rows.filter((r) => r.iteration === 1 && r.layer === PRODUCT_SITES[0].layer && r.kind === PRODUCT_SITES[0].kind);
  t.true(Math.abs(first.reduce((s, r) => s + r.fraction, 0) - 1) < 1e-12);
  const A = { rows: 4, cols: 3, data: Float64Array.from(a.dataSync()) };
  const B = { rows: 3, cols: 5, data: Float64Array.from(b.dataSync()) };
  t.deepEqual(first.map((r) => r.energy), productEnergies(A, B).byClass);
});
