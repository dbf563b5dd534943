import test from 'ava';
import { Dispatcher, type Transport } from '../src/runtime/dispatcher.ts';
import { multiplyTask } from '../src/runtime/compute.ts';
import { decodeReply, decodeTask, encodeReply, encodeTask, HEADER_BYTES, WireError } from '../src/runtime/wire.ts';
import type { WorkerJob } from '../src/runtime/runtime.ts';

const tag = { run: 7, step: 3, product: 2, worker: 5 };

test('task and reply round-trip, also from an unaligned buffer', (t) => {
  const wa = Float32Array.from({ length: 6 }, (_, i) => i + 0.5);
  const wb = Float32Array.from({ length: 12 }, (_, i) => -i);
  const bytes = encodeTask({ tag, U: 2, K: 3, Q: 4, wa, wb, delayMs: 12.5, deadlineEpochMs: 1e12, sentEpochMs: 5e11 });
  t.is(bytes.byteLength, HEADER_BYTES + 4 * 18);
  const shifted = new Uint8Array(bytes.byteLength + 1);
  shifted.set(bytes, 1);
  for (const b of [bytes, shifted.subarray(1)]) {
    const d = decodeTask(b);
    t.deepEqual(d.tag, tag);
    t.deepEqual([d.U, d.K, d.Q, d.delayMs, d.deadlineEpochMs, d.sentEpochMs], [2, 3, 4, 12.5, 1e12, 5e11]);
    t.deepEqual([...d.wa], [...wa]);
    t.deepEqual([...d.wb], [...wb]);
  }
  const product = multiplyTask(wa, wb, 2, 3, 4);
  // row 0 of W_A = (0.5, 1.5, 2.5); column 0 of W_B = (0, -4, -8)
  t.is(product[0], 0.5 * 0 + 1.5 * -4 + 2.5 * -8);
  const r = decodeReply(encodeReply({ tag, U: 2, Q: 4, product, computeMs: 1 }));
  t.deepEqual([...r.product], [...product]);
  t.throws(() => decodeReply(bytes), { instanceOf: WireError });
  t.throws(() => decodeTask(bytes.subarray(0, bytes.byteLength - 4)), { instanceOf: WireError, message: /does not match/ });
  t.throws(() => decodeTask(new Uint8Array(10)), { instanceOf: WireError, message: /shorter/ });
});

/** A transport that records what is sent and lets the test play the workers. */
function fakeTransport(maxPayload = 1 << 20) {
  const sent: Uint8Array[] = [];
  const cancels: number[] = [];
  let handler: (b: Uint8Array) => void = () => {};
  const transport: Transport = {
    maxPayload,
    send: (bytes) => sent.push(bytes),
    cancel: (tg) => cancels.push(tg.step),
    onReply: (h) => (handler = h),
    close: async () => {},
  };
  return { transport, sent, cancels, reply: (b: Uint8Array) => handler(b) };
}

function job(worker: number, U = 2, K = 3, Q = 2): WorkerJob {
  return { worker, U, K, Q, wa: new Float32Array(U * K).fill(1), wb: new Float32Array(K * Q).fill(1), delayMs: 0 };
}

function answer(bytes: Uint8Array, edit?: (p: Float32Array) => Float32Array, shape?: [number, number]): Uint8Array {
  const task = decodeTask(bytes);
  const product = multiplyTask(task.wa, task.wb, task.U, task.K, task.Q);
  const [U, Q] = shape ?? [task.U, task.Q];
  return encodeReply({ tag: task.tag, U, Q, product: edit ? edit(product) : product, computeMs: 0 });
}

test('dispatcher: bad replies are rejected and counted, never decoded; late replies are dropped', async (t) => {
  const f = fakeTransport();
  const d = new Dispatcher('threads', f.transport, 99);
  const call = d.call({ step: 1, product: 0, jobs: [0, 1, 2, 3].map((w) => job(w)), deadlineMs: 50 });
  t.is(f.sent.length, 4);
  f.reply(answer(f.sent[0]));
  f.reply(answer(f.sent[0])); // duplicate
  f.reply(answer(f.sent[1], (p) => p.map(() => NaN))); // non-finite
  f.reply(answer(f.sent[2], () => new Float32Array(2), [1, 2])); // wrong shape (smaller, so it is read)
  f.reply(new Uint8Array(10_000)); // larger than any expected reply
  f.reply(new Uint8Array(40)); // malformed
  const other = decodeTask(f.sent[3]);
  f.reply(encodeReply({ tag: { ...other.tag, run: 5 }, U: 2, Q: 2, product: new Float32Array(4), computeMs: 0 })); // another run
  f.reply(encodeReply({ tag: { ...other.tag, step: 8 }, U: 2, Q: 2, product: new Float32Array(4), computeMs: 0 })); // a call never made
  const out = await call;
  t.deepEqual(
    out.arrived.map((a) => a.worker),
    [0],
  );
  t.deepEqual([...out.arrived[0].product], [3, 3, 3, 3]);
  t.deepEqual(f.cancels, [1], 'workers are told the call is over');
  // the stale reply for step 1 comes during step 2: counted late, not decoded into step 2
  const call2 = d.call({ step: 2, product: 0, jobs: [job(0)], deadlineMs: 1000 });
  f.reply(answer(f.sent[3]));
  f.reply(answer(f.sent[4]));
  const out2 = await call2;
  t.deepEqual(
    out2.arrived.map((a) => a.worker),
    [0],
  );
  t.true(out2.elapsedMs < 500, 'returns as soon as every reply came');
  const c = d.counters();
  t.is(c.tasks, 5);
  t.is(c.inTime, 2);
  t.is(c.late, 1);
  t.deepEqual(c.rejected, { malformed: 1, tooLarge: 1, shape: 1, nonFinite: 1, duplicate: 1, unknown: 2 });
  await d.close();
});

test('dispatcher: a task over the max payload is refused with the shapes and the way out', (t) => {
  const f = fakeTransport(1000);
  const d = new Dispatcher('nats', f.transport, 1);
  t.throws(() => d.call({ step: 0, product: 0, jobs: [job(0, 20, 20, 20)], deadlineMs: 10 }), { instanceOf: RangeError, message: /W_A 20×20.*max payload of 1000 bytes.*smaller batch or a finer grid/ });
  t.is(f.sent.length, 0);
});
