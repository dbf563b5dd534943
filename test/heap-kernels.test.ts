import test from 'ava';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { assembleKernel } from '../src/coded-backprop/kernels/assemble.ts';
import { heapKernels } from '../src/coded-backprop/kernels/heap-kernels.ts';
import { axisScores } from '../src/coded-backprop/partition.ts';
import { innerScores, scoreProducts } from '../src/coded-backprop/cxr/packets.ts';
import { readF32 } from '../src/coded-backprop/tensor-io.ts';
import { addScaledStrided, orderedMoves } from '../src/coded-backprop/tensor-moves.ts';
import { initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';

test.before(async () => {
  await initBackend();
});

test('the committed kernel binaries are what their .wat sources assemble to (npm run build:kernels)', async (t) => {
  for (const name of ['norms', 'decode', 'moves']) {
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
    kernels.reserveScores(Math.max(rows, cols));
    const byRow = kernels.rowSq(readF32(x), rows, cols);
    const byCol = kernels.colSq(readF32(x), rows, cols);
    t.deepEqual(byRow, axisScores(values, rows, cols, false, 'l2'), `rows of ${rows}×${cols}`);
    t.deepEqual(byCol, axisScores(values, rows, cols, true, 'l2'), `columns of ${rows}×${cols}`);
    x.dispose();
  }
});

test('c×r inner scores from the heap kernels (column scores of A, row scores of B) equal innerScores bit for bit', (t) => {
  const kernels = heapKernels();
  if (!kernels) return t.fail('no heap kernels on the wasm backend');
  const rng = new Rng(14);
  for (let trial = 0; trial < 30; trial++) {
    const [m, n, p] = [1 + rng.int(40), 1 + rng.int(40), 1 + rng.int(40)];
    const aVals = Float32Array.from({ length: m * n }, () => rng.normal() * 2 ** (rng.int(21) - 10));
    const bVals = Float32Array.from({ length: n * p }, () => rng.normal() * 2 ** (rng.int(21) - 10));
    const A = tf.tensor2d(aVals, [m, n]);
    const B = tf.tensor2d(bVals, [n, p]);
    kernels.reserveScores(n);
    const columnsOfA = kernels.colSq(readF32(A), m, n);
    const rowsOfB = kernels.rowSq(readF32(B), n, p);
    if (!columnsOfA || !rowsOfB) return t.fail('kernels refused heap tensors');
    t.deepEqual(scoreProducts(columnsOfA, rowsOfB), innerScores(aVals, m, n, bVals, p, 'l2'), `${m}×${n}·${n}×${p}`);
    A.dispose();
    B.dispose();
  }
});

test('the decode kernel adds d·part into a heap block exactly as the JS loop does, and sums the squares read', (t) => {
  const kernels = heapKernels();
  if (!kernels) return t.fail('no heap kernels on the wasm backend');
  const rng = new Rng(12);
  for (let trial = 0; trial < 60; trial++) {
    const rows = 1 + rng.int(9);
    const cols = 1 + rng.int(13);
    const stride = cols + rng.int(5);
    const base = rng.int(7);
    const values = Float32Array.from({ length: base + rows * stride }, () => rng.normal() * 2 ** (rng.int(21) - 10));
    const part = tf.tensor1d(values);
    kernels.reserveBlock(rows * cols);
    const start = Float64Array.from({ length: rows * cols }, () => rng.normal());
    const expected = Float64Array.from(start);
    const d = rng.normal();
    const sqJs = addScaledStrided(expected, values, base, stride, rows, cols, d);
    const block = kernels.block(rows * cols);
    block.set(start);
    const sq = kernels.addScaled(block, readF32(part), base, stride, rows, cols, d);
    t.deepEqual(Float64Array.from(block), expected, `${rows}×${cols}, stride ${stride}`);
    t.true(Math.abs(sq - sqJs) <= 1e-12 * sqJs);
    t.true(Math.abs(kernels.sumSquares(readF32(part), base, stride, rows, cols) - sqJs) <= 1e-12 * sqJs);
    part.dispose();
  }
});

test('the combine kernel writes a whole decoded block exactly as zeroing it and adding each term in order does, and returns Σ block²', (t) => {
  const kernels = heapKernels();
  if (!kernels) return t.fail('no heap kernels on the wasm backend');
  const rng = new Rng(13);
  for (let trial = 0; trial < 60; trial++) {
    const n = 1 + rng.int(40);
    const count = rng.int(16);
    const bases = Array.from({ length: count }, () => rng.int(5 * n + 3));
    const values = Float32Array.from({ length: 6 * n + 3 }, () => rng.normal() * 2 ** (rng.int(21) - 10));
    const d = Array.from({ length: count }, () => rng.normal() * 2 ** (rng.int(11) - 5));
    const expected = new Float64Array(n);
    for (let k = 0; k < count; k++) addScaledStrided(expected, values, bases[k], n, 1, n, d[k]);
    const parts = tf.tensor1d(values);
    kernels.reserveBlock(n);
    kernels.reserveTerms(count);
    const block = kernels.block(n);
    block.fill(NaN);
    const sq = kernels.combineRuns(block, readF32(parts), bases, d, count, n);
    t.deepEqual(Float64Array.from(block), expected, `${count} terms of ${n}`);
    const sqJs = expected.reduce((s, x) => s + x * x, 0);
    t.true(Math.abs(sq - sqJs) <= 1e-12 * sqJs, `Σ block² ${sq} vs ${sqJs}`);
    parts.dispose();
  }
  t.throws(() => kernels.combineRuns(kernels.block(1), readF32(tf.tensor1d([1])), [0], [1], 1e6, 1), { instanceOf: RangeError });
});

/** A random permutation of 0..n−1 (an ordering's index list). */
function permutation(n: number, rng: Rng): Int32Array {
  const out = Int32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    [out[k], out[j]] = [out[j], out[k]];
  }
  return out;
}

test('the move kernels write exactly what the JS loops write: encoding gathers, row combinations, decoding scatters', (t) => {
  const kernels = heapKernels();
  if (!kernels) return t.fail('no heap kernels on the wasm backend');
  const rng = new Rng(13);
  const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 2 ** (rng.int(21) - 10));
  for (let trial = 0; trial < 40; trial++) {
    const m = 1 + rng.int(12);
    const M = 1 + rng.int(9);
    const p = 1 + rng.int(14);
    const rowOrder = permutation(m, rng);
    const colOrder = permutation(p, rng);
    const rFrom = rng.int(m);
    const rTo = rFrom + 1 + rng.int(m - rFrom);
    const cFrom = rng.int(p);
    const cTo = cFrom + 1 + rng.int(p - cFrom);
    const w = cTo - cFrom;
    const h = rTo - rFrom;
    const s = rng.normal();
    const first = rng.int(2) === 0;
    // tensors: A m×M, B M×p, C m×p, encoded inputs, a part and a float64 block
    const aVals = values(m * M);
    const bVals = values(M * p);
    const cStart = values(m * p);
    const leftStart = values(h * M + 3);
    const rightStart = values(M * (w + 2));
    const partVals = values(h * (w + 1));
    const A = tf.tensor1d(aVals);
    const B = tf.tensor1d(bVals);
    const C = tf.tensor1d(cStart);
    const left = tf.tensor1d(leftStart);
    const right = tf.tensor1d(rightStart);
    const part = tf.tensor1d(partVals);
    kernels.reserveOrders(m + p);
    kernels.reserveBlock(h * w);
    const heap = kernels.moves(rowOrder, colOrder);
    const js = orderedMoves(rowOrder, colOrder);
    const blockVals = Float64Array.from({ length: h * w }, () => rng.normal());
    const block = kernels.block(h * w);
    block.set(blockVals);
    type Case = [string, (mv: typeof js, io: { a: Float32Array; b: Float32Array; c: Float32Array; l: Float32Array; r: Float32Array; part: Float32Array; block: Float64Array }) => Float32Array];
    const cases: Case[] = [
      ['addRows', (mv, io) => (mv.addRows(io.l, 3, io.a, M, rFrom, rTo, s, first), io.l)],
      ['copyRows', (mv, io) => (mv.copyRows(io.l, io.a, M, rFrom, rTo), io.l)],
      ['gatherColumns', (mv, io) => (mv.gatherColumns(io.r, 1, w + 2, io.b, p, M, cFrom, cTo, s, first), io.r)],
      ['copyColumns', (mv, io) => (mv.copyColumns(io.r, w + 2, io.b, p, M, cFrom, cTo), io.r)],
      ['scatterPart', (mv, io) => (mv.scatterPart(io.c, p, io.part, 1, w + 1, s, rFrom, rTo, cFrom, cTo), io.c)],
      ['scatterBlock', (mv, io) => (mv.scatterBlock(io.c, p, io.block, w, rFrom, rTo, cFrom, cTo), io.c)],
      ['zeroRegion', (mv, io) => (mv.zeroRegion(io.c, p, rFrom, rTo, cFrom, cTo), io.c)],
    ];
    for (const [name, run] of cases) {
      // fresh copies of the starting values, in the heap and in JS
      for (const [tensor, start] of [[C, cStart], [left, leftStart], [right, rightStart]] as const) readF32(tensor).set(start);
      const heapOut = run(heap, { a: readF32(A), b: readF32(B), c: readF32(C), l: readF32(left), r: readF32(right), part: readF32(part), block });
      const jsOut = run(js, { a: aVals, b: bVals, c: Float32Array.from(cStart), l: Float32Array.from(leftStart), r: Float32Array.from(rightStart), part: partVals, block: blockVals });
      t.deepEqual(Float32Array.from(heapOut), jsOut, `${name}: m ${m}, M ${M}, p ${p}, rows ${rFrom}..${rTo}, columns ${cFrom}..${cTo}, first ${first}`);
    }
    for (const x of [A, B, C, left, right, part]) x.dispose();
  }
});

test('the kernels refuse arrays outside the heap and results longer than the reserved room', (t) => {
  const kernels = heapKernels();
  if (!kernels) return t.fail('no heap kernels on the wasm backend');
  t.is(kernels.rowSq(new Float32Array(6), 2, 3), null);
  kernels.reserveBlock(4);
  t.throws(() => kernels.addScaled(new Float64Array(4), new Float32Array(4), 0, 2, 2, 2, 1), { message: /not a view of the wasm heap/ });
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
