/**
 * Layer-stack models (src/model/network.ts): with every worker arriving (T_max = inf), the coded
 * gradients equal tfjs's own autodiff of the same network within float32 rounding, for codes that
 * then determine every block (uncoded, MDS). NOW/EW need not: with all 15 of their workers a
 * class can still be missing (too few windows that reach it), so they are not an "all arrive =
 * exact" case. On the cpu backend, which (unlike wasm) has tfjs's convolution-gradient kernels.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { Network } from '../src/model/network.ts';
import { makeCodedMultiply } from '../src/coded-backprop/coded-multiply.ts';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';
import type { LayerSpec } from '../src/model/plan.ts';
import type { Multiply } from '../src/model/backprop.ts';

const B = 4;
const data = loadMnistSplit('train', { limit: B });
const SHAPE = { height: 28, width: 28, channels: 1 };
const SMALL_CNN: LayerSpec[] = [
  { type: 'conv', filters: 4, kernel: 3, padding: 'same' },
  { type: 'conv', filters: 4, kernel: 3, padding: 'valid' },
  { type: 'pool', size: 2 },
  { type: 'dense', units: 16 },
];

test.before(async () => {
  await initBackend('cpu');
});

/** tfjs autodiff of the same network: plain conv2d/matMul ops and tfjs's softmax cross-entropy. */
function autodiff(net: Network): tf.Tensor[] {
  return tf.tidy(() => {
    const x = tf.tensor2d(data.images, [B, 784]);
    const onehot = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10);
    const f = (...p: tf.Tensor[]) => tf.losses.softmaxCrossEntropy(onehot, net.forward(x, p)) as tf.Scalar;
    return tf.grads(f)(net.params);
  });
}

/** max |a − b| / max |b| over every parameter's gradient. */
function relErr(a: tf.Tensor[], b: tf.Tensor[]): number {
  let worst = 0;
  a.forEach((g, i) => {
    const x = g.dataSync();
    const y = b[i].dataSync();
    let d = 0;
    let m = 0;
    for (let k = 0; k < y.length; k++) {
      d = Math.max(d, Math.abs(x[k] - y[k]));
      m = Math.max(m, Math.abs(y[k]));
    }
    worst = Math.max(worst, m > 0 ? d / m : d);
  });
  return worst;
}

function coded(scheme: 'mds' | 'uncoded', seed: number): { multiply: Multiply; calls: () => number } {
  const cm = makeCodedMultiply(resolveCodedOptions({ scheme, tmax: Infinity }), new Rng(seed));
  let n = 0;
  return {
    multiply: (a, b, site) => {
      n++;
      return cm.multiply(a, b, site);
    },
    calls: () => n,
  };
}

for (const codeConv of [false, true]) {
  for (const [scheme, tol] of [['uncoded', 1e-6], ['mds', 1e-4]] as const) {
    test(`CNN, ${codeConv ? 'coded' : 'exact'} convolutions: ${scheme} with every worker = tfjs autodiff within float32 rounding`, (t) => {
      const net = Network.init(new Rng(11), SMALL_CNN, SHAPE, 10, codeConv);
      const ref = autodiff(net);
      const c = coded(scheme, 4);
      const got = net.gradients(data.images, data.labels, c.multiply);
      const err = relErr(got.grads, ref);
      t.log(`max relative error ${err.toExponential(2)}, ${c.calls()} coded products`);
      t.true(err < tol, `relative error ${err}`);
      // dense layers 3 and 4 code both products; with codeConv conv 2 both and conv 1 its grad weight
      t.is(c.calls(), codeConv ? 4 + 3 : 4);
      // the products are really used: a zero multiply changes the gradients
      const zero: Multiply = (a, b) => tf.zeros([a.shape[0], b.shape[1]]);
      const z = net.gradients(data.images, data.labels, zero);
      t.true(relErr(z.grads, ref) > 0.5);
      for (const g of [...ref, ...got.grads, ...z.grads]) g.dispose();
      net.dispose();
    });
  }
}

test('MLP of three hidden layers (mlp:32,16,8): coded gradients = autodiff; an SGD step leaves the tensor count unchanged', (t) => {
  const layers: LayerSpec[] = [32, 16, 8].map((units) => ({ type: 'dense', units }));
  const net = Network.init(new Rng(2), layers, SHAPE, 10);
  const ref = autodiff(net);
  const got = net.gradients(data.images, data.labels, coded('mds', 5).multiply);
  t.true(relErr(got.grads, ref) < 1e-4);
  for (const g of [...ref, ...got.grads]) g.dispose();
  const before = tf.memory().numTensors;
  const s = net.sgdStep(data.images, data.labels, 0.1, coded('uncoded', 6).multiply);
  t.is(tf.memory().numTensors, before);
  t.true(Number.isFinite(s.loss) && s.size === B);
  net.dispose();
});
