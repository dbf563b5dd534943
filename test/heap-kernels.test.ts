import test from 'ava';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { assembleKernel } from '../src/coded-backprop/kernels/assemble.ts';
import { heapKernels } from '../src/coded-backprop/kernels/heap-kernels.ts';
import { axisScores } from '../src/coded-backprop/partition.ts';
import { readF32 } from '../src/coded-backprop/tensor-io.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';

test.before(async () => {
  await initBackend();
});

test('the committed kernel binaries are what their .wat sources assemble to (npm run build:kernels)', async (t) => {
  for (const name of ['norms']) {
    const dir = new URL(`../src/coded-backprop/kernels/${name}`, import.meta.url);
    const built = await assembleKernel(`${name}.wat`, readFileSync(new URL(`${dir.href}.wat`), 'utf8'));
    t.deepEqual(Buffer.from(built), readFileSync(new URL(`${dir.href}.wasm`)), `${name}.wasm is stale: run npm run build:kernels`);
  }
});

test('row and column L2 scores on the heap equal the JS loops bit for bit (every remainder of 4, tiny and empty shapes)', (t) => {
  t.is(tf.getBackend(), 'wasm');
  const kernels = heapKernels();
  if (!kernels) return t.fail('no heap kernels on the wasm backend');
  const rng = new Rng(11);
  const shapes: [number, number][] = [[1, 1], [1, 7], [3, 1], [4, 4], [5, 9], [7, 2], [8, 3], [13, 6], [64, 100], [100, 64], [9, 0], [0, 5]];
  for (let trial = 0; trial < 40; trial++) shapes.push([1 + rng.int(70), 1 + rng.int(70)]);
  for (const [rows, cols] of shapes) {
    // wide dynamic range: scale factors over 2^±20 make the summation order visible in the last bits
    const values = Float32Array.from({ length: rows * cols }, () => rng.normal() * 2 ** (rng.int(41) - 20));
    const x = tf.tensor2d(values, [rows, cols]);
    kernels.reserve(Math.max(rows, cols));
    const byRow = kernels.rowSq(readF32(x), rows, cols);
    const byCol = kernels.colSq(readF32(x), rows, cols);
    t.deepEqual(byRow, axisScores(values, rows, cols, false, 'l2'), `rows of ${rows}×${cols}`);
    t.deepEqual(byCol, axisScores(values, rows, cols, true, 'l2'), `columns of ${rows}×${cols}`);
    x.dispose();
  }
});

test('the kernels refuse arrays outside the heap and results longer than the reserved room', (t) => {
  const kernels = heapKernels();
  if (!kernels) return t.fail('no heap kernels on the wasm backend');
  t.is(kernels.rowSq(new Float32Array(6), 2, 3), null);
  const big = 1 << 16;
  const x = tf.zeros([big, 1]) as tf.Tensor2D;
  t.is(kernels.rowSq(readF32(x), big, 1), null);
  x.dispose();
});

test('off the wasm backend there are no heap kernels', async (t) => {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    t.is(heapKernels(), null);
  } finally {
    await tf.setBackend(previous);
  }
});
