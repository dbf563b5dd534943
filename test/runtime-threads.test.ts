import test from 'ava';
import { codedMatMulF64, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { codedMatMulOn, type RealTiming } from '../src/runtime/coded-call.ts';
import type { Runtime, TraceRow } from '../src/runtime/runtime.ts';
import { startThreadsRuntime } from '../src/runtime/threads.ts';
import { Rng } from '../src/util/rng.ts';
import { drawBlockGaussian } from '../src/workloads/block-gaussian.ts';

const FIG3 = { U: 5, M: 100, Q: 5, varA: [10, 1, 0.1], varB: [10, 1, 0.1] };
let rt: Runtime;
test.before(async () => {
  rt = await startThreadsRuntime({ threads: 2 });
});
test.after.always(async () => {
  await rt?.close();
});
let nextStep = 0;

test.serial('every worker arrives: the threads result is the float64 reference (float32 rounding)', async (t) => {
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 1e9, workers: 40, K: 1, gamma: [0.35, 0.35, 0.3] });
  const { A, B } = drawBlockGaussian(FIG3, new Rng(5));
  const timing: RealTiming = { straggle: 'none', timeUnitMs: 1, deadlineMs: 10_000 };
  const r = await codedMatMulOn(rt, A.data, A.rows, A.cols, B.data, B.cols, opts, new Rng(9), timing, { step: nextStep++, product: 0 });
  const f = codedMatMulF64(A, B, opts, new Rng(9));
  t.is(r.stats.workersReceived, 40);
  t.deepEqual(r.stats.recovered, f.stats.recovered);
  let worst = 0;
  let scale = 0;
  for (let e = 0; e < f.C.data.length; e++) {
    worst = Math.max(worst, Math.abs(f.C.data[e] - r.C[e]));
    scale = Math.max(scale, Math.abs(f.C.data[e]));
  }
  t.true(worst <= 1e-5 * scale, `max |Δ| ${worst} vs max |C| ${scale}`);
});

test.serial('injected straggling: received sets equal sim outside a guard band sized from measured overhead', async (t) => {
  const opts = resolveCodedOptions({ scheme: 'mds', tmax: 1, workers: 40, K: 1, latency: { model: 'exponential', lambda: 0.25 } });
  const unit = 40;
  const rng = new Rng(11);
  // warm-up with the same shapes (first calls pay for compilation)
  for (let i = 0; i < 3; i++) {
    const { A, B } = drawBlockGaussian(FIG3, rng);
    await codedMatMulOn(rt, A.data, A.rows, A.cols, B.data, B.cols, opts, rng, { straggle: 'none', timeUnitMs: unit, deadlineMs: 1000 }, { step: nextStep++, product: 0 });
  }
  const replies: TraceRow[] = [];
  rt.onTrace((row) => row.repliedMs !== null && replies.push(row));
  const calls: { step: number; times: Float64Array; sim: Set<number>; real: Set<number>; elapsed: number }[] = [];
  for (let call = 0; call < 25; call++) {
    const { A, B } = drawBlockGaussian(FIG3, rng);
    const step = nextStep++;
    const r = await codedMatMulOn(rt, A.data, A.rows, A.cols, B.data, B.cols, opts, rng, { straggle: 'model', timeUnitMs: unit, deadlineMs: 0 }, { step, product: 0 });
    calls.push({ step, times: r.simPlan.times, sim: new Set(r.simPlan.received), real: new Set(r.realPlan.received), elapsed: r.outcome.elapsedMs });
  }
  await new Promise((r) => setTimeout(r, 100)); // late replies
  const deadline = opts.tmax * unit;
  // measured compute + transport time: how far past its injected delay any reply (in time or
  // late) reached the server, and how late the deadline timer itself ran
  let overhead = 0;
  for (const c of calls) {
    overhead = Math.max(overhead, c.elapsed - deadline);
    for (const row of replies.filter((x) => x.step === c.step)) overhead = Math.max(overhead, (row.repliedMs as number) - row.dispatchedMs - c.times[row.worker] * unit);
  }
  const band = 2 * overhead + 1;
  const widest = band;
  let inBand = 0;
  let draws = 0;
  for (const c of calls) {
    for (let w = 0; w < c.times.length; w++) {
      const time = c.times[w] * unit;
      draws++;
      t.false(c.real.has(w) && !c.sim.has(w), `step ${c.step} worker ${w}: received before its injected delay`);
      if (time >= deadline - band && time < deadline) inBand++;
      else t.is(c.real.has(w), c.sim.has(w), `step ${c.step} worker ${w}: time ${time.toFixed(2)} ms, band ${band.toFixed(2)} ms`);
    }
  }
  t.log(`guard band ${widest.toFixed(1)} ms below the ${deadline} ms deadline; ${inBand} of ${draws} draws inside it`);
  t.true(calls.some((c) => c.real.size > 0) && calls.some((c) => c.real.size < 40), 'both arrivals and stragglers occur');
  t.true(draws - inBand > draws / 2, 'most draws are outside the band, where the check applies');
});

test.serial('tasks not started by the deadline are cancelled, late replies are dropped, nothing is left behind', async (t) => {
  const U = 160;
  const jobs = Array.from({ length: 24 }, (_, worker) => ({ worker, U, K: U, Q: U, wa: new Float32Array(U * U).fill(0.5), wb: new Float32Array(U * U).fill(2), delayMs: 0 }));
  const before = await rt.workerStatus();
  const lateBefore = rt.counters().late;
  const out = await rt.call({ step: nextStep++, product: 0, jobs, deadlineMs: 15 });
  t.true(out.arrived.length < jobs.length, `${out.arrived.length} arrived in 15 ms`);
  for (const a of out.arrived) t.is(a.product[0], U);
  await new Promise((r) => setTimeout(r, 500));
  const after = await rt.workerStatus();
  t.truthy(after && before);
  t.true(after!.cancelled > before!.cancelled, 'queued tasks were skipped');
  t.is(after!.pending, 0, 'no task queued or reply held after the call');
  t.true(rt.counters().late >= lateBefore);
  // the next call is clean
  const next = await rt.call({ step: nextStep++, product: 0, jobs: jobs.slice(0, 2), deadlineMs: 5000 });
  t.deepEqual(
    next.arrived.map((a) => a.worker).sort(),
    [0, 1],
  );
});
