import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { Mlp } from '../src/model/mlp.ts';
import { packedTestImages, TestEvaluator } from '../src/model/test-evaluator.ts';
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

test('evaluators of one loaded split share its packed images (built once) and agree', async (t) => {
  await initBackend('auto');
  const split = loadMnistSplit('test', { limit: 500 });
  const packed = packedTestImages(split);
  t.is(packedTestImages(split), packed, 'cached per split');
  t.not(packedTestImages({ ...split, count: 400 }), packed, 'a different count is packed anew');
  const m = Mlp.init(new Rng(4));
  const a = new TestEvaluator(split);
  const b = new TestEvaluator(split);
  t.is(a.usedColumns, packed.used.length);
  t.is(b.accuracy(m), a.accuracy(m));
  const fresh = new TestEvaluator(loadMnistSplit('test', { limit: 500 }));
  t.is(fresh.accuracy(m), a.accuracy(m));
  for (const e of [a, b, fresh]) e.dispose();
  m.dispose();
});
