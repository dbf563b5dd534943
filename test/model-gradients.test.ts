import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { Mlp, MNIST_MLP_SIZES, type LayerSizes } from '../src/model/mlp.ts';
import {
  computeGradients,
  exactMultiply,
  PRODUCT_SITES,
  sgdStep,
  softmaxCrossEntropy,
  type Multiply,
  type ProductSite,
} from '../src/model/backprop.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';

test.before(async () => {
  await initBackend();
});

/** Plain-JS float64 forward: mean softmax cross-entropy of the 3-layer ReLU MLP. */
function lossF64(sizes: LayerSizes, W: Float64Array[], b: Float64Array[], x: Float64Array, labels: Uint8Array): number {
  const B = labels.length;
  let total = 0;
  for (let i = 0; i < B; i++) {
    let h = Array.from(x.subarray(i * sizes[0], (i + 1) * sizes[0]));
    for (let l = 0; l < 3; l++) {
      const [nin, nout] = [sizes[l], sizes[l + 1]];
      const z = new Array<number>(nout).fill(0);
      for (let o = 0; o < nout; o++) {
        let s = b[l][o];
        for (let k = 0; k < nin; k++) s += h[k] * W[l][k * nout + o];
        z[o] = l < 2 ? Math.max(0, s) : s;
      }
      h = z;
    }
    const m = Math.max(...h);
    const lse = m + Math.log(h.reduce((a, v) => a + Math.exp(v - m), 0));
    total += lse - h[labels[i]];
  }
  return total / B;
}

/** Central difference of f with respect to every entry of `v` (modified in place and restored). */
function centralDiff(v: Float64Array, f: () => number, eps: number): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const orig = v[i];
    v[i] = orig + eps;
    const fp = f();
    v[i] = orig - eps;
    const fm = f();
    v[i] = orig;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

function maxRelErr(got: ArrayLike<number>, want: ArrayLike<number>): { abs: number; scale: number } {
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    abs = Math.max(abs, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return { abs, scale };
}

test('hand-written backward matches float64 finite differences on a 5-4-3-2 network', (t) => {
  const sizes: LayerSizes = [5, 4, 3, 2];
  const rng = new Rng(11);
  const model = Mlp.init(rng, sizes);
  // Non-zero biases so that every parameter matters; inputs N(0,1).
  const arr = model.toArrays();
  for (const bb of arr.biases) for (let i = 0; i < bb.length; i++) bb[i] = 0.3 * rng.normal();
  model.dispose();
  const m2 = Mlp.fromArrays(arr);
  const B = 6;
  const xs = Float32Array.from({ length: B * 5 }, () => rng.normal());
  const labels = Uint8Array.from({ length: B }, () => rng.int(2));

  const x = tf.tensor2d(xs, [B, 5]);
  const g = computeGradients(m2, x, labels, exactMultiply, { keepInputGrad: true });
  const W64 = arr.weights.map((w) => Float64Array.from(w));
  const b64 = arr.biases.map((v) => Float64Array.from(v));
  const x64 = Float64Array.from(xs);
  const f = () => lossF64(sizes, W64, b64, x64, labels);
  t.true(Math.abs(g.loss - f()) < 1e-6, `loss ${g.loss} vs ${f()}`);

  const eps = 1e-6;
  const check = (name: string, got: tf.Tensor, v: Float64Array) => {
    const fd = centralDiff(v, f, eps);
    const { abs, scale } = maxRelErr(got.dataSync(), fd);
    t.true(scale > 1e-3, `${name}: gradient not trivially zero`);
    t.log(`${name}: max |Δ| ${abs.toExponential(2)} (scale ${scale.toExponential(2)})`);
    t.true(abs <= 1e-5 + 1e-4 * scale, `${name}: max |Δ| ${abs} (scale ${scale})`);
  };
  for (let l = 0; l < 3; l++) {
    check(`dW${l + 1}`, g.dW[l], W64[l]);
    check(`db${l + 1}`, g.db[l], b64[l]);
  }
  check('dX', g.dX!, x64);
  tf.dispose([x, ...g.dW, ...g.db, g.dX!]);
  m2.dispose();
});

test('softmaxCrossEntropy: loss, ties and gradient rows summing to zero', (t) => {
  const r = softmaxCrossEntropy([0, 0, 1, 1, 5, 2], [1, 0], 2, 3);
  t.true(Math.abs(r.loss - 0.5 * (Math.log(2 + Math.E) - 0 + Math.log(Math.exp(-4) + Math.exp(-3) + 1) - (1 - 5))) < 1e-9);
  t.is(r.correct, 0); // row 0's argmax is class 2; row 1's is class 1 (label 0)
  t.true(Math.abs(r.dLogits[0] + r.dLogits[1] + r.dLogits[2]) < 1e-7);
  t.throws(() => softmaxCrossEntropy([0, 0], [2], 1, 2), { instanceOf: RangeError });
});

/** Unfused autodiff reference: loss(x, W1, b1, W2, b2, W3, b3) with tfjs's own ops and gradients. */
function autodiffGrads(model: Mlp, x: tf.Tensor2D, labels: Uint8Array): { loss: number; grads: tf.Tensor[] } {
  const C = model.sizes[3];
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), C).toFloat();
  const f = (...p: tf.Tensor[]) => {
    const [xx, W1, b1, W2, b2, W3, b3] = p as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    const h1 = tf.relu(tf.add(tf.matMul(xx, W1), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1, W2), b2));
    const z = tf.add(tf.matMul(h2, W3), b3);
    return tf.losses.softmaxCrossEntropy(onehot, z) as tf.Scalar;
  };
  const [W1, W2, W3] = model.weights;
  const [b1, b2, b3] = model.biases;
  const { value, grads } = tf.valueAndGrads(f)([x, W1, b1, W2, b2, W3, b3]);
  const loss = value.dataSync()[0];
  value.dispose();
  onehot.dispose();
  return { loss, grads };
}

test('on 784-100-200-10 with a batch of 64 MNIST images the backward matches tfjs autodiff', (t) => {
  const data = loadMnistSplit('train', { limit: 64 });
  const model = Mlp.init(new Rng(5), MNIST_MLP_SIZES);
  // A few SGD steps first so that biases are non-zero and the net is not at its initial point.
  for (let k = 0; k < 3; k++) sgdStep(model, data.images, data.labels, 0.1);
  const x = tf.tensor2d(data.images, [64, 784]);
  const g = computeGradients(model, x, data.labels, exactMultiply, { keepInputGrad: true });
  const ref = autodiffGrads(model, x, data.labels);
  t.true(Math.abs(g.loss - ref.loss) < 1e-5 * Math.max(1, ref.loss), `loss ${g.loss} vs ${ref.loss}`);
  const [rx, rW1, rb1, rW2, rb2, rW3, rb3] = ref.grads;
  const pairs: [string, tf.Tensor, tf.Tensor][] = [
    ['dX', g.dX!, rx],
    ['dW1', g.dW[0], rW1],
    ['db1', g.db[0], rb1],
    ['dW2', g.dW[1], rW2],
    ['db2', g.db[1], rb2],
    ['dW3', g.dW[2], rW3],
    ['db3', g.db[2], rb3],
  ];
  for (const [name, got, want] of pairs) {
    t.deepEqual(got.shape, want.shape, name);
    const { abs, scale } = maxRelErr(got.dataSync(), want.dataSync());
    t.true(scale > 0, `${name}: non-zero`);
    t.log(`${name}: max |Δ| ${abs.toExponential(2)} (scale ${scale.toExponential(2)})`);
    t.true(abs <= 1e-5 * scale + 1e-7, `${name}: max |Δ| ${abs} (scale ${scale})`);
  }
  tf.dispose([x, ...g.dW, ...g.db, g.dX!, ...ref.grads]);
  model.dispose();
});

test('the injected multiply runs exactly six times per step, at the Table II shapes and sites', (t) => {
  const data = loadMnistSplit('train', { limit: 64 });
  const model = Mlp.init(new Rng(1));
  const calls: { a: number[]; b: number[]; site: ProductSite }[] = [];
  const spy: Multiply = (a, b, site) => {
    calls.push({ a: a.shape, b: b.shape, site: { ...site } });
    return tf.matMul(a, b);
  };
  sgdStep(model, data.images, data.labels, 0.01, spy);
  const fmt = (c: { a: number[]; b: number[]; site: ProductSite }) =>
    `L${c.site.layer} ${c.site.kind} (${c.a.join('x')})x(${c.b.join('x')})`;
  t.deepEqual(calls.map(fmt), [
    'L3 grad-input (64x10)x(10x200)',
    'L3 grad-weight (200x64)x(64x10)',
    'L2 grad-input (64x200)x(200x100)',
    'L2 grad-weight (100x64)x(64x200)',
    'L1 grad-input (64x100)x(100x784)',
    'L1 grad-weight (784x64)x(64x100)',
  ]);
  t.deepEqual(calls.map((c) => c.site), [...PRODUCT_SITES]);
  // Once more: still six per step.
  sgdStep(model, data.images, data.labels, 0.01, spy);
  t.is(calls.length, 12);
  model.dispose();
});

test('the multiply result is used as given: an all-zero multiply only moves the last bias', (t) => {
  const data = loadMnistSplit('train', { limit: 64 });
  const model = Mlp.init(new Rng(2));
  const before = model.toArrays();
  const zeros: Multiply = (a, b) => tf.zeros([a.shape[0], b.shape[1]]);
  sgdStep(model, data.images, data.labels, 0.5, zeros);
  const after = model.toArrays();
  for (let l = 0; l < 3; l++) t.deepEqual(after.weights[l], before.weights[l], `W${l + 1} unchanged`);
  t.deepEqual(after.biases[0], before.biases[0]);
  t.deepEqual(after.biases[1], before.biases[1]);
  t.true(after.biases[2].some((v) => v !== 0), 'b3 uses the exact bias gradient');
  model.dispose();
});

test('a multiply returning the wrong shape is an error naming the site', (t) => {
  const data = loadMnistSplit('train', { limit: 8 });
  const model = Mlp.init(new Rng(3));
  const n0 = tf.memory().numTensors;
  const bad: Multiply = (a, b, site) => (site.layer === 2 && site.kind === 'grad-weight' ? tf.zeros([1, 1]) : tf.matMul(a, b));
  t.throws(() => sgdStep(model, data.images, data.labels, 0.01, bad), { message: /layer 2 grad-weight.*100×200/ });
  t.is(tf.memory().numTensors, n0, 'no tensors leaked by the failed step');
  model.dispose();
});

test('sgdStep keeps the number of live tensors constant', (t) => {
  const data = loadMnistSplit('train', { limit: 64 });
  const model = Mlp.init(new Rng(4));
  sgdStep(model, data.images, data.labels, 0.01);
  const n0 = tf.memory().numTensors;
  for (let k = 0; k < 20; k++) sgdStep(model, data.images, data.labels, 0.01);
  t.is(tf.memory().numTensors, n0);
  model.dispose();
});
