import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DATASETS } from '../src/data/registry.ts';
import { imageSize } from '../src/data/dataset.ts';
import { encodeIdxImages, encodeIdxLabels, readIdxImages, readIdxLabels } from '../src/data/idx.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { CIFAR_RECORD, encodeCifarRecords, readCifarFiles } from '../src/data/cifar10.ts';
import { cifar10 } from '../src/data/datasets/cifar10.ts';
import { fashionMnist, FASHION_MNIST_DIR } from '../src/data/datasets/fashion-mnist.ts';
import { OptionError } from '../src/config/index.ts';
import { Rng } from '../src/util/rng.ts';
import { useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('datasets-');

// Conformance, generated from the registry: every dataset loads its own default source (or says
// how to get it), and with an empty --data-dir names the missing file.
for (const d of DATASETS) {
  test(`${d.name}: default source gives well-formed splits, or an error naming --dataset`, (t) => {
    let split;
    try {
      split = d.loadSplit('test', { limit: 5, limitKey: 'testLimit' });
    } catch (err) {
      t.true(err instanceof OptionError, String(err));
      t.is((err as OptionError).key, 'dataset');
      t.regex((err as OptionError).detail, /--data-dir|apt-get/);
      return;
    }
    t.is(split.count, 5);
    t.is(split.dim, imageSize(d.shape));
    t.is(split.images.length, 5 * split.dim);
    t.true(split.images.every((v) => v >= 0 && v <= 1));
    t.true(split.labels.every((y) => y < d.classes));
  });
  test(`${d.name}: an empty --data-dir names a missing file in it`, (t) => {
    const dir = join(tempDir(), `empty-${d.name}`);
    mkdirSync(dir, { recursive: true });
    const err = t.throws(() => d.loadSplit('train', { dataDir: dir, limit: 1 }));
    t.true(err.message.startsWith(dir), err.message);
    t.regex(err.message, /file not found/);
  });
}

test('fashion-mnist from the Debian package: first training label and pixel checksum', (t) => {
  // Known record: the first training image is an ankle boot (class 9); checksums of the raw bytes.
  const train = fashionMnist.loadSplit('train', {});
  t.is(train.count, 60000);
  t.is(train.labels[0], 9);
  const bytes = (lo: number, hi: number) => {
    let s = 0;
    for (let i = lo; i < hi; i++) s += Math.round(train.images[i] * 255);
    return s;
  };
  t.is(bytes(0, 784), 76247);
  t.is(bytes(0, train.images.length), 3431114169);
  const test10k = fashionMnist.loadSplit('test', {});
  t.is(test10k.count, 10000);
  t.is(FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist');
});

test('IDX: gzip\'d files read the same as plain ones; a truncated gzip\'d file is named', (t) => {
  const rng = new Rng(3);
  const n = 4;
  const pixels = Uint8Array.from({ length: n * 784 }, () => rng.int(256));
  const labels = Uint8Array.from([3, 1, 4, 1]);
  const plain = join(tempDir(), 'plain');
  const gz = join(tempDir(), 'gz');
  mkdirSync(plain);
  mkdirSync(gz);
  for (const [dir, pack] of [[plain, (b: Uint8Array) => b], [gz, (b: Uint8Array) => gzipSync(b)]] as const) {
    const ext = dir === gz ? '.gz' : '';
    for (const split of ['train', 't10k']) {
      writeFileSync(join(dir, `${split}-images-idx3-ubyte${ext}`), pack(encodeIdxImages(n, 28, 28, pixels)));
      writeFileSync(join(dir, `${split}-labels-idx1-ubyte${ext}`), pack(encodeIdxLabels(labels)));
    }
  }
  const a = loadMnistSplit('train', { dataDir: plain });
  const b = loadMnistSplit('train', { dataDir: gz });
  t.deepEqual(b.labels, a.labels);
  t.deepEqual(b.images, a.images);
  t.deepEqual(readIdxImages(join(gz, 'train-images-idx3-ubyte.gz'), { limit: 2 }).data, pixels.subarray(0, 2 * 784));
  t.deepEqual(readIdxLabels(join(gz, 'train-labels-idx1-ubyte.gz')).data, labels);
  const cut = join(tempDir(), 'cut.gz');
  writeFileSync(cut, gzipSync(encodeIdxImages(n, 28, 28, pixels).subarray(0, 16 + 784 * 3)));
  t.throws(() => readIdxImages(cut), { message: new RegExp(`^${cut}: uncompressed length .*truncated`) });
  writeFileSync(cut, Buffer.from('not gzip'));
  t.throws(() => readIdxImages(cut), { message: new RegExp(`^${cut}: not a valid gzip file`) });
});

/** Writes CIFAR-10 binary files with `counts[f]` records each; returns labels and CHW pixels. */
function writeCifar(dir: string, counts: number[], seed: number) {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  const all: { labels: number[]; pixels: Uint8Array[] } = { labels: [], pixels: [] };
  names.forEach((name, f) => {
    const n = counts[f];
    const labels = Uint8Array.from({ length: n }, () => rng.int(10));
    const pixels = Uint8Array.from({ length: n * 3072 }, () => rng.int(256));
    writeFileSync(join(dir, name), encodeCifarRecords(labels, pixels));
    if (f < 5) {
      all.labels.push(...labels);
      for (let i = 0; i < n; i++) all.pixels.push(pixels.subarray(i * 3072, (i + 1) * 3072));
    }
  });
  return all;
}

test('cifar10: generated files in the binary format load as HWC images, across the five training files', (t) => {
  const dir = join(tempDir(), 'cifar');
  const want = writeCifar(dir, [2, 1, 3, 1, 2, 4], 7);
  const train = cifar10.loadSplit('train', { dataDir: dir });
  t.is(train.count, 9);
  t.is(train.dim, 3072);
  t.deepEqual([...train.labels], want.labels);
  for (let i = 0; i < 9; i++) {
    for (const [r, c, ch] of [[0, 0, 0], [0, 0, 2], [5, 17, 1], [31, 31, 2]]) {
      const chw = want.pixels[i][ch * 1024 + r * 32 + c];
      t.is(Math.round(train.images[i * 3072 + (r * 32 + c) * 3 + ch] * 255), chw);
    }
  }
  // a limit reads the first records in file order (here into the third file)
  const four = cifar10.loadSplit('train', { dataDir: dir, limit: 4 });
  t.deepEqual([...four.labels], want.labels.slice(0, 4));
  t.is(cifar10.loadSplit('test', { dataDir: dir }).count, 4);
  // the tarball's folder layout: DIR/cifar-10-batches-bin/*.bin
  const parent = join(tempDir(), 'cifar-parent');
  writeCifar(join(parent, 'cifar-10-batches-bin'), [1, 1, 1, 1, 1, 2], 8);
  t.is(cifar10.loadSplit('test', { dataDir: parent }).count, 2);
  t.throws(() => cifar10.loadSplit('train', { dataDir: dir, limit: 10 }), { instanceOf: OptionError, message: /^limit: 10 exceeds the 9 records/ });
});

test('cifar10: a truncated file, a wrong label and no --data-dir are errors naming the file or the flag', (t) => {
  const dir = join(tempDir(), 'cifar-bad');
  writeCifar(dir, [1, 1, 1, 1, 1, 1], 9);
  const bad = join(dir, 'data_batch_3.bin');
  writeFileSync(bad, new Uint8Array(CIFAR_RECORD * 2 - 100));
  t.throws(() => cifar10.loadSplit('train', { dataDir: dir }), {
    message: new RegExp(`^${bad}: ${CIFAR_RECORD * 2 - 100} bytes is not a whole number of CIFAR-10 records of 3073 bytes.*truncated`),
  });
  writeFileSync(bad, new Uint8Array(0));
  t.throws(() => readCifarFiles(dir, ['data_batch_3.bin']), { message: new RegExp(`^${bad}: 0 bytes`) });
  const rec = new Uint8Array(CIFAR_RECORD);
  rec[0] = 10;
  writeFileSync(bad, rec);
  t.throws(() => readCifarFiles(dir, ['data_batch_3.bin']), { message: new RegExp(`^${bad}: label 10 of record 0`) });
  t.throws(() => cifar10.loadSplit('train', {}), { instanceOf: OptionError, message: /^dataset: cifar10 needs --data-dir/ });
});
