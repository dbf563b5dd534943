// A user-defined tfjs model with two coded dense layers, trained by tfjs's own optimizer
// (model.fit) on Fashion-MNIST: `node --import tsx examples/coded-layers.ts [examples]`.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/util/backend.ts';
import { fashionMnist } from '../src/data/datasets/fashion-mnist.ts';
import { codedDenseLayer } from '../src/model/coded-dense-layer.ts';
import { makeCodedMultiply, resolveCodedOptions, type CodedMatMulOptions } from '../src/coded-backprop/index.ts';
import { Rng } from '../src/util/rng.ts';

await initBackend();
const n = Number(process.argv[2] ?? 6400);
const data = fashionMnist.loadSplit('train', { limit: n });
const codedMultiplyFor = (o: CodedMatMulOptions, seed: number) => makeCodedMultiply(resolveCodedOptions(o), new Rng(seed));
// each coded layer has its own code and deadline: EW at T_max 1 for the hidden layer, MDS for the output
const hidden = codedMultiplyFor({ scheme: 'ew', tmax: 1 }, 1);
const output = codedMultiplyFor({ scheme: 'mds', tmax: 1 }, 2);
const model = tf.sequential({ layers: [
  tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }), // an ordinary exact layer
  codedDenseLayer({ units: 32, activation: 'relu', multiply: hidden.multiply, site: 2, seed: 3 }),
  codedDenseLayer({ units: 10, multiply: output.multiply, site: 3, seed: 4 }),
] });
model.compile({ optimizer: tf.train.adam(0.003), loss: tf.losses.softmaxCrossEntropy, metrics: ['accuracy'] });
const xs = tf.tensor2d(data.images, [n, 784]);
const ys = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10);
const h = await model.fit(xs, ys, { batchSize: 64, epochs: 2, shuffle: false, verbose: 0 });
console.log(`loss by epoch: ${(h.history.loss as number[]).map((a) => a.toFixed(4)).join(', ')}; accuracy ${(h.history.acc as number[]).map((a) => a.toFixed(3)).join(', ')}`);
