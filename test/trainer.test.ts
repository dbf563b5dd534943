import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/util/backend.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { train, type IterationRecord } from '../src/model/trainer.ts';
import type { Multiply } from '../src/model/backprop.ts';

const trainSet = loadMnistSplit('train', { limit: 640 });
const testSet = loadMnistSplit('test', { limit: 1000 });

// Serial: train() awaits between steps, and tf.memory() counts every test's tensors.
test.before(async () => {
  await initBackend();
});

test.serial('short exact training (640 examples, 3 epochs, lr 0.2 for speed): loss falls, accuracy well above chance, tensors do not grow', async (t) => {
  const records: IterationRecord[] = [];
  const live: number[] = [];
  const res = await train({
    train: trainSet,
    test: testSet,
    epochs: 3,
    batch: 64,
    lr: 0.2,
    seed: 1,
    evalEvery: 4,
    onIteration: (r) => {
      records.push(r);
      live.push(tf.memory().numTensors);
    },
  });
  t.is(res.iterations, 30);
  t.is(records.length, 30);
  t.deepEqual(records.map((r) => r.iteration), Array.from({ length: 30 }, (_, i) => i + 1));
  t.deepEqual(records.map((r) => r.epoch), [1, 2, 3].flatMap((e) => new Array(10).fill(e)));
  // test_acc at every 4th iteration and at each epoch's end (10, 20, 30), undefined elsewhere
  t.deepEqual(
    records.filter((r) => r.test_acc !== undefined).map((r) => r.iteration),
    [4, 8, 10, 12, 16, 20, 24, 28, 30],
  );
  const firstLoss = (records[0].train_loss + records[1].train_loss) / 2;
  const lastLoss = (records[28].train_loss + records[29].train_loss) / 2;
  t.log(`loss ${firstLoss.toFixed(3)} → ${lastLoss.toFixed(3)}, test acc ${res.testAccuracy}, ${res.msPerStep.toFixed(2)} ms/step on ${res.backend}`);
  t.true(firstLoss > 2, 'starts near ln 10');
  t.true(lastLoss < 0.5 * firstLoss, 'loss falls'); // seeds 1–4 at lr 0.2: 2.25 → 0.60–0.72
  t.true(res.testAccuracy > 0.5, `test accuracy ${res.testAccuracy}`);
  t.is(records[29].test_acc, res.testAccuracy);
  t.true(records.every((r) => r.train_acc >= 0 && r.train_acc <= 1));
  t.true(live.every((n) => n === live[0]), `live tensors per iteration: ${live}`);
  t.deepEqual(res.weights.sizes, [784, 100, 200, 10]);
  t.is(res.weights.weights[0].length, 784 * 100);
});

test.serial('same seed → identical weights; another seed → different', async (t) => {
  const opts = { train: trainSet, test: testSet, epochs: 1, batch: 64, lr: 0.05, limit: 256 };
  const a = await train({ ...opts, seed: 7 });
  const b = await train({ ...opts, seed: 7 });
  const c = await train({ ...opts, seed: 8 });
  t.is(a.iterations, 4);
  for (let l = 0; l < 3; l++) {
    t.deepEqual(a.weights.weights[l], b.weights.weights[l]);
    t.deepEqual(a.weights.biases[l], b.weights.biases[l]);
  }
  t.notDeepEqual(a.weights.weights[0], c.weights.weights[0]);
  // Seeded shuffling is reproducible too.
  const s1 = await train({ ...opts, seed: 7, shuffle: true });
  const s2 = await train({ ...opts, seed: 7, shuffle: true });
  t.deepEqual(s1.weights.weights[2], s2.weights.weights[2]);
  t.notDeepEqual(s1.weights.weights[2], a.weights.weights[2]);
});

test.serial('extraFields are merged into each record; the multiply is the injected one; last partial batch kept', async (t) => {
  let products = 0;
  const counting: Multiply = (a, b) => {
    products++;
    return tf.matMul(a, b);
  };
  let step = 0;
  const records: IterationRecord[] = [];
  await train({
    train: trainSet,
    test: testSet,
    limit: 150,
    epochs: 1,
    batch: 64,
    multiply: counting,
    extraFields: () => ({ workers_received: 9, blocks_recovered: ++step }),
    onIteration: (r) => {
      records.push(r);
    },
  });
  t.is(records.length, 3, '150 examples at batch 64 → 64, 64, 22');
  t.is(products, 18);
  t.deepEqual(records.map((r) => r.blocks_recovered), [1, 2, 3]);
  t.true(records.every((r) => r.workers_received === 9));
  t.is(records[2].test_acc !== undefined, true);
  await t.throwsAsync(
    train({ train: trainSet, test: testSet, limit: 64, epochs: 1, extraFields: () => ({ train_acc: 1 }) }),
    { message: /extraFields.*train_acc/ },
  );
});

test.serial('options are validated with RangeErrors naming the option', async (t) => {
  const base = { train: trainSet, test: testSet };
  await t.throwsAsync(train({ ...base, batch: 641 }), { instanceOf: RangeError, message: /^batch/ });
  await t.throwsAsync(train({ ...base, limit: 100, batch: 128 }), { instanceOf: RangeError, message: /^batch/ });
  await t.throwsAsync(train({ ...base, epochs: 0 }), { instanceOf: RangeError, message: /^epochs/ });
  await t.throwsAsync(train({ ...base, lr: -1 }), { instanceOf: RangeError, message: /^lr/ });
  await t.throwsAsync(train({ ...base, evalEvery: 1.5 }), { instanceOf: RangeError, message: /^evalEvery/ });
  await t.throwsAsync(train({ ...base, limit: 1000 }), { instanceOf: RangeError, message: /^limit/ });
});
