/**
 * Minibatches over a dataset held as a row-major Float32Array (n × dim) and Uint8Array labels.
 *
 * - Order: file order by default (as the authors, who do not shuffle); with `shuffle`, a fresh
 *   permutation per epoch drawn from the given seeded `Rng`.
 * - Last partial batch: KEPT (like the authors' Keras-style loaders). With n examples and batch B
 *   an epoch has ceil(n / B) batches; the last one has n − (ceil(n/B) − 1)·B ≤ B examples.
 * - A batch size larger than the data is a RangeError naming `batch`.
 * In file order the batch arrays are zero-copy views (subarray) of the dataset.
 */
import type { Rng } from '../util/rng.ts';

export interface Dataset {
  count: number;
  /** Features per example (784 for MNIST). */
  dim: number;
  images: Float32Array;
  labels: Uint8Array;
}

export interface Batch {
  /** 0-based index of the batch within the epoch. */
  index: number;
  /** Number of examples in this batch (the last one may be smaller than `batch`). */
  size: number;
  /** size × dim, row-major. */
  images: Float32Array;
  labels: Uint8Array;
}

export interface BatchOptions {
  /** Batch size: a positive integer no larger than the dataset. */
  batch: number;
  /** Shuffle the order (one new permutation per call); requires `rng`. Default false (file order). */
  shuffle?: boolean;
  /** Seeded source of the permutation when `shuffle` is true. */
  rng?: Rng;
}

/** Checks `batch` against a dataset of `n` examples; throws a RangeError naming `batch`. */
export function validateBatchSize(batch: number, n: number): void {
  if (!Number.isInteger(batch) || batch <= 0) {
    throw new RangeError(`batch: must be a positive integer, got ${batch}`);
  }
  if (batch > n) {
    throw new RangeError(`batch: ${batch} is larger than the ${n} examples available`);
  }
}

/** Number of batches per epoch (the last partial batch is kept): ceil(n / batch). */
export function batchesPerEpoch(n: number, batch: number): number {
  validateBatchSize(batch, n);
  return Math.ceil(n / batch);
}

/**
 * The example order of one epoch: identity (file order) or, with `shuffle`, a permutation
 * drawn from `rng`.
 */
export function epochOrder(n: number, opts: Pick<BatchOptions, 'shuffle' | 'rng'> = {}): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (opts.shuffle) {
    if (!opts.rng) throw new RangeError('rng: shuffle needs a seeded Rng');
    opts.rng.shuffle(order);
  }
  return order;
}

/** Yields one epoch's minibatches (see the module comment for order and the last batch). */
export function* minibatches(data: Dataset, opts: BatchOptions): Generator<Batch> {
  const { count: n, dim } = data;
  if (data.images.length < n * dim || data.labels.length < n) {
    throw new RangeError(`data: ${n} examples of ${dim} need ${n * dim} pixels and ${n} labels`);
  }
  validateBatchSize(opts.batch, n);
  const B = opts.batch;
  const nb = Math.ceil(n / B);
  if (!opts.shuffle) {
    for (let k = 0; k < nb; k++) {
      const lo = k * B;
      const hi = Math.min(n, lo + B);
      yield {
        index: k,
        size: hi - lo,
        images: data.images.subarray(lo * dim, hi * dim),
        labels: data.labels.subarray(lo, hi),
      };
    }
    return;
  }
  const order = epochOrder(n, opts);
  for (let k = 0; k < nb; k++) {
    const lo = k * B;
    const hi = Math.min(n, lo + B);
    const size = hi - lo;
    const images = new Float32Array(size * dim);
    const labels = new Uint8Array(size);
    for (let r = 0; r < size; r++) {
      const src = order[lo + r];
      images.set(data.images.subarray(src * dim, (src + 1) * dim), r * dim);
      labels[r] = data.labels[src];
    }
    yield { index: k, size, images, labels };
  }
}
