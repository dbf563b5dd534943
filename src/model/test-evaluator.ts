/**
 * Test-set accuracy of an {@link Mlp}, as cheap as the tfjs backend allows: the test images are
 * uploaded once, without the pixel columns that are zero in every test image (MNIST's border:
 * 116 of 784 columns in the 10k test set), and each evaluation multiplies them by the matching
 * rows of W1 (one gather of W1's rows, then the same fused forward pass and one download of the
 * argmax). Dropping terms that are exactly zero leaves every logit bit-identical with the
 * backend's sequential accumulation (tested against Mlp.accuracy).
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/mnist.ts';
import type { Mlp } from './mlp.ts';

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
    const { count, dim, images } = test;
    const used: number[] = [];
    for (let j = 0; j < dim; j++) {
      for (let i = 0; i < count; i++) {
        if (images[i * dim + j] !== 0) {
          used.push(j);
          break;
        }
      }
    }
    if (used.length === 0) used.push(0);
    const packed = new Float32Array(count * used.length);
    for (let i = 0; i < count; i++) {
      const row = i * dim;
      const out = i * used.length;
      for (let k = 0; k < used.length; k++) packed[out + k] = images[row + used[k]];
    }
    this.x = tf.tensor2d(packed, [count, used.length]);
    this.cols = tf.tensor1d(Int32Array.from(used), 'int32');
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
