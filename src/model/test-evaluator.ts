/**
 * Test-set accuracy of an {@link Mlp}, as cheap as the tfjs backend allows: the test images are
 * uploaded once per evaluator (and packed once per loaded split), without the pixel columns that
 * are zero in every test image (MNIST's border: 116 of 784 columns in the 10k test set), and
 * each evaluation multiplies them by the matching rows of W1 (one gather of W1's rows, then the
 * same fused forward pass and one download of the argmax). Dropping terms that are exactly zero
 * leaves every logit bit-identical with the backend's sequential accumulation (tested against
 * Mlp.accuracy).
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/mnist.ts';
import type { Mlp } from './mlp.ts';

/** A test split's images restricted to their used columns (count × used.length, row-major). */
export interface PackedImages {
  count: number;
  dim: number;
  /** Indices of the pixel columns that are non-zero in some image (ascending; [0] if none). */
  used: Int32Array;
  packed: Float32Array;
}

/**
 * Packed images per split, built once per images array: an executor training many runs on the
 * same loaded data pays the column scan and the packing once, each evaluator only the upload.
 * Plain JS memory, released with the split.
 */
const packedCache = new WeakMap<Float32Array, PackedImages>();

/** The packed images of `test` (from the cache, or built and cached). */
export function packedTestImages(test: MnistSplit): PackedImages {
  const { count, dim, images } = test;
  const hit = packedCache.get(images);
  if (hit && hit.count === count && hit.dim === dim) return hit;
  const nonZero = new Uint8Array(dim);
  for (let i = 0; i < count; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) if (images[row + j] !== 0) nonZero[j] = 1;
  }
  const cols: number[] = [];
  for (let j = 0; j < dim; j++) if (nonZero[j]) cols.push(j);
  if (cols.length === 0) cols.push(0);
  const used = Int32Array.from(cols);
  const k = used.length;
  const packed = new Float32Array(count * k);
  for (let i = 0; i < count; i++) {
    const row = i * dim;
    const out = i * k;
    for (let c = 0; c < k; c++) packed[out + c] = images[row + used[c]];
  }
  const entry = { count, dim, used, packed };
  packedCache.set(images, entry);
  return entry;
}

export class TestEvaluator {
  /** Test images restricted to the used columns (count × used). */
  private readonly x: tf.Tensor2D;
  /** Indices of the used columns (int32, ascending). */
  private readonly cols: tf.Tensor1D;
  private readonly labels: Uint8Array;
  readonly count: number;
  /** Number of pixel columns kept. */
  readonly usedColumns: number;

  constructor(test: MnistSplit) {
    const { count, used, packed } = packedTestImages(test);
    this.x = tf.tensor2d(packed, [count, used.length]);
    this.cols = tf.tensor1d(used, 'int32');
    this.labels = test.labels;
    this.count = count;
    this.usedColumns = used.length;
  }

  /** Logits of every test image (count × classes); the caller disposes them (or runs in tf.tidy). */
  logits(model: Mlp): tf.Tensor2D {
    const [W1, W2, W3] = model.weights;
    const [b1, b2, b3] = model.biases;
    return tf.tidy(() => {
      const w1 = this.usedColumns === model.sizes[0] ? W1 : tf.gather(W1, this.cols);
      const h1 = tf.fused.matMul({ a: this.x, b: w1, bias: b1, activation: 'relu' });
      const h2 = tf.fused.matMul({ a: h1, b: W2, bias: b2, activation: 'relu' });
      return tf.fused.matMul({ a: h2, b: W3, bias: b3 }) as tf.Tensor2D;
    });
  }

  /** Fraction of test images whose argmax logit is the label (NaN for an empty set). */
  accuracy(model: Mlp): number {
    if (this.count === 0) return NaN;
    const pred = tf.tidy(() => tf.argMax(this.logits(model), 1));
    const p = pred.dataSync();
    pred.dispose();
    let correct = 0;
    for (let i = 0; i < this.count; i++) if (p[i] === this.labels[i]) correct++;
    return correct / this.count;
  }

  dispose(): void {
    this.x.dispose();
    this.cols.dispose();
  }
}
