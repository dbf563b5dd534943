import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { PRODUCT_SITES } from '../src/model/backprop.ts';
import { makeRealMultiply } from '../src/runtime/real-multiply.ts';
import { startThreadsRuntime } from '../src/runtime/threads.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';

let rt: Runtime;
test.before(async () => {
  await initBackend();
  rt = await startThreadsRuntime({ threads: 2 });
});
test.after.always(async () => {
  await rt?.close();
});

/** The six backward products of the 784-100-200-10 MLP at batch 64 (Table II), as (m×n)(n×p). */
const SHAPES: [number, number, number][] = [
  [64, 10, 200],
  [200, 64, 10],
  [64, 200, 100],
  [100, 64, 200],
  [64, 100, 784],
  [784, 64, 100],
];

test.serial('training products on threads: every worker in time → the sim tensor executor\'s product (same draws); stats and step time per step', async (t) => {
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 1e9, latency: { model: 'exponential', lambda: 0.5 }, gamma: [0.45, 0.35, 0.2] });
  const m = makeRealMultiply(opts, new Rng(1), rt, { straggle: 'model', timeUnitMs: 1, deadlineMs: NaN });
  const simRng = new Rng(1);
  const rng = new Rng(2);
  for (let step = 0; step < 2; step++) {
    // grad-input and grad-weight of a layer in flight together
    for (let layer = 0; layer < 3; layer++) {
      const pair = [0, 1].map((k) => {
        const [a, n, p] = SHAPES[2 * layer + k];
        const A = tf.tensor2d(Float32Array.from({ length: a * n }, () => rng.normal()), [a, n]);
        const B = tf.tensor2d(Float32Array.from({ length: n * p }, () => rng.normal()), [n, p]);
        return { A, B, C: m.multiply(A, B, PRODUCT_SITES[2 * layer + k]) };
      });
      for (const { A, B, C } of pair) {
        const got = await C;
        // the sim adapter draws in the same order: same code, same worker times, same blocks recovered
        const { C: exact } = codedMatMul(A, B, opts, simRng);
        const err = tf.max(tf.abs(tf.sub(got, exact))).dataSync()[0];
        const scale = tf.max(tf.abs(exact)).dataSync()[0];
        t.deepEqual(got.shape, exact.shape);
        t.true(err <= 1e-4 * scale, `step ${step} layer ${3 - layer}: max error ${err} vs scale ${scale}`);
        tf.dispose([A, B, got, exact]);
      }
    }
    const s = m.takeStepStats();
    t.is(s.products, 6);
    t.is(s.workers_received, 6 * opts.workers, 'every worker in time (T_max huge)');
    t.true(s.step_ms > 0);
    t.is(s.rejected, 0);
  }
});

test.serial('the largest training task fits the 1 MB max payload; a 4× batch is refused naming the way out', async (t) => {
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 1e9, gamma: [0.45, 0.35, 0.2] });
  const m = makeRealMultiply(opts, new Rng(1), rt, { straggle: 'none', timeUnitMs: 1, deadlineMs: 5000 }, 1000);
  const big = async (batch: number) => {
    const A = tf.zeros([784, batch]) as tf.Tensor2D;
    const B = tf.zeros([batch, 100]) as tf.Tensor2D;
    try {
      (await m.multiply(A, B, PRODUCT_SITES[5])).dispose();
    } finally {
      tf.dispose([A, B]);
      m.takeStepStats();
    }
  };
  await t.notThrowsAsync(big(64));
  await t.throwsAsync(big(1024), { instanceOf: RangeError, message: /max payload of 1048576 bytes: use a smaller batch or a finer grid/ });
});
