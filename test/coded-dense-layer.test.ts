import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { initBackend } from '../src/util/backend.ts';
import { codedDenseLayer } from '../src/model/coded-dense-layer.ts';
import { makeCodedMultiply, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { Rng } from '../src/util/rng.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';

const ROOT = resolve(import.meta.dirname, '..');

test.before(async () => {
  await initBackend();
});

test('coded dense layers in a tf.sequential: with every worker (MDS, T_max inf) the gradients equal tf.layers.dense\'s', (t) => {
  const B = 16;
  const d = loadMnistSplit('train', { limit: B });
  const build = (coded: boolean) => {
    const mk = (units: number, site: number, activation: 'relu' | 'linear', inputShape?: number[]) =>
      coded
        ? codedDenseLayer({ units, activation, inputShape, site, multiply: makeCodedMultiply(resolveCodedOptions({ scheme: 'mds', tmax: Infinity }), new Rng(site)).multiply })
        : tf.layers.dense({ units, activation, inputShape });
    return tf.sequential({ layers: [mk(20, 1, 'relu', [784]), mk(10, 2, 'linear')] });
  };
  const ref = build(false);
  const cod = build(true);
  cod.setWeights(ref.getWeights()); // same parameters (kernel, bias per layer)
  const x = tf.tensor2d(d.images, [B, 784]);
  const y = tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10);
  const grads = (m: tf.Sequential) =>
    tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, m.trainableWeights.map((w) => w.read() as tf.Variable));
  const gr = grads(ref);
  const gc = grads(cod);
  t.true(Math.abs(gr.value.dataSync()[0] - gc.value.dataSync()[0]) < 1e-6, 'same forward');
  const names = Object.keys(gr.grads);
  t.is(names.length, 4);
  const cNames = Object.keys(gc.grads);
  names.forEach((n, i) => {
    const a = gr.grads[n].dataSync();
    const b = gc.grads[cNames[i]].dataSync();
    let err = 0;
    let m = 0;
    for (let k = 0; k < a.length; k++) {
      err = Math.max(err, Math.abs(a[k] - b[k]));
      m = Math.max(m, Math.abs(a[k]));
    }
    t.true(err <= 1e-4 * m, `${n}: max error ${err} of ${m}`);
  });
});

test('examples/coded-layers.ts trains a user model with two coded layers (model.fit) on a small slice', async (t) => {
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', 'coded-layers.ts'), '640'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b) => (stdout += String(b)));
    c.stderr.on('data', (b) => (stderr += String(b)));
    c.on('exit', (code) => res({ code, stdout, stderr }));
  });
  t.is(out.code, 0, out.stderr);
  const m = /loss by epoch: ([\d.]+), ([\d.]+);/.exec(out.stdout);
  t.truthy(m, out.stdout);
  t.true(Number(m![2]) < Number(m![1]), 'the loss decreases');
});
