/**
 * Straggler-aware assignment (--assign): the importance ranking of tasks, adaptive = random in
 * distribution under i.i.d. latency (within the Monte Carlo interval), adaptive beats random under
 * persistence (a deterministic case with a known answer, and a persistent Markov case), and
 * interchangeable-task codes refuse it naming the flag and the valid values.
 */
import test from 'ava';
import { resolveCodedOptions, type CodedMatMulOptions } from '../src/coded-backprop/index.ts';
import { rankTasks } from '../src/coded-backprop/assignment.ts';
import { gridLayout, planCall, statsOf } from '../src/coded-backprop/plan.ts';
import { CODES } from '../src/coded-backprop/codes/registry.ts';
import { Rng } from '../src/util/rng.ts';
import { batchMeansInterval, studentQuantile } from '../src/montecarlo/batch-means.ts';

/** Class energies of the paper's 3×3 grid (Fig. 3 setup: σ² 10, 1, 0.1 per level → classes). */
const ENERGY = [100, 10, 1];

/** Normalised loss of each of `calls` consecutive calls (unrecovered blocks' expected energy / total). */
function losses(o: CodedMatMulOptions, calls: number, seed: number): number[] {
  const opts = resolveCodedOptions(o);
  const layout = gridLayout(30, 30, opts);
  const total = layout.blockClass.reduce((s, c) => s + ENERGY[c], 0);
  const rng = new Rng(seed);
  const out: number[] = [];
  for (let c = 0; c < calls; c++) {
    const st = statsOf(planCall(layout, opts, rng, { step: c, product: 0 }));
    out.push(st.recovered.reduce((s, ok, b) => s + (ok ? 0 : ENERGY[st.blockClass[b]]), 0) / total);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const se = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
};

test('tasks rank by the mean class of the blocks they touch (NOW/EW windows, uncoded blocks)', (t) => {
  const opts = resolveCodedOptions({ scheme: 'uncoded', tmax: 1 });
  const layout = gridLayout(30, 30, opts);
  const tasks = opts.code.encode(layout, opts, new Rng(1));
  // classes of blocks 0..8: 0, 1, 2, 1, 2, 2, 2, 2, 2 → block 0, then 1 and 3, then the rest in order
  t.deepEqual(rankTasks(tasks, layout), [0, 1, 3, 2, 4, 5, 6, 7, 8]);
  const ew = resolveCodedOptions({ scheme: 'ew', tmax: 1 });
  const ewTasks = ew.code.encode(layout, ew, new Rng(2));
  const ranked = rankTasks(ewTasks, layout).map((i) => ewTasks[i].terms.reduce((n, term) => n + term.a.filter((x) => x !== 0).length, 0));
  // EW windows cover 1, 3 and 9 blocks: the ranking never puts a wider window before a narrower one
  t.deepEqual(ranked, [...ranked].sort((a, b) => a - b));
});

test('i.i.d. exponential latency: adaptive equals random in distribution (EW and uncoded, within the Monte Carlo interval)', (t) => {
  for (const scheme of ['ew', 'uncoded'] as const) {
    const base = { scheme, tmax: 1, latency: { model: 'exponential' as const, lambda: 0.5 } };
    const r = losses({ ...base, assign: 'random' }, 3000, 11);
    const a = losses({ ...base, assign: 'adaptive' }, 3000, 12);
    const half = 3.29 * Math.hypot(se(r), se(a)); // 99.9 %
    t.true(Math.abs(mean(r) - mean(a)) < half, `${scheme}: random ${mean(r)} vs adaptive ${mean(a)} ± ${half}`);
  }
});

test('persistent workers, deterministic: uncoded with 4 never-on-time workers; adaptive gives the 5 most important blocks to the 5 on-time workers from the 2nd call', (t) => {
  // workers 0..3 always late (rate 1e-9), 4..8 always on time (rate 1e9); random keeps block w on worker w
  const latency = { model: 'hetero:rates=1e-9/1e-9/1e-9/1e-9/1e9/1e9/1e9/1e9/1e9' as const, lambda: 0.5 };
  const o = { scheme: 'uncoded', tmax: 1, latency } as const;
  for (const assign of ['random', 'adaptive'] as const) {
    const opts = resolveCodedOptions({ ...o, assign });
    const layout = gridLayout(30, 30, opts);
    const rng = new Rng(4);
    const got: number[][] = [];
    for (let c = 0; c < 6; c++) got.push(statsOf(planCall(layout, opts, rng, { step: c, product: 0 })).classRecovered);
    // random: blocks 4..8 (all class 2). adaptive: block 0 (class 0), blocks 1, 3 (class 1), blocks 2, 4 (class 2)
    const expected = assign === 'random' ? [0, 0, 5] : [1, 2, 2];
    for (let c = 1; c < 6; c++) t.deepEqual(got[c], expected, `${assign} call ${c}`);
  }
});

test('strong persistence (markov, mean slow run 100 calls): adaptive EW beats random EW by a wide margin', (t) => {
  const latency = { model: 'markov:share=0.4,run=100,s=50' as const, lambda: 0.5, seed: 3 };
  const base = { scheme: 'ew', tmax: 1.5, latency } as const;
  // the same latency sequence for both (the model's own seeded state): paired differences, batch means
  const r = losses({ ...base, assign: 'random' }, 3000, 5);
  const a = losses({ ...base, assign: 'adaptive' }, 3000, 5);
  const diff = batchMeansInterval(r.map((x, i) => x - a[i]), 0.999);
  t.true(diff.low > 0 && mean(a) < 0.8 * mean(r), `random ${mean(r)} − adaptive ${mean(a)} = ${diff.mean} ± ${diff.halfWidth}`);
});

test('interchangeable-task codes refuse fixed and adaptive, naming --assign and the valid values', (t) => {
  const interchangeable = CODES.filter((c) => c.interchangeableTasks).map((c) => c.name);
  t.true(interchangeable.includes('mds'));
  for (const scheme of interchangeable) {
    // each code on a grid it runs on: the paper's 3×3, else the 1-D 9×1 (BACC)
    const grid = [{}, { rowBlocks: 9, colBlocks: 1 }].find((g) => {
      try {
        resolveCodedOptions({ scheme, tmax: 1, ...g });
        return true;
      } catch {
        return false;
      }
    });
    t.truthy(grid, `${scheme} runs on 3×3 or 9×1`);
    for (const assign of ['adaptive', 'fixed']) {
      t.throws(() => resolveCodedOptions({ scheme, tmax: 1, assign, ...grid }), { message: new RegExp(`^assign: '${assign}' needs tasks that differ; ${scheme}'s tasks are interchangeable`) });
    }
    t.notThrows(() => resolveCodedOptions({ scheme, tmax: 1, assign: 'random', ...grid }));
  }
  t.throws(() => resolveCodedOptions({ scheme: 'ew', tmax: 1, assign: 'smart' }), { message: /^assign: 'smart' is not one of random, fixed, adaptive/ });
});

test('batch means: the t quantile matches tables; the interval covers the mean of a persistent AR(1) sequence where the naive one is too narrow', (t) => {
  t.true(Math.abs(studentQuantile(0.995, 29) - 2.756) < 2e-3);
  t.true(Math.abs(studentQuantile(0.975, 10) - 2.228) < 2e-3);
  const rng = new Rng(9);
  let x = 0;
  const xs = Array.from({ length: 30000 }, () => (x = 0.98 * x + rng.normal()));
  const bm = batchMeansInterval(xs, 0.99);
  t.true(Math.abs(bm.mean) < bm.halfWidth, `${bm.mean} ± ${bm.halfWidth}`);
  // the naive i.i.d. half-width is far narrower than the batch-means one (correlation time ≈ 100)
  t.true(2.576 * se(xs) < bm.halfWidth / 4);
});

test('fixed: one worker ranking per run and site, so under fixed worker speeds every call recovers the same blocks; under i.i.d. latency it equals random', (t) => {
  const latency = { model: 'hetero:rates=1e-9/1e-9/1e-9/1e-9/1e9/1e9/1e9/1e9/1e9' as const, lambda: 0.5 };
  const opts = resolveCodedOptions({ scheme: 'uncoded', tmax: 1, latency, assign: 'fixed' });
  const layout = gridLayout(30, 30, opts);
  const rng = new Rng(6);
  const seen = new Set<string>();
  for (let c = 0; c < 8; c++) seen.add(JSON.stringify(statsOf(planCall(layout, opts, rng, { step: c, product: 0 })).recovered));
  t.is(seen.size, 1);
  const base = { scheme: 'ew', tmax: 1, latency: { model: 'exponential' as const, lambda: 0.5 } };
  const r = losses({ ...base, assign: 'random' }, 3000, 21);
  const f = losses({ ...base, assign: 'fixed' }, 3000, 22);
  t.true(Math.abs(mean(r) - mean(f)) < 3.29 * Math.hypot(se(r), se(f)), `random ${mean(r)} vs fixed ${mean(f)}`);
});

test('on a real runtime adaptive learns from the runtime\'s arrivals (in-time replies), not from the simulator\'s drawn times', async (t) => {
  // a stand-in runtime where workers 0..3 never reply in time and 4..8 always do; the simulated
  // times (T_max = inf: everyone on time) would teach nothing
  const { codedMatMulOn } = await import('../src/runtime/coded-call.ts');
  const { multiplyTask } = await import('../src/runtime/compute.ts');
  const runtime = {
    name: 'threads' as const,
    maxPayload: 1 << 26,
    call: async (spec: { jobs: { worker: number; wa: Float32Array; wb: Float32Array; U: number; K: number; Q: number }[] }) => ({
      arrived: spec.jobs.filter((j) => j.worker >= 4).map((j) => ({ worker: j.worker, product: multiplyTask(j.wa, j.wb, j.U, j.K, j.Q), arrivedMs: 5, computeMs: 1 })),
      elapsedMs: 10,
    }),
    counters: () => ({}) as never,
    onTrace: () => {},
    workerStatus: async () => undefined,
    close: async () => {},
  };
  const opts = resolveCodedOptions({ scheme: 'uncoded', tmax: Infinity, assign: 'adaptive' });
  const rng = new Rng(3);
  const A = Float64Array.from({ length: 6 * 4 }, () => rng.normal());
  const B = Float64Array.from({ length: 4 * 6 }, () => rng.normal());
  let last: number[] = [];
  for (let c = 0; c < 4; c++) {
    const r = await codedMatMulOn(runtime as never, A, 6, 4, B, 6, opts, rng, { straggle: 'none', timeUnitMs: 1, deadlineMs: 10 }, { step: c, product: 0 });
    last = r.stats.classRecovered;
  }
  t.deepEqual(last, [1, 2, 2]);
});
