import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/util/backend.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { train, type IterationRecord, type LoopConfig } from '../src/model/trainer.ts';
import { exactMultiply, type AsyncMultiply, type Multiply } from '../src/model/backprop.ts';
import type { MnistSplit } from '../src/data/mnist.ts';

const trainSet = loadMnistSplit('train', { limit: 640 });
const testSet = loadMnistSplit('test', { limit: 1000 });
const data = { train: trainSet, test: testSet };
const first = (s: MnistSplit, n: number): MnistSplit => ({ count: n, dim: s.dim, images: s.images.subarray(0, n * s.dim), labels: s.labels.subarray(0, n) });
const EXACT = { sync: exactMultiply };
const LOOP: LoopConfig = { epochs: 1, batch: 64, lr: 0.05, seed: 1, shuffle: false, evalEvery: 0 };

// Serial: train() awaits between steps, and tf.memory() counts every test's tensors.
test.before(async () => {
  await initBackend();
});

test.serial('short exact training (640 examples, 3 epochs, lr 0.2 for speed): loss falls, accuracy well above chance, tensors do not grow', async (t) => {
  const records: IterationRecord[] = [];
  const live: number[] = [];
  const res = await train({ ...LOOP, epochs: 3, lr: 0.2, evalEvery: 4 }, data, EXACT, {
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
  const small = { train: first(trainSet, 256), test: testSet };
  const a = await train({ ...LOOP, seed: 7 }, small, EXACT);
  const b = await train({ ...LOOP, seed: 7 }, small, EXACT);
  const c = await train({ ...LOOP, seed: 8 }, small, EXACT);
  t.is(a.iterations, 4);
  for (let l = 0; l < 3; l++) {
    t.deepEqual(a.weights.weights[l], b.weights.weights[l]);
    t.deepEqual(a.weights.biases[l], b.weights.biases[l]);
  }
  t.notDeepEqual(a.weights.weights[0], c.weights.weights[0]);
  // Seeded shuffling is reproducible too.
  const s1 = await train({ ...LOOP, seed: 7, shuffle: true }, small, EXACT);
  const s2 = await train({ ...LOOP, seed: 7, shuffle: true }, small, EXACT);
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
  await train(LOOP, { train: first(trainSet, 150), test: testSet }, { sync: counting }, {
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
    train(LOOP, { train: first(trainSet, 64), test: testSet }, EXACT, { extraFields: () => ({ train_acc: 1 }) }),
    { message: /extraFields.*train_acc/ },
  );
});

test.serial('an asynchronous multiply trains to the same weights; both products of a layer are in flight together; no tensor leaks', async (t) => {
  const small = { train: first(trainSet, 192), test: first(testSet, 100) };
  const sync = await train(LOOP, small, EXACT);
  let inFlight = 0;
  let maxInFlight = 0;
  const order: string[] = [];
  const asyncExact: AsyncMultiply = async (a, b, site) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    order.push(`${site.layer}:${site.kind}`);
    await new Promise((done) => setTimeout(done, 1));
    inFlight--;
    return tf.matMul(a, b) as tf.Tensor2D;
  };
  const live: number[] = [];
  const res = await train(LOOP, small, { async: asyncExact }, { onIteration: () => void live.push(tf.memory().numTensors) });
  for (let l = 0; l < 3; l++) t.deepEqual(res.weights.weights[l], sync.weights.weights[l]);
  t.is(maxInFlight, 2);
  t.deepEqual(order.slice(0, 6), ['3:grad-input', '3:grad-weight', '2:grad-input', '2:grad-weight', '1:grad-input', '1:grad-weight']);
  t.true(live.every((n) => n === live[0]), `live tensors per iteration: ${live}`);
  // A failing product rejects the step and frees the step's tensors.
  const before = tf.memory().numTensors;
  const failing: AsyncMultiply = async () => {
    throw new Error('worker exploded');
  };
  await t.throwsAsync(train(LOOP, small, { async: failing }), { message: 'worker exploded' });
  t.is(tf.memory().numTensors, before);
});
