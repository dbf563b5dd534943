/**
 * The paper's MLP (Table II; DESIGN §6): dense 784→100, ReLU, dense 100→200, ReLU, dense 200→10,
 * softmax cross-entropy (batch mean). Weights N(0, 2/(in+out)) drawn from the seeded Rng
 * (row-major, W1 then W2 then W3), zero biases. Dense layer l computes Y = X·W_l + b_l with
 * W_l: in×out. The layer sizes are a parameter so that tests can use a tiny network
 * (always three dense layers).
 *
 * The forward pass is exact tfjs: one fused matMul+bias(+ReLU) per layer (3 ops).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';

/** [input, hidden1, hidden2, output] */
export type LayerSizes = readonly [number, number, number, number];

export const MNIST_MLP_SIZES: LayerSizes = [784, 100, 200, 10];

/** Plain-array copy of the parameters: weights[l] is sizes[l]×sizes[l+1] row-major; biases[l] has sizes[l+1]. */
export interface MlpArrays {
  sizes: LayerSizes;
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Activations of one forward pass (tensors owned by the caller / the enclosing tidy). */
export interface ForwardPass {
  /** Input x (B × sizes[0]). */
  x: tf.Tensor2D;
  /** ReLU(x·W1 + b1) (B × sizes[1]). */
  h1: tf.Tensor2D;
  /** ReLU(h1·W2 + b2) (B × sizes[2]). */
  h2: tf.Tensor2D;
  /** h2·W3 + b3 (B × sizes[3]), before the softmax. */
  logits: tf.Tensor2D;
}

function checkSizes(sizes: readonly number[]): asserts sizes is LayerSizes {
  if (sizes.length !== 4 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(`sizes: need four positive integers [in, h1, h2, out], got [${sizes.join(', ')}]`);
  }
}

export class Mlp {
  /** Weights W1..W3 (in×out); replaced (old ones disposed) by each SGD update. */
  weights: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  /** Biases b1..b3. */
  biases: [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];

  private constructor(
    readonly sizes: LayerSizes,
    weights: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
    biases: [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D],
  ) {
    this.weights = weights;
    this.biases = biases;
  }

  /** Fresh parameters: W_l ~ N(0, 2/(in+out)) i.i.d. from `rng` (W1, W2, W3 in row-major order), b_l = 0. */
  static init(rng: Rng, sizes: LayerSizes = MNIST_MLP_SIZES): Mlp {
    checkSizes(sizes);
    const weights: Float32Array[] = [];
    const biases: Float32Array[] = [];
    for (let l = 0; l < 3; l++) {
      const fanIn = sizes[l];
      const fanOut = sizes[l + 1];
      const std = Math.sqrt(2 / (fanIn + fanOut));
      const w = new Float32Array(fanIn * fanOut);
      rng.fillNormal(w, std); // w[i] = rng.normal() * std, in order
      weights.push(w);
      biases.push(new Float32Array(fanOut));
    }
    return Mlp.fromArrays({ sizes, weights, biases });
  }

  /** Parameters from plain arrays (copied into new tensors). */
  static fromArrays(a: MlpArrays): Mlp {
    checkSizes(a.sizes);
    const s = a.sizes;
    const W = [0, 1, 2].map((l) => {
      if (a.weights[l]?.length !== s[l] * s[l + 1]) {
        throw new RangeError(`weights[${l}]: expected ${s[l]}×${s[l + 1]} values, got ${a.weights[l]?.length}`);
      }
      return tf.tensor2d(a.weights[l], [s[l], s[l + 1]], 'float32');
    });
    const b = [0, 1, 2].map((l) => {
      if (a.biases[l]?.length !== s[l + 1]) {
        throw new RangeError(`biases[${l}]: expected ${s[l + 1]} values, got ${a.biases[l]?.length}`);
      }
      return tf.tensor1d(a.biases[l], 'float32');
    });
    return new Mlp([...s] as unknown as LayerSizes, [W[0], W[1], W[2]], [b[0], b[1], b[2]]);
  }

  /** Copies the parameters out of tfjs (one download per tensor). */
  toArrays(): MlpArrays {
    return {
      sizes: this.sizes,
      weights: this.weights.map((w) => w.dataSync() as Float32Array).map((d) => Float32Array.from(d)),
      biases: this.biases.map((b) => b.dataSync() as Float32Array).map((d) => Float32Array.from(d)),
    };
  }

  /** An independent copy (new tensors). */
  clone(): Mlp {
    return new Mlp(
      this.sizes,
      [this.weights[0].clone(), this.weights[1].clone(), this.weights[2].clone()],
      [this.biases[0].clone(), this.biases[1].clone(), this.biases[2].clone()],
    );
  }

  /**
   * Exact forward pass keeping the activations the backward pass needs.
   * Creates tensors: call inside tf.tidy (or dispose h1, h2, logits yourself).
   */
  forward(x: tf.Tensor2D): ForwardPass {
    if (x.rank !== 2 || x.shape[1] !== this.sizes[0]) {
      throw new RangeError(`x: expected shape [B, ${this.sizes[0]}], got [${x.shape.join(', ')}]`);
    }
    const [W1, W2, W3] = this.weights;
    const [b1, b2, b3] = this.biases;
    const h1 = tf.fused.matMul({ a: x, b: W1, bias: b1, activation: 'relu' }) as tf.Tensor2D;
    const h2 = tf.fused.matMul({ a: h1, b: W2, bias: b2, activation: 'relu' }) as tf.Tensor2D;
    const logits = tf.fused.matMul({ a: h2, b: W3, bias: b3 }) as tf.Tensor2D;
    return { x, h1, h2, logits };
  }

  /** Logits only (intermediates disposed). */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.forward(x).logits);
  }

  /**
   * Fraction of rows of `x` (B × in, a tensor kept by the caller) whose argmax logit equals the label.
   * Runs in chunks of `chunk` rows to bound memory; one download per chunk.
   */
  accuracy(x: tf.Tensor2D, labels: Uint8Array, chunk = 10000): number {
    const n = x.shape[0];
    if (labels.length < n) throw new RangeError(`labels: ${labels.length} labels for ${n} rows`);
    let correct = 0;
    for (let lo = 0; lo < n; lo += chunk) {
      const rows = Math.min(chunk, n - lo);
      const pred = tf.tidy(() => {
        const xs = lo === 0 && rows === n ? x : tf.slice(x, [lo, 0], [rows, -1]);
        return tf.argMax(this.forward(xs).logits, 1);
      });
      const p = pred.dataSync();
      pred.dispose();
      for (let i = 0; i < rows; i++) if (p[i] === labels[lo + i]) correct++;
    }
    return n === 0 ? NaN : correct / n;
  }

  /** Frees the parameter tensors. */
  dispose(): void {
    for (const t of [...this.weights, ...this.biases]) t.dispose();
  }
}
