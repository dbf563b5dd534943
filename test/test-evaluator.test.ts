import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { Mlp } from '../src/model/mlp.ts';
import { TestEvaluator } from '../src/model/test-evaluator.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';

test('the test evaluator drops all-zero pixel columns and gives bit-identical logits and the same accuracy as Mlp.accuracy', async (t) => {
  await initBackend('auto');
  const split = loadMnistSplit('test', { limit: 2000 });
  const x = tf.tensor2d(split.images.subarray(0, split.count * 784), [split.count, 784]);
  const ev = new TestEvaluator(split);
  t.true(ev.usedColumns < 784, `${ev.usedColumns} columns used`);
  const before = tf.memory().numTensors;
  for (const seed of [1, 2, 3]) {
    const m = Mlp.init(new Rng(seed));
    const full = m.logits(x);
    const pruned = ev.logits(m);
    t.deepEqual(pruned.shape, full.shape);
    t.deepEqual(Buffer.from((pruned.dataSync() as Float32Array).buffer), Buffer.from((full.dataSync() as Float32Array).buffer), `seed ${seed}`);
    tf.dispose([full, pruned]);
    t.is(ev.accuracy(m), m.accuracy(x, split.labels));
    m.dispose();
  }
  t.is(tf.memory().numTensors, before, 'no tensor leaks');
  ev.dispose();
  x.dispose();
});
