/**
 * Trace replay (coded-backprop/trace-replay.ts): the worker times of each call are the recorded
 * ones, so the received set of every replayed call is the recorded in-time set, in the recorded
 * order; late and missing replies never arrive; bad traces are refused naming --latency.
 */
import test from 'ava';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { layoutFor, planCall } from '../src/coded-backprop/plan-api.ts';
import { TraceReplay } from '../src/coded-backprop/trace-replay.ts';
import { OptionError } from '../src/util/option-error.ts';
import { Rng } from '../src/util/rng.ts';

const HEADER = 'step,product,worker,dispatched_ms,replied_ms,in_time,deadline_ms,time_unit_ms';

/** A trace of W workers × `calls` calls: worker w of call c replies in time iff (w + c) % 3 ≠ 0. */
function synthetic(W: number, calls: number, unit = 50, tmax = 0.5): { text: string; inTime: number[][] } {
  const rows = [HEADER];
  const inTime: number[][] = [];
  for (let c = 0; c < calls; c++) {
    const got: [number, number][] = [];
    for (let w = 0; w < W; w++) {
      const d = 10 * c + 0.5;
      const ok = (w + c) % 3 !== 0;
      // in time: spread over the deadline (the last one just under it, with 1 µs rounding)
      const rt = ok ? ((w + 1) / W) * tmax * unit - 0.0004 : null;
      rows.push(`${c},0,${w},${d},${rt === null ? '' : (d + rt).toFixed(3)},${ok ? 1 : 0},${tmax * unit},${unit}`);
      if (ok) got.push([w, rt as number]);
    }
    // one late reply row for worker 0 (no deadline on late rows)
    rows.push(`${c},0,0,${10 * c + 0.5},${10 * c + 90},0,,${unit}`);
    inTime.push(got.sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([w]) => w));
  }
  return { text: rows.join('\n'), inTime };
}

test('a replayed call receives exactly the recorded in-time workers, in their order', (t) => {
  const W = 15;
  const { text, inTime } = synthetic(W, 4);
  const replay = TraceReplay.parse(text, 'trace.csv');
  t.is(replay.workers, W);
  t.is(replay.callCount, 4);
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 0.5, workers: W, replay });
  const rng = new Rng(1);
  const a = Float32Array.from({ length: 9 * 4 }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: 4 * 9 }, (_, i) => Math.cos(i));
  const layout = layoutFor(a, 9, 4, b, 9, opts);
  for (let c = 0; c < 4; c++) {
    const plan = planCall(layout, opts, rng, { step: c, product: 0 });
    t.deepEqual(plan.received, inTime[c], `call ${c}`);
    for (let w = 0; w < W; w++) if (!inTime[c].includes(w)) t.is(plan.times[w], Infinity);
  }
  // a replay is the same draws as the model's: the code coefficients stay those of the seed
  const plain = resolveCodedOptions({ scheme: 'ew', tmax: 0.5, workers: W });
  const p1 = planCall(layout, plain, new Rng(7));
  const p2 = planCall(layout, opts, new Rng(7), { step: 0, product: 0 });
  t.deepEqual(p1.tasks, p2.tasks);
});

test('replay refuses a call the trace lacks, a different W, and a call without its tag', (t) => {
  const replay = TraceReplay.parse(synthetic(15, 2).text, 'trace.csv');
  t.throws(() => replay.times(2, 0), { message: /no call step 2, product 0 \(it recorded 2 step\(s\)\)/ });
  const err = t.throws(() => resolveCodedOptions({ scheme: 'ew', tmax: 0.5, workers: 9, replay }), { instanceOf: OptionError });
  t.is(err?.key, 'workers');
  t.regex(err?.message ?? '', /recorded with W = 15/);
  const opts = resolveCodedOptions({ scheme: 'ew', tmax: 0.5, workers: 15, replay });
  const a = new Float32Array(9 * 4).fill(1);
  t.throws(() => planCall(layoutFor(a, 9, 4, a, 9, opts), opts, new Rng(1)), { message: /needs the call tag/ });
});

test('malformed traces are refused naming --latency and the file', (t) => {
  const cases: [string, RegExp][] = [
    ['step,product,worker\n0,0,0', /missing column\(s\) dispatched_ms, replied_ms, in_time, deadline_ms, time_unit_ms/],
    [HEADER, /no rows/],
    [`${HEADER}\n0,0,0,1,2,1,25,50\n0,0,1,1,2,1,25,40`, /mixed time units/],
    [`${HEADER}\n0,0,0,1,2,1,25,50\n0,0,1,1,2,1,25,50\n1,0,0,1,2,1,25,50`, /call step\/product 1\/0 has 1 of the trace's 2 workers/],
    [`${HEADER}\n0,0,0,5,2,1,25,50`, /replied_ms ≥ dispatched_ms/],
  ];
  for (const [text, re] of cases) {
    const err = t.throws(() => TraceReplay.parse(text, 'x.csv'), { instanceOf: OptionError });
    t.is(err?.key, 'latency');
    t.regex(err?.message ?? '', re);
    t.regex(err?.message ?? '', /trace x\.csv/);
  }
  t.throws(() => TraceReplay.load('/nonexistent/trace.csv'), { message: /cannot read trace .*ENOENT/ });
});
