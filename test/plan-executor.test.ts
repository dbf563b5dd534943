/**
 * The plan-driven executor that the float64 reference, the tensor path, the real runtimes and the
 * Monte Carlo share: batch decoding of a received set and its incremental variant decode the
 * blocks the received set determines to the exact blocks, and withhold (not zero-fill silently)
 * a block whose rounding bound is too large for the arithmetic the results were computed in.
 */
import test from 'ava';
import {
  decodeResults,
  F64Results,
  IncrementalExecution,
  layoutOf,
  padBlocks,
  planCall,
  UNIT_ROUNDOFF,
  type ResultSource,
} from '../src/coded-backprop/plan-api.ts';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { matmul } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';
import { drawBlockGaussian } from '../src/workloads/block-gaussian.ts';

const U = 3;
const M = 5;
const Q = 2;

function setup(scheme: 'mds' | 'ew' | 'now', seed: number, tmax: number) {
  const rng = new Rng(seed);
  const { A, B } = drawBlockGaussian({ U, M, Q, varA: [10, 1, 0.1], varB: [10, 1, 0.1] }, rng);
  const opts = resolveCodedOptions({ scheme, workers: 15, tmax, latency: { lambda: 0.5 }, ordering: 'none' });
  const layout = layoutOf(A, B, opts);
  const plan = planCall(layout, opts, rng);
  const blocks = padBlocks(A.data, M, B.data, 3 * Q, layout, Float64Array);
  const exact = matmul(A, B);
  /** Exact block (i, j) of C (ordering none: blocks in place), U×Q. */
  const exactBlock = (b: number) => {
    const i = Math.floor(b / 3);
    const j = b % 3;
    const out = new Float64Array(U * Q);
    for (let u = 0; u < U; u++) for (let q = 0; q < Q; q++) out[u * Q + q] = exact.data[(i * U + u) * exact.cols + j * Q + q];
    return out;
  };
  return { opts, layout, plan, blocks, exactBlock };
}

function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let e = 0; e < x.length; e++) m = Math.max(m, Math.abs(x[e] - y[e]));
  return m;
}

for (const scheme of ['mds', 'ew', 'now'] as const) {
  test(`${scheme}: batch and incremental decoding give the exact blocks the received set determines`, (t) => {
    let decodedSomewhere = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { plan, blocks, exactBlock, opts } = setup(scheme, seed, 3);
      const results = new F64Results(plan.tasks, blocks, (r) => plan.received[r]);
      const batch = decodeResults(plan.decode, plan.coef, results);
      const inc = new IncrementalExecution(9, opts.workers, new F64Results(plan.tasks, blocks, (r) => plan.received[r]), opts.tolerance);
      const incremental = new Map<number, Float64Array | null>();
      for (const g of plan.coef) for (const d of inc.add(g)) incremental.set(d.block, d.value);
      for (let b = 0; b < 9; b++) {
        const v = batch.block(b);
        t.is(v !== null, plan.decode.determined[b], `seed ${seed} block ${b}: batch decodes exactly the determined blocks`);
        t.is(incremental.has(b), plan.decode.determined[b], `seed ${seed} block ${b}: so does the incremental variant`);
        if (v) {
          decodedSomewhere++;
          const scale = Math.max(1, ...exactBlock(b).map(Math.abs));
          t.true(maxDiff(v, exactBlock(b)) < 1e-8 * scale, `seed ${seed} block ${b} batch`);
          t.true(maxDiff(incremental.get(b) as Float64Array, exactBlock(b)) < 1e-8 * scale, `seed ${seed} block ${b} incremental`);
        }
      }
    }
    t.true(decodedSomewhere > 20, `blocks decoded over 20 plans: ${decodedSomewhere}`);
  });
}

test('a result source with coarse arithmetic makes the executor withhold determined blocks, counted apart', (t) => {
  const { plan, blocks, opts } = setup('mds', 3, Infinity);
  t.true(plan.decode.determined.every(Boolean), 'all 15 workers arrive: every block determined');
  const exact = new F64Results(plan.tasks, blocks, (r) => plan.received[r]);
  // The same products, declared as computed with a unit roundoff of 1e-2 (far coarser than float32).
  const coarse: ResultSource = { blockSize: exact.blockSize, unitRoundoff: 1e-2, norm: (r) => exact.norm(r), addScaled: (blk, r, d) => exact.addScaled(blk, r, d) };
  const decoding = decodeResults(plan.decode, plan.coef, coarse);
  for (let b = 0; b < 9; b++) t.is(decoding.block(b), null);
  t.true(decoding.withheld.every(Boolean));
  const inc = new IncrementalExecution(9, opts.workers, coarse, opts.tolerance);
  const fresh = plan.coef.flatMap((g) => inc.add(g));
  t.is(fresh.length, 9);
  t.true(fresh.every((d) => d.value === null));
  // float64 accepts them all
  const fine = decodeResults(plan.decode, plan.coef, exact);
  for (let b = 0; b < 9; b++) t.not(fine.block(b), null);
  t.false(fine.withheld.some(Boolean));
  t.is(UNIT_ROUNDOFF.float64, 2 ** -53);
});

test('the incremental variant asks only for results a decode vector weights', (t) => {
  const { plan, blocks, opts } = setup('ew', 5, Infinity);
  const inner = new F64Results(plan.tasks, blocks, (r) => plan.received[r]);
  const asked = new Set<number>();
  const source: ResultSource = {
    blockSize: inner.blockSize,
    unitRoundoff: inner.unitRoundoff,
    norm: (r) => (asked.add(r), inner.norm(r)),
    addScaled: (blk, r, d) => (asked.add(r), inner.addScaled(blk, r, d)),
  };
  const inc = new IncrementalExecution(9, opts.workers, source, opts.tolerance);
  const used = new Set<number>();
  for (const g of plan.coef) for (const d of inc.add(g)) d.decodeVector.forEach((x, r) => x !== 0 && used.add(r));
  t.deepEqual([...asked].sort((a, b) => a - b), [...used].sort((a, b) => a - b));
  t.true(used.size > 0 && used.size <= plan.received.length);
});
