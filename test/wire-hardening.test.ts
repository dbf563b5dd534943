/**
 * Malformed coded tasks (issue 19): shapes and times bounded at decode time, so a 72-byte task
 * declaring U = Q = 100000, K = 0 or a delay of 1e300 ms with an infinite deadline is refused as
 * malformed instead of killing the compute thread or re-arming a 1 ms timer for ever; and a
 * compute thread that does die is reported, and a NATS worker process then exits non-zero
 * instead of staying in the queue group answering nothing.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsRuntime } from '../src/runtime/nats.ts';
import { noWorkersNote, type Runtime } from '../src/runtime/runtime.ts';
import { applyDisconnectPolicy } from '../src/runtime/disconnect-policy.ts';
import { UserError } from '../src/util/user-error.ts';
import { startNatsWorker } from '../src/runtime/nats-worker.ts';
import { TaskLoop } from '../src/runtime/task-loop.ts';
import { ThreadPool } from '../src/runtime/thread-pool.ts';
import { decodeReply, decodeTask, encodeReply, encodeTask, HEADER_BYTES, WireError } from '../src/runtime/wire.ts';
import { startNatsServer } from './helpers/nats-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tag = { run: 1, step: 0, product: 0, worker: 0 };
const now = () => performance.timeOrigin + performance.now();
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

/** The reported task: a header only, declaring U = Q = 100000 and K = 0 (so its size matches). */
function zeroInnerTask(): Uint8Array {
  const ok = encodeTask({ tag, U: 1, K: 1, Q: 1, wa: new Float32Array(1), wb: new Float32Array(1), delayMs: 0, deadlineEpochMs: now() + 1e4, sentEpochMs: now() });
  const bytes = ok.slice(0, HEADER_BYTES);
  const v = new DataView(bytes.buffer);
  v.setUint32(32, 100_000, true);
  v.setUint32(36, 0, true);
  v.setUint32(40, 100_000, true);
  return bytes;
}

function timedTask(delayMs: number, deadlineEpochMs: number, sentEpochMs = now()): Uint8Array {
  return encodeTask({ tag, U: 2, K: 2, Q: 2, wa: new Float32Array(4).fill(1), wb: new Float32Array(4).fill(1), delayMs, deadlineEpochMs, sentEpochMs });
}

test('decodeTask refuses the 72-byte U = Q = 100000, K = 0 task, and products over the size bound', (t) => {
  t.throws(() => decodeTask(zeroInnerTask()), { instanceOf: WireError, message: /empty dimension/ });
  // K = 1, U = Q = 65536: its size matches (72 + 4·2·65536 bytes) but the product would be 16 GB
  const U = 65536;
  const big = encodeTask({ tag, U, K: 1, Q: U, wa: new Float32Array(U), wb: new Float32Array(U), delayMs: 0, deadlineEpochMs: now() + 1e4, sentEpochMs: now() });
  t.throws(() => decodeTask(big), { instanceOf: WireError, message: /product 65536×65536/ });
});

test('decodeTask refuses non-finite, negative and out-of-range delays and clocks', (t) => {
  const later = now() + 1e4;
  for (const [d, dl, s] of [[1e300, Infinity, now()], [NaN, later, now()], [-1, later, now()], [2 ** 31, later, now()], [0, NaN, now()], [0, -5, now()], [0, 1e300, now()], [0, later, Infinity]]) {
    t.throws(() => decodeTask(timedTask(d, dl, s)), { instanceOf: WireError }, `delay ${d}, deadline ${dl}, sent ${s}`);
  }
  t.is(decodeTask(timedTask(5, later)).delayMs, 5);
});

test('decodeReply refuses a non-finite compute time', (t) => {
  const r = encodeReply({ tag, U: 1, Q: 1, product: new Float32Array(1), computeMs: NaN });
  t.throws(() => decodeReply(r), { instanceOf: WireError, message: /compute time/ });
});

test('TaskLoop: the reported tasks count as malformed; nothing is held, no timer re-arms', async (t) => {
  let sent = 0;
  const loop = new TaskLoop<void>(() => sent++);
  loop.submit(zeroInnerTask());
  loop.submit(timedTask(1e300, Infinity));
  await tick();
  t.is(loop.counters.malformed, 2);
  t.is(loop.pending(), 0);
  t.is(sent, 0);
  // a dispatch clock far ahead of this one (holdFrom 'dispatch'): beyond the longest timer, dropped, not armed
  const fromDispatch = new TaskLoop<void>(() => sent++, { holdFrom: 'dispatch' });
  fromDispatch.submit(timedTask(10, 8e15, 7e15));
  await tick();
  t.is(fromDispatch.pending(), 0);
  t.is(fromDispatch.counters.droppedHeld, 1);
  loop.close();
  fromDispatch.close();
});

test.serial('a NATS worker given the reported task keeps answering: a later call gets every reply', async (t) => {
  const server = await startNatsServer();
  const w = await startNatsWorker({ server: server.url, concurrency: 1 });
  const rt = await startNatsRuntime({ server: server.url });
  try {
    rt.connection.publish('uep.task', zeroInnerTask(), { reply: 'uep.reply.nobody' });
    rt.connection.publish('uep.task', timedTask(1e300, Infinity), { reply: 'uep.reply.nobody' });
    await rt.connection.flush();
    const U = 4;
    const jobs = Array.from({ length: 6 }, (_, worker) => ({ worker, U, K: U, Q: U, wa: new Float32Array(U * U).fill(1), wb: new Float32Array(U * U).fill(2), delayMs: 0 }));
    const out = await rt.call({ step: 0, product: 0, jobs, deadlineMs: 10_000 });
    t.is(out.arrived.length, 6);
    t.true(out.arrived.every((a) => a.product.every((x) => x === 2 * U)));
  } finally {
    await rt.close();
    await w.close();
    await server.stop();
  }
});

test.serial('a compute thread that dies is reported once (not on close)', async (t) => {
  const before = process.env.UEP_THREAD_TEST_CRASH;
  process.env.UEP_THREAD_TEST_CRASH = '1';
  const pool = new ThreadPool(2, 'receipt');
  if (before === undefined) delete process.env.UEP_THREAD_TEST_CRASH;
  else process.env.UEP_THREAD_TEST_CRASH = before;
  try {
    await pool.ready;
    const deaths: string[] = [];
    pool.onDeath((_i, why) => deaths.push(why));
    pool.submit(timedTask(0, now() + 1e4), 1);
    for (let i = 0; i < 200 && deaths.length === 0; i++) await tick();
    t.is(deaths.length, 1);
    t.regex(deaths[0], /compute thread 2 of 2 died/);
  } finally {
    await pool.close();
  }
  const quiet = new ThreadPool(1, 'receipt');
  await quiet.ready;
  let reported = 0;
  quiet.onDeath(() => reported++);
  await quiet.close();
  t.is(reported, 0);
});

test.serial('worker --role coded whose compute thread dies exits non-zero with one line naming the cause', async (t) => {
  const server = await startNatsServer();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'experiments', 'worker.ts'), '--server', server.url, '--concurrency', '1'], {
    cwd: ROOT,
    env: { ...process.env, UEP_THREAD_TEST_CRASH: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const rt = await startNatsRuntime({ server: server.url });
  try {
    for (let i = 0; i < 600 && !out.includes('connected'); i++) await tick(50);
    const U = 2;
    void rt.call({ step: 0, product: 0, jobs: [{ worker: 0, U, K: U, Q: U, wa: new Float32Array(4), wb: new Float32Array(4), delayMs: 0 }], deadlineMs: 2000 });
    let hang: ReturnType<typeof setTimeout> | undefined;
    const code = await Promise.race([exited, new Promise((r) => (hang = setTimeout(() => r('hung'), 30_000)))]);
    clearTimeout(hang);
    t.is(code, 1);
    const lines = err.trim().split('\n');
    t.is(lines.length, 1, err);
    t.regex(lines[0], /^error: compute thread 1 of 1 died .*restart it/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rt.close();
    await server.stop();
  }
});

test.serial('nats runtime with no workers: "no responders" notices count as tasks that reached no worker, not as rejected replies', async (t) => {
  const server = await startNatsServer();
  const rt = await startNatsRuntime({ server: server.url });
  try {
    const U = 2;
    const jobs = Array.from({ length: 5 }, (_, worker) => ({ worker, U, K: U, Q: U, wa: new Float32Array(4), wb: new Float32Array(4), delayMs: 0 }));
    const out = await rt.call({ step: 0, product: 0, jobs, deadlineMs: 300 });
    t.is(out.arrived.length, 0);
    const c = rt.counters();
    t.is(Object.values(c.rejected).reduce((a, b) => a + b, 0), 0);
    t.is(c.noWorkers, 5);
    t.regex(noWorkersNote(c), /no workers are subscribed \(5 tasks reached none/);
  } finally {
    await rt.close();
    await server.stop();
  }
});

test.serial('nats runtime: losing the server and getting it back is reported to the command (train prints a warning)', async (t) => {
  const server = await startNatsServer();
  const rt = await startNatsRuntime({ server: server.url });
  const events: boolean[] = [];
  rt.onConnection?.((up) => events.push(up));
  try {
    await server.restart(500);
    for (let i = 0; i < 200 && events.length < 2; i++) await tick(50);
    t.deepEqual(events, [false, true]);
  } finally {
    await rt.close();
    await server.stop();
  }
});

test('--on-disconnect: wait holds a call until the server is back (or fails after its timeout), abort fails at once, continue calls through', async (t) => {
  const fake = () => {
    let listener: (up: boolean) => void = () => {};
    let calls = 0;
    const rt = {
      onConnection: (l: (up: boolean) => void) => void (listener = l),
      call: async () => {
        calls++;
        return { arrived: [], elapsedMs: 0 };
      },
    } as unknown as Runtime;
    return { rt, set: (up: boolean) => listener(up), calls: () => calls };
  };
  const spec = { step: 0, product: 0, jobs: [], deadlineMs: 10 };
  const w = fake();
  applyDisconnectPolicy(w.rt, 'wait', 'nats://x:1', 5000);
  w.set(false);
  let done = false;
  const p = w.rt.call(spec).then(() => (done = true));
  await tick(30);
  t.false(done);
  t.is(w.calls(), 0);
  w.set(true);
  await p;
  t.is(w.calls(), 1);
  const slow = fake();
  applyDisconnectPolicy(slow.rt, 'wait', 'nats://x:1', 50);
  slow.set(false);
  await t.throwsAsync(slow.rt.call(spec), { instanceOf: UserError, message: /not back within 0.05 s/ });
  const a = fake();
  applyDisconnectPolicy(a.rt, 'abort', 'nats://x:1');
  a.set(false);
  await t.throwsAsync(a.rt.call(spec), { instanceOf: UserError, message: /--on-disconnect abort: lost the NATS server at nats:\/\/x:1/ });
  const c = fake();
  applyDisconnectPolicy(c.rt, 'continue', 'nats://x:1');
  c.set(false);
  await c.rt.call(spec);
  t.is(c.calls(), 1);
});
