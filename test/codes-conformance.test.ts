/**
 * Conformance suite: runs over every registered code (and both UEP granularities), on both
 * executors, with even and uneven block sizes.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, codedMatMulF64, CODES, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import type { CodedMatMulOptions } from '../src/coded-backprop/index.ts';
import { initBackend } from '../src/util/backend.ts';
import { matmul, type Matrix } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';
import { randomPair, toTensor } from './helpers/matrices.ts';
import { OptionError } from '../src/config/index.ts';

test.before(async () => {
  await initBackend();
});

const SHAPES: [number, number, number][] = [
  [784, 64, 100],
  [200, 64, 10],
  [15, 100, 15],
];

/** Every configuration to check: each code, and each granularity for the window codes. */
// approximate codes (BACC: code.estimate) never give exact blocks: test/bacc.test.ts tests their stated error
const CONFIGS = CODES.filter((code) => !code.estimate).flatMap((code) =>
  (code.usesWindows ? ['class', 'product'] : ['class']).map((granularity) => ({ scheme: code.name, granularity })),
);

/** Workers for "everything arrives gives the whole product": UEP codes need many to cover every class. */
function manyWorkers(scheme: string): number | undefined {
  return scheme === 'now' || scheme === 'ew' ? 200 : undefined;
}

/**
 * Checks Ĉ against the exact product: every entry is either exactly zero or equal to C's entry,
 * and the entries that equal C are exactly the recovered blocks' entries (counted independently).
 * Returns the number of matching entries.
 */
function checkEntries(t: { true: (v: boolean, m?: string) => void }, approx: ArrayLike<number>, exact: Matrix, tol: number, label: string): number {
  let scale = 0;
  for (const v of exact.data) scale = Math.max(scale, Math.abs(v));
  let matching = 0;
  let bad = 0;
  for (let e = 0; e < exact.data.length; e++) {
    if (approx[e] === 0) continue;
    if (Math.abs(approx[e] - exact.data[e]) <= tol * scale) matching++;
    else bad++;
  }
  t.true(bad === 0, `${label}: ${bad} entries are neither zero nor the exact value`);
  return matching;
}

/** Sum of the sizes of the recovered blocks, in entries, from the split rule floor(i·n/N). */
function recoveredEntries(recovered: boolean[], m: number, p: number, N = 3, P = 3): number {
  let total = 0;
  recovered.forEach((ok, b) => {
    if (!ok) return;
    const i = Math.floor(b / P);
    const j = b % P;
    total += (Math.floor(((i + 1) * m) / N) - Math.floor((i * m) / N)) * (Math.floor(((j + 1) * p) / P) - Math.floor((j * p) / P));
  });
  return total;
}

for (const { scheme, granularity } of CONFIGS) {
  const label = `${scheme}/${granularity}`;
  // float32 products through the polynomial code's Vandermonde inverse lose digits (condition
  // numbers of 9-point subsets reach ~1e6 for W = 15); every other code decodes with a well-
  // conditioned or triangular system.
  const tol32 = scheme === 'mds' ? 2e-2 : 1e-4;

  test(`${label}: recovered blocks equal the exact blocks, lost blocks are zero (float64 and tensor)`, (t) => {
    for (const [m, n, p] of SHAPES) {
      const { A, B } = randomPair(m, n, p, m + n + p);
      const exact = matmul(A, B);
      for (const tmax of [0.5, 1, 2, 4]) {
        const opts = resolveCodedOptions({ scheme, granularity, tmax, measureError: true });
        for (let seed = 0; seed < 3; seed++) {
          const f64 = codedMatMulF64(A, B, opts, new Rng(seed));
          const expected = recoveredEntries(f64.stats.recovered, m, p);
          t.is(checkEntries(t, f64.C.data, exact, 1e-9, `${label} f64 ${m}x${n}x${p}`), expected);
          t.not(f64.stats.decodeRelError, undefined, 'the error was measured');
          t.true(f64.stats.decodeRelError! < 1e-8);
          const tA = toTensor(A);
          const tB = toTensor(B);
          const ten = codedMatMul(tA, tB, opts, new Rng(seed));
          // both executors run the same plan: they determine the same blocks (float32 may withhold some for precision)
          const determined = (st: typeof f64.stats) => st.recovered.map((r, b) => r || st.withheld[b]);
          t.deepEqual(determined(ten.stats), determined(f64.stats), 'both executors run the same plan');
          const c = ten.C.dataSync();
          t.is(checkEntries(t, c, exact, tol32, `${label} tensor ${m}x${n}x${p}`), recoveredEntries(ten.stats.recovered, m, p));
          t.not(ten.stats.decodeRelError, undefined, 'the error was measured');
          t.true(ten.stats.decodeRelError! < tol32 * 10);
          tf.dispose([tA, tB, ten.C]);
        }
      }
    }
  });

  test(`${label}: with every worker arriving the whole product is decoded`, (t) => {
    for (const [m, n, p] of SHAPES) {
      const { A, B } = randomPair(m, n, p, 7 * m + p);
      const exact = matmul(A, B);
      const opts = resolveCodedOptions({ scheme, granularity, tmax: Infinity, workers: manyWorkers(scheme) });
      const r = codedMatMulF64(A, B, opts, new Rng(11));
      t.is(r.stats.workersReceived, opts.workers);
      t.is(r.stats.blocksRecovered, 9, `${label} ${m}x${n}x${p}`);
      t.is(checkEntries(t, r.C.data, exact, 1e-8, label), m * p);
      const tA = toTensor(A);
      const tB = toTensor(B);
      const ten = codedMatMul(tA, tB, opts, new Rng(11));
      t.is(ten.stats.blocksRecovered, 9);
      tf.dispose([tA, tB, ten.C]);
    }
  });

  test(`${label}: with no worker arriving Ĉ is zero`, (t) => {
    const { A, B } = randomPair(200, 64, 10, 3);
    const opts = resolveCodedOptions({ scheme, granularity, tmax: 1e-12 });
    const r = codedMatMulF64(A, B, opts, new Rng(1));
    t.is(r.stats.workersReceived, 0);
    t.is(r.stats.blocksRecovered, 0);
    t.true(r.C.data.every((v) => v === 0));
    const tA = toTensor(A);
    const tB = toTensor(B);
    const ten = codedMatMul(tA, tB, opts, new Rng(1));
    t.true(ten.C.dataSync().every((v) => v === 0));
    tf.dispose([tA, tB, ten.C]);
  });

  test(`${label}: the same seed gives identical results`, (t) => {
    const { A, B } = randomPair(200, 64, 10, 5);
    const opts = resolveCodedOptions({ scheme, granularity, tmax: 1.5 });
    const r1 = codedMatMulF64(A, B, opts, new Rng(42));
    const r2 = codedMatMulF64(A, B, opts, new Rng(42));
    t.deepEqual(r1.stats, r2.stats);
    t.deepEqual(Array.from(r1.C.data), Array.from(r2.C.data));
    const tA = toTensor(A);
    const tB = toTensor(B);
    const t1 = codedMatMul(tA, tB, opts, new Rng(42));
    const t2 = codedMatMul(tA, tB, opts, new Rng(42));
    t.deepEqual(Array.from(t1.C.dataSync()), Array.from(t2.C.dataSync()));
    tf.dispose([tA, tB, t1.C, t2.C]);
  });
}

test('bad options throw errors that name the option and the valid values', (t) => {
  const base: CodedMatMulOptions = { scheme: 'ew', tmax: 1 };
  const cases: [Partial<CodedMatMulOptions>, RegExp, string][] = [
    [{ tmax: -1 }, /tmax/, 'tmax'],
    [{ tmax: 0 }, /tmax/, 'tmax'],
    [{ gamma: [0.5, 0.6, 0.1] }, /gamma.*sum to 1/, 'gamma'],
    [{ gamma: [0.5, 0.5] }, /gamma.*3/, 'gamma'],
    [{ scheme: 'ldpc' }, /scheme.*uncoded, rep, mds, now, ew/, 'scheme'],
    [{ scheme: 'mds', workers: 8 }, /workers.*9/, 'workers'],
    [{ scheme: 'uncoded', workers: 10 }, /workers.*9/, 'workers'],
    [{ scheme: 'rep', workers: 10 }, /workers.*multiple/, 'workers'],
    [{ granularity: 'row' }, /granularity.*class, product/, 'granularity'],
    [{ ordering: 'max' }, /ordering.*l2, mean-abs, none/, 'ordering'],
    [{ latency: { lambda: -0.5 } }, /lambda/, 'lambda'],
    [{ workers: 0 }, /workers/, 'workers'],
  ];
  for (const [patch, pattern, key] of cases) {
    const err = t.throws<OptionError>(() => resolveCodedOptions({ ...base, ...patch }), { instanceOf: OptionError });
    t.regex(err?.message ?? '', pattern, JSON.stringify(patch));
    t.is(err?.key, key, JSON.stringify(patch));
  }
});

// ---- the same suite on the c×r (inner-dimension) partition ----

/** Independent reference of the c×r packets: inner indices by descending ‖A[:,t]‖²‖B[t,:]‖² (stable), floor split. */
function referencePackets(A: Matrix, B: Matrix, K: number): number[][] {
  const n = A.cols;
  const score = Array.from({ length: n }, (_, t) => {
    let sa = 0;
    let sb = 0;
    for (let r = 0; r < A.rows; r++) sa += A.data[r * n + t] ** 2;
    for (let c = 0; c < B.cols; c++) sb += B.data[t * B.cols + c] ** 2;
    return sa * sb;
  });
  const order = Array.from({ length: n }, (_, t) => t).sort((x, y) => score[y] - score[x] || x - y);
  return Array.from({ length: K }, (_, k) => order.slice(Math.floor((k * n) / K), Math.floor(((k + 1) * n) / K)));
}

/** Σ over the chosen packets of A_k·B_k (m×p), computed entry by entry. */
function packetSum(A: Matrix, B: Matrix, packets: number[][], chosen: boolean[]): Float64Array {
  const out = new Float64Array(A.rows * B.cols);
  packets.forEach((idx, k) => {
    if (!chosen[k]) return;
    for (const t of idx) for (let r = 0; r < A.rows; r++) for (let c = 0; c < B.cols; c++) out[r * B.cols + c] += A.data[r * A.cols + t] * B.data[t * B.cols + c];
  });
  return out;
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (let e = 0; e < x.length; e++) {
    diff = Math.max(diff, Math.abs(x[e] - y[e]));
    scale = Math.max(scale, Math.abs(y[e]));
  }
  return { diff, scale };
}

/** Shapes m×n×p and packet counts K (n = 64, K = 9 and n = 100, K = 7 give uneven packets). */
const CXR_SHAPES: [number, number, number, number][] = [
  [20, 64, 12, 9],
  [7, 100, 9, 7],
  [10, 30, 10, 3],
];

// codes with a c×r form (the others reject partition cxr: tested with the bad options below)
for (const code of CODES.filter((c) => c.packets)) {
  const scheme = code.name;
  test(`cxr ${scheme}: with every worker arriving Ĉ = A·B (even and uneven packets, float64 and tensor)`, (t) => {
    for (const [m, n, p, K] of CXR_SHAPES) {
      const { A, B } = randomPair(m, n, p, m * n + p);
      const opts = resolveCodedOptions({ scheme, partition: 'cxr', packets: K, tmax: Infinity, workers: scheme === 'now' || scheme === 'ew' ? 12 * K : undefined });
      const r = codedMatMulF64(A, B, opts, new Rng(3));
      t.is(r.stats.workersReceived, opts.workers);
      t.is(r.stats.blocksRecovered, K, `${scheme} ${m}x${n}x${p} K=${K}`);
      const { diff, scale } = maxAbsDiff(r.C.data, matmul(A, B).data);
      t.true(diff <= 1e-8 * scale, `${scheme} K=${K}: max error ${diff} vs scale ${scale}`);
      const tA = toTensor(A);
      const tB = toTensor(B);
      const ten = codedMatMul(tA, tB, opts, new Rng(3));
      t.deepEqual(ten.stats.recovered, r.stats.recovered, 'both executors run the same plan');
      const d32 = maxAbsDiff(ten.C.dataSync(), matmul(A, B).data);
      t.true(d32.diff <= 1e-4 * d32.scale);
      tf.dispose([tA, tB, ten.C]);
    }
  });

  test(`cxr ${scheme}: Ĉ is exactly the sum of the packets reported recovered`, (t) => {
    for (const [m, n, p, K] of CXR_SHAPES) {
      const { A, B } = randomPair(m, n, p, 3 * m + n);
      const packets = referencePackets(A, B, K);
      for (const tmax of [0.3, 1, 2]) {
        const opts = resolveCodedOptions({ scheme, partition: 'cxr', packets: K, tmax, measureError: true });
        for (let seed = 0; seed < 4; seed++) {
          const r = codedMatMulF64(A, B, opts, new Rng(seed));
          const expected = packetSum(A, B, packets, r.stats.recovered);
          const { diff, scale } = maxAbsDiff(r.C.data, expected);
          t.true(diff <= 1e-8 * Math.max(scale, 1e-300) || (scale === 0 && diff === 0), `${scheme} K=${K} t=${tmax} seed ${seed}: ${diff}`);
          t.is(r.stats.blocksRecovered, r.stats.recovered.filter(Boolean).length);
          t.is(r.stats.classRecovered.reduce((a, b) => a + b, 0), r.stats.blocksRecovered);
          if (scheme === 'mds') t.true(r.stats.blocksRecovered === 0 || r.stats.blocksRecovered === K, 'MatDot: C or nothing');
          if (scheme !== 'mds') t.deepEqual(r.stats.cxr?.packetDetermined, r.stats.recovered, 'stacked codes: Ĉ holds exactly the determined packets');
        }
      }
    }
  });
}

test('cxr: bad options are clear errors naming the option', (t) => {
  const { A, B } = randomPair(5, 6, 5, 1);
  const cases: [CodedMatMulOptions, string, RegExp][] = [
    [{ scheme: 'ew', tmax: 1, partition: 'colrow' }, 'partition', /rxc, cxr/],
    [{ scheme: 'ew', tmax: 1, partition: 'cxr', granularity: 'product' }, 'granularity', /product granularity has no meaning/],
    [{ scheme: 'ew', tmax: 1, partition: 'cxr', packetClasses: [0, 1, 2] }, 'packetClasses', /K = 9/],
    [{ scheme: 'ew', tmax: 1, partition: 'cxr', packets: 4, packetClasses: [0, 2, 2, 2] }, 'packetClasses', /every class used/],
    [{ scheme: 'mds', tmax: 1, partition: 'cxr', workers: 16 }, 'workers', /2K − 1 = 17/],
    [{ scheme: 'uncoded', tmax: 1, partition: 'cxr', packets: 4, workers: 5 }, 'workers', /K = 4/],
    [{ scheme: 'ew', tmax: 1, partition: 'cxr', gamma: [0.5, 0.5] }, 'gamma', /3 packet classes/],
    [{ scheme: 'ew', tmax: 1, partition: 'cxr', packets: 0 }, 'packets', /positive integer/],
  ];
  for (const [o, key, pattern] of cases) {
    const err = t.throws<OptionError>(() => resolveCodedOptions(o), { instanceOf: OptionError });
    t.is(err?.key, key, JSON.stringify(o));
    t.regex(err?.message ?? '', pattern, JSON.stringify(o));
  }
  // K larger than the inner dimension: known only when the matrices are seen
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 1, partition: 'cxr', packets: 9 });
  const err = t.throws<OptionError>(() => codedMatMulF64(A, B, opts, new Rng(1)), { instanceOf: OptionError });
  t.is(err?.key, 'packets');
  t.regex(err?.message ?? '', /inner dimension of at least K \(got 6\)/);
});
