/**
 * A layer stack (plan.ts) as a trainable network: exact forward pass, backward pass by tfjs's
 * autodiff (tf.grads) in which every dense layer's two products, and with `codeConv` every
 * convolution's, go through the injected multiply (coded-ops.ts); ReLU, max-pooling and
 * flattening are differentiated exactly by tfjs. Without `codeConv` a convolution's backward
 * products are the same im2col products computed exactly (tf.matMul), because tfjs's wasm
 * backend has no kernel for the convolution's filter gradient. The loss and ∂loss/∂logits are the paper MLP's
 * float64 softmax cross-entropy (softmax-ce.ts), entered as a custom gradient.
 *
 * Parameters, in layer order: per conv K (k×k×C×F) and b (F), per dense W (in×out) and b (out);
 * weights N(0, 2/(fanIn + fanOut)) from the seeded Rng in that order (fan-in k·k·C, fan-out
 * k·k·F for a conv, as Glorot), zero biases. Layers that have parameters are numbered 1, 2, …
 * from the input: the `layer` of their product sites.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.ts';
import type { ImageShape } from '../data/dataset.ts';
import type { LayerSpec } from './plan.ts';
import { codedConv2d, codedDense, type CustomGradFn } from './coded-ops.ts';
import { softmaxCrossEntropy } from './softmax-ce.ts';
import { exactMultiply, type Multiply, type StepOutcome } from './backprop.ts';

/** One layer with its input and output shapes (per example: [H, W, C] or [n]). */
interface PlacedLayer {
  spec: LayerSpec;
  inShape: number[];
  outShape: number[];
  /** 1-based index among layers with parameters (0 for pooling). */
  site: number;
}

/** Plain copy of the parameters (for results and tests): kernels/weights and biases per layer. */
export interface NetworkArrays {
  /** Per-example sizes: input, then each layer's output (flattened). */
  sizes: number[];
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Places the layers on `shape`, appending the output layer; throws RangeError naming `model` if a layer does not fit. */
export function placeLayers(layers: readonly LayerSpec[], shape: ImageShape, classes: number): PlacedLayer[] {
  const all: LayerSpec[] = [...layers, { type: 'dense', units: classes }];
  let cur: number[] = [shape.height, shape.width, shape.channels];
  let site = 0;
  return all.map((spec) => {
    const inShape = cur;
    if (spec.type === 'dense') {
      cur = [spec.units];
    } else if (spec.type === 'conv') {
      if (inShape.length !== 3) throw new RangeError('model: a convolution cannot follow a dense layer');
      const [H, W] = inShape;
      const Ho = spec.padding === 'same' ? H : H - spec.kernel + 1;
      const Wo = spec.padding === 'same' ? W : W - spec.kernel + 1;
      if (Ho < 1 || Wo < 1) throw new RangeError(`model: a ${spec.kernel}×${spec.kernel} valid convolution does not fit ${H}×${W}`);
      cur = [Ho, Wo, spec.filters];
    } else {
      if (inShape.length !== 3) throw new RangeError('model: pooling cannot follow a dense layer');
      const [H, W, C] = inShape;
      if (H < spec.size || W < spec.size) throw new RangeError(`model: ${spec.size}×${spec.size} pooling does not fit ${H}×${W}`);
      cur = [Math.floor(H / spec.size), Math.floor(W / spec.size), C];
    }
    return { spec, inShape, outShape: cur, site: spec.type === 'pool' ? 0 : ++site };
  });
}

function flatSize(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

export class Network {
  /** Parameters in layer order: [K1|W1, b1, K2|W2, b2, …]; replaced by each update. */
  params: tf.Tensor[];

  private constructor(
    readonly layers: PlacedLayer[],
    readonly shape: ImageShape,
    params: tf.Tensor[],
    /** Code the convolutions' backward products too (else exact tfjs gradients). */
    readonly codeConv: boolean,
  ) {
    this.params = params;
  }

  /** Fresh parameters from `rng` (see the module comment). */
  static init(rng: Rng, layers: readonly LayerSpec[], shape: ImageShape, classes: number, codeConv = false): Network {
    const placed = placeLayers(layers, shape, classes);
    const params: tf.Tensor[] = [];
    for (const l of placed) {
      if (l.spec.type === 'pool') continue;
      let wShape: number[];
      let fanIn: number;
      let fanOut: number;
      if (l.spec.type === 'conv') {
        const C = l.inShape[2];
        const k = l.spec.kernel;
        wShape = [k, k, C, l.spec.filters];
        fanIn = k * k * C;
        fanOut = k * k * l.spec.filters;
      } else {
        fanIn = flatSize(l.inShape);
        fanOut = l.spec.units;
        wShape = [fanIn, fanOut];
      }
      const w = new Float32Array(flatSize(wShape));
      rng.fillNormal(w, Math.sqrt(2 / (fanIn + fanOut)));
      params.push(tf.tensor(w, wShape, 'float32'), tf.zeros([wShape[wShape.length - 1]], 'float32'));
    }
    return new Network(placed, shape, params, codeConv);
  }

  /** Number of product sites (layers with parameters) × 2. */
  get productsPerStep(): number {
    return 2 * this.layers.filter((l) => l.spec.type !== 'pool').length;
  }

  /**
   * Logits (B×classes) of x (B × H·W·C rows) with parameters `p`; with `multiply` the dense (and
   * with codeConv the conv) layers are the coded ops, else plain exact tfjs ops.
   */
  forward(x: tf.Tensor2D, p: readonly tf.Tensor[], multiply?: Multiply): tf.Tensor2D {
    const B = x.shape[0];
    const { height, width, channels } = this.shape;
    let h: tf.Tensor = this.layers[0].spec.type === 'dense' ? x : tf.reshape(x, [B, height, width, channels]);
    let i = 0;
    const last = this.layers.length - 1;
    this.layers.forEach((l, idx) => {
      const s = l.spec;
      if (s.type === 'pool') {
        h = tf.maxPool(h as tf.Tensor4D, s.size, s.size, 'valid');
        return;
      }
      const [w, b] = [p[i], p[i + 1]];
      i += 2;
      if (s.type === 'conv') {
        // The backward products are im2col matrix products in any case: tfjs's wasm backend has
        // no Conv2DBackpropFilter kernel. Exact (tf.matMul) unless codeConv.
        h = multiply
          ? codedConv2d(h as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, s.padding, this.codeConv ? multiply : exactMultiply, l.site, l.site > 1)
          : tf.add(tf.conv2d(h as tf.Tensor4D, w as tf.Tensor4D, 1, s.padding), b);
      } else {
        if (h.rank !== 2) h = tf.reshape(h, [B, -1]);
        // the first layer's grad input is coded too (as the paper codes the MLP's layer-1 product), then dropped
        h = multiply ? codedDense(h as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, multiply, l.site) : tf.add(tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D), b);
      }
      if (idx < last) h = tf.relu(h);
    });
    return h as tf.Tensor2D;
  }

  /**
   * Gradients of the batch-mean softmax cross-entropy with respect to every parameter (tensors
   * owned by the caller), the loss and the correct count, backward products through `multiply`.
   */
  gradients(images: Float32Array, labels: ArrayLike<number>, multiply: Multiply = exactMultiply): { grads: tf.Tensor[]; loss: number; correct: number } {
    const B = labels.length;
    const dim = flatSize([this.shape.height, this.shape.width, this.shape.channels]);
    if (images.length !== B * dim) throw new RangeError(`images: expected ${B}×${dim} values for ${B} labels, got ${images.length}`);
    let loss = NaN;
    let correct = 0;
    const grads = tf.tidy(() => {
      const x = tf.tensor2d(images, [B, dim]);
      // the loss as a custom op: float64 softmax cross-entropy forward, its ∂/∂logits backward
      const ce = tf.customGrad(((logits: tf.Tensor) => {
        const C = logits.shape[1] as number;
        const r = softmaxCrossEntropy(logits.dataSync(), labels, B, C);
        loss = r.loss;
        correct = r.correct;
        return { value: tf.scalar(r.loss), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.mul(tf.tensor2d(r.dLogits, [B, C]), dy as tf.Tensor) };
      }) as CustomGradFn);
      const f = (...p: tf.Tensor[]) => ce(this.forward(x, p, multiply)) as tf.Scalar;
      return tf.grads(f)(this.params);
    });
    return { grads, loss, correct };
  }

  /** One SGD step: p ← p − lr·grad (old tensors freed); loss and accuracy of the batch before it. */
  sgdStep(images: Float32Array, labels: ArrayLike<number>, lr: number, multiply: Multiply = exactMultiply): StepOutcome {
    const g = this.gradients(images, labels, multiply);
    const next = tf.tidy(() => this.params.map((p, i) => tf.sub(p, tf.mul(g.grads[i], lr))));
    for (const t of [...g.grads, ...this.params]) t.dispose();
    this.params = next;
    return { loss: g.loss, correct: g.correct, size: labels.length };
  }

  /** Fraction of the `count` rows of `images` whose argmax logit is the label, `chunk` rows at a time. */
  accuracy(images: Float32Array, labels: Uint8Array, count: number, chunk = 500): number {
    if (count === 0) return NaN;
    const dim = images.length / Math.max(1, count);
    let correct = 0;
    for (let lo = 0; lo < count; lo += chunk) {
      const rows = Math.min(chunk, count - lo);
      const pred = tf.tidy(() => tf.argMax(this.forward(tf.tensor2d(images.subarray(lo * dim, (lo + rows) * dim), [rows, dim]), this.params), 1));
      const p = pred.dataSync();
      pred.dispose();
      for (let i = 0; i < rows; i++) if (p[i] === labels[lo + i]) correct++;
    }
    return correct / count;
  }

  toArrays(): NetworkArrays {
    const sizes = [flatSize(this.layers[0].inShape), ...this.layers.map((l) => flatSize(l.outShape))];
    const weights: Float32Array[] = [];
    const biases: Float32Array[] = [];
    for (let i = 0; i < this.params.length; i += 2) {
      weights.push(this.params[i].dataSync() as Float32Array);
      biases.push(this.params[i + 1].dataSync() as Float32Array);
    }
    return { sizes, weights, biases };
  }

  dispose(): void {
    for (const t of this.params) t.dispose();
  }
}
