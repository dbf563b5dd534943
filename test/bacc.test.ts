/**
 * BACC (Berrut approximated coded computing) on the 1-D N×1 grid: its nodes, the engine's
 * encode and decode against an independent float64 computation of Berrut's interpolant, its error
 * bound with every result in, its error against the number of results on i.i.d. Gaussian blocks,
 * the decoder interface's "estimated" blocks on both executors, and its refusals.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, codedMatMulF64, getCode, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { baccDataNodes, baccEstimate, baccNodeGap, baccWorkerNodes, berrutWeights } from '../src/coded-backprop/codes/bacc.ts';
import { PAPER_MC_SETUP, simulateByWorkers, type MonteCarloSetup } from '../src/montecarlo/index.ts';
import { OptionError } from '../src/config/index.ts';
import { initBackend } from '../src/util/backend.ts';
import { gaussian, matmul, type Matrix } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';
import { symmetricEigenvalues } from '../src/theory/index.ts';
import { toTensor } from './helpers/matrices.ts';

test.before(async () => {
  await initBackend();
});

const N = 9;
const W = 15;

test('nodes: Chebyshev data nodes and rotated Chebyshev worker nodes are disjoint; symmetric worker grids would share 0', (t) => {
  const a = baccDataNodes(N);
  const z = baccWorkerNodes(W);
  t.is(a.length, N);
  t.is(z.length, W);
  const gap = baccNodeGap(N, W);
  t.true(gap > 1e-3, `gap ${gap}`);
  for (const x of a) for (const y of z) t.not(x, y);
  // why not the textbook grids: with N and W odd both hold 0
  const first = Float64Array.from({ length: W }, (_, i) => Math.cos(((2 * i + 1) * Math.PI) / (2 * W)));
  const second = Float64Array.from({ length: W }, (_, i) => Math.cos((i * Math.PI) / (W - 1)));
  for (const grid of [first, second]) t.true(Math.min(...Array.from(grid, (y) => Math.min(...Array.from(a, (x) => Math.abs(x - y))))) < 1e-12);
  // a pair (N, W) where the rotated grid meets a data node is refused, naming --workers
  t.true(baccNodeGap(2, 3) < 1e-12);
  const err = t.throws<OptionError>(() => resolveCodedOptions({ scheme: 'bacc', tmax: 1, rowBlocks: 2, colBlocks: 1, levels: 1, workers: 3 }), { instanceOf: OptionError });
  t.is(err?.key, 'workers');
});

/** Berrut's interpolant r(x) = Σ_k (−1)^k f_k/(x − x_k) / Σ_k (−1)^k/(x − x_k), nodes sorted increasing, on matrices. */
function berrut(nodes: number[], values: Float64Array[], x: number): Float64Array {
  const idx = nodes.map((_, k) => k).sort((p, q) => nodes[p] - nodes[q]);
  const out = new Float64Array(values[0].length);
  let den = 0;
  idx.forEach((k, rank) => {
    const c = (rank % 2 === 0 ? 1 : -1) / (x - nodes[k]);
    den += c;
    for (let e = 0; e < out.length; e++) out[e] += c * values[k][e];
  });
  for (let e = 0; e < out.length; e++) out[e] /= den;
  return out;
}

/** The independent BACC: encode A's row blocks at the worker nodes, multiply, decode from `arrived` at the data nodes. */
function referenceBacc(A: Matrix, B: Matrix, arrived: number[]): Float64Array {
  const U = A.rows / N;
  const alpha = Array.from({ length: N }, (_, j) => Math.cos(((2 * j + 1) * Math.PI) / (2 * N)));
  const z = Array.from({ length: W }, (_, i) => Math.cos(((i + 0.75) * Math.PI) / W));
  const blocks = Array.from({ length: N }, (_, j) => A.data.slice(j * U * A.cols, (j + 1) * U * A.cols));
  const results = arrived.map((i) => matmul({ rows: U, cols: A.cols, data: berrut(alpha, blocks, z[i]) }, B).data);
  const out = new Float64Array(A.rows * B.cols);
  alpha.forEach((x, j) => out.set(berrut(arrived.map((i) => z[i]), results, x), j * U * B.cols));
  return out;
}

test('the engine (float64 and tensor) equals an independent float64 Berrut computation; every block estimated, none exact', (t) => {
  const rng = new Rng(4);
  const A = gaussian(N * 4, 20, rng, () => 1);
  const B = gaussian(20, 6, rng, () => 1);
  for (const tmax of [0.6, 1.2, 2.5, Infinity]) {
    for (let seed = 0; seed < 3; seed++) {
      const opts = resolveCodedOptions({ scheme: 'bacc', tmax, rowBlocks: N, colBlocks: 1, levels: 1, ordering: 'none', workers: W });
      const r = codedMatMulF64(A, B, opts, new Rng(seed));
      const n = r.stats.workersReceived;
      t.is(r.stats.blocksRecovered, 0, 'never exact');
      t.is(r.stats.blocksEstimated, n > 0 ? N : 0);
      t.deepEqual(r.stats.estimated, new Array<boolean>(N).fill(n > 0));
      if (n === 0) {
        t.true(r.C.data.every((v) => v === 0));
        continue;
      }
      // the received set, in arrival order, from the same plan
      const arrived = receivedOf(opts, seed);
      t.is(arrived.length, n);
      const ref = referenceBacc(A, B, arrived);
      let diff = 0;
      let scale = 0;
      ref.forEach((v, e) => {
        diff = Math.max(diff, Math.abs(v - r.C.data[e]));
        scale = Math.max(scale, Math.abs(v));
      });
      t.true(diff <= 1e-10 * scale, `tmax ${tmax} seed ${seed}: ${diff} vs ${scale}`);
      const tA = toTensor(A);
      const tB = toTensor(B);
      const ten = codedMatMul(tA, tB, opts, new Rng(seed));
      t.deepEqual(ten.stats.estimated, r.stats.estimated);
      const c = ten.C.dataSync();
      let d32 = 0;
      ref.forEach((v, e) => (d32 = Math.max(d32, Math.abs(v - c[e]))));
      t.true(d32 <= 1e-4 * scale, `tensor: ${d32}`);
      tf.dispose([tA, tB, ten.C]);
    }
  }
});

/** The workers a plan of `opts` with rng seed `seed` receives (the plan draws code then times; BACC's code draws nothing). */
function receivedOf(opts: ReturnType<typeof resolveCodedOptions>, seed: number): number[] {
  const rng = new Rng(seed);
  const times = Array.from({ length: opts.workers }, () => opts.latency.sample(rng) / opts.K);
  return times.map((x, w) => [x, w] as const).filter(([x]) => x < opts.tmax).sort((p, q) => p[0] - q[0] || p[1] - q[1]).map(([, w]) => w);
}

test('with every result in: ‖Ĉ − C‖_F ≤ ‖D·E − I‖₂·‖C‖_F, and ‖D·E − I‖₂ < 0.21 for N = 9, W = 15 (the stated bound)', (t) => {
  const code = getCode('bacc');
  const layout = { N, P: 1 } as Parameters<typeof code.encode>[0];
  const E = code.encode(layout, { workers: W, granularity: 'class', gamma: [1] }, new Rng(0)).map((task) => task.terms[0].a);
  const D = code.estimate!(Array.from({ length: W }, (_, i) => i), { workers: W, granularity: 'class', gamma: [1] }, layout).matrix;
  // M = D·E − I (N×N); ‖M‖₂² = largest eigenvalue of MᵀM
  const M = new Float64Array(N * N);
  for (let j = 0; j < N; j++) for (let k = 0; k < N; k++) {
    let s = j === k ? -1 : 0;
    for (let i = 0; i < W; i++) s += D[j * W + i] * E[i][k];
    M[j * N + k] = s;
  }
  const MtM = new Float64Array(N * N);
  for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) for (let j = 0; j < N; j++) MtM[a * N + b] += M[j * N + a] * M[j * N + b];
  const bound = Math.sqrt(Math.max(...symmetricEigenvalues(MtM, N)));
  t.log(`‖D·E − I‖₂ = ${bound.toFixed(4)} (N = 9, W = 15)`);
  t.true(bound < 0.21);
  const rng = new Rng(9);
  for (let trial = 0; trial < 5; trial++) {
    const A = gaussian(N * 3, 10, rng, (r) => (r < 9 ? 10 : 1));
    const B = gaussian(10, 4, rng, () => 1);
    const opts = resolveCodedOptions({ scheme: 'bacc', tmax: Infinity, rowBlocks: N, colBlocks: 1, levels: 1, workers: W });
    const r = codedMatMulF64(A, B, opts, new Rng(trial));
    const C = matmul(A, B).data;
    let err = 0;
    let norm = 0;
    C.forEach((v, e) => {
      err += (r.C.data[e] - v) ** 2;
      norm += v * v;
    });
    t.true(Math.sqrt(err) <= bound * Math.sqrt(norm) * (1 + 1e-9), `trial ${trial}`);
  }
});

test('error against the number of results (i.i.d. Gaussian blocks, N = 9, W = 15): above 1 with one result, below 0.02 with all 15, below zero-filling from some n on', async (t) => {
  const setup: MonteCarloSetup = { ...PAPER_MC_SETUP, U: 2, M: 12, Q: 2, rowBlocks: N, colBlocks: 1, variances: [1], gamma: [1], workers: W };
  const r = await simulateByWorkers(setup, [{ scheme: 'bacc', granularity: 'class' }], { trials: 250, seed: 7, times: [], threads: 1 });
  const m = r.lines[0].byReceived.map((e) => e.mean);
  t.log(`normalised error after n = 0..15: ${m.map((v) => v.toFixed(3)).join(' ')}`);
  t.true(Math.abs(m[0] - 1) < 0.1, 'nothing received: Ĉ = 0');
  t.true(m[1] > 1, 'one result: worse than zero-filling');
  t.true(m[W] < 0.02, `all 15: ${m[W]}`);
  const beats = m.findIndex((v, n) => n > 0 && m.slice(n).every((x) => x < 1));
  t.true(beats > 1 && beats < W, `below 1 from n = ${beats} on`);
});

test('the decode from cached tables is berrutWeights through the received nodes at each data node, bit for bit (any arrival order)', (t) => {
  const rng = new Rng(7);
  const alpha = baccDataNodes(N);
  const z = baccWorkerNodes(W);
  for (let trial = 0; trial < 50; trial++) {
    // a random received set in a random arrival order (every size from 1 to W)
    const perm = Array.from({ length: W }, (_, i) => i);
    for (let i = W - 1; i > 0; i--) {
      const k = Math.floor(rng.uniform() * (i + 1));
      [perm[i], perm[k]] = [perm[k], perm[i]];
    }
    const received = perm.slice(0, 1 + (trial % W));
    const R = received.length;
    const { matrix } = baccEstimate(received, W, { N, P: 1 });
    const nodes = received.map((w) => z[w]);
    for (let j = 0; j < N; j++) t.deepEqual(Array.from(matrix.subarray(j * R, (j + 1) * R)), Array.from(berrutWeights(nodes, alpha[j])));
  }
  // the encoding weights are the interpolant through the data nodes at each worker node, in fresh copies
  const tasks = getCode('bacc').encode({ N, P: 1 } as never, { workers: W } as never, new Rng(1));
  tasks.forEach((task, i) => t.deepEqual(Array.from(task.terms[0].a), Array.from(berrutWeights(alpha, z[i]))));
  t.not(getCode('bacc').encode({ N, P: 1 } as never, { workers: W } as never, new Rng(1))[0].terms[0].a, tasks[0].terms[0].a);
});

test('BACC is refused on r×c grids (naming --col-blocks) and has no c×r form', (t) => {
  const err = t.throws<OptionError>(() => resolveCodedOptions({ scheme: 'bacc', tmax: 1 }), { instanceOf: OptionError });
  t.is(err?.key, 'colBlocks');
  t.regex(err?.flagMessage ?? '', /^--col-blocks: BACC is defined on the 1-D N×1 grid .* 3×3 grid/);
  t.is(t.throws<OptionError>(() => resolveCodedOptions({ scheme: 'bacc', tmax: 1, partition: 'cxr' }))?.key, 'partition');
  t.true(getCode('bacc').interchangeableTasks);
});
