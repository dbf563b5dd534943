/**
 * Fuzzing the message handlers (issue 19) with fast-check: random and mutated task, cancel, reply
 * and job messages fed to
 *   - the coded worker's task loop (in-process, then the same messages through a real compute thread),
 *   - the parameter server's reply path (a Dispatcher over an in-memory transport),
 *   - the sweep worker's job schema and scratch paths (in-process), and a real sweep worker on a
 *     loopback nats-server with JetStream (every accepted job fails at once by the test hook, so
 *     its files are written and removed without training).
 * Every message must be refused or handled: nothing throws, no thread or process dies, no timer
 * is armed beyond Node's limit, and no file outside the job's scratch directory is touched.
 *
 * Fixed seed, bounded counts (a few seconds); `npm run fuzz` runs many more (UEP_FUZZ_RUNS).
 */
import test from 'ava';
import fc from 'fast-check';
import { mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { cancelBytes, connectNats, decodeCancel } from '../src/runtime/nats.ts';
import { Dispatcher, type Transport } from '../src/runtime/dispatcher.ts';
import { TaskLoop } from '../src/runtime/task-loop.ts';
import { ThreadPool } from '../src/runtime/thread-pool.ts';
import { encodeReply, encodeTask, HEADER_BYTES } from '../src/runtime/wire.ts';
import { insideScratch, isInside, JobRefusal, parseSweepJob } from '../src/queue/job-schema.ts';
import { ensureQueue, SUBJECT_ROOT } from '../src/queue/protocol.ts';
import { startSweepWorker } from '../src/queue/worker.ts';
import { useTempDir } from './helpers/io.ts';
import { startNatsServer } from './helpers/nats-server.ts';

const SEED = 19;
/** Runs per property: small in the suite, large under `npm run fuzz`. */
const RUNS = Number(process.env.UEP_FUZZ_RUNS ?? 0) || 300;
const tempDir = useTempDir('fuzz-');
const now = () => performance.timeOrigin + performance.now();
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

// --- message generators --------------------------------------------------------
/** Values that break arithmetic: the header's float64 and uint32 fields get these as well as random ones. */
const nastyF64 = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, 1e300, -1, 0, 2 ** 31, 2 ** 53, -0), fc.double());
const nastyU32 = fc.oneof(fc.constantFrom(0, 1, 2, 100_000, 65536, 2 ** 32 - 1, 2 ** 31), fc.nat({ max: 2 ** 32 - 1 }));

function validTask(U: number, K: number, Q: number, step: number): Uint8Array {
  return encodeTask({ tag: { run: 7, step, product: 0, worker: 0 }, U, K, Q, wa: new Float32Array(U * K).fill(1), wb: new Float32Array(K * Q).fill(0.5), delayMs: 0, deadlineEpochMs: now() + 2000, sentEpochMs: now() });
}

/** A valid message with some of: header fields overwritten, bytes flipped, truncated or extended. */
const mutated = (base: fc.Arbitrary<Uint8Array>) =>
  fc
    .tuple(
      base,
      fc.array(fc.tuple(fc.constantFrom(12, 16, 20, 24, 28, 32, 36, 40), nastyU32), { maxLength: 3 }),
      fc.array(fc.tuple(fc.constantFrom(48, 56, 64), nastyF64), { maxLength: 3 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
      fc.option(fc.integer({ min: -40, max: 40 })),
    )
    .map(([b, u32s, f64s, flips, resize]) => {
      let out = new Uint8Array(b);
      const v = new DataView(out.buffer);
      for (const [off, x] of u32s) if (off + 4 <= out.length) v.setUint32(off, x, true);
      for (const [off, x] of f64s) if (off + 8 <= out.length) v.setFloat64(off, x, true);
      for (const [pos, byte] of flips) if (out.length) out[pos % out.length] = byte;
      if (resize !== null) {
        const n = Math.max(0, out.length + resize);
        const r = new Uint8Array(n);
        r.set(out.subarray(0, Math.min(n, out.length)));
        out = r;
      }
      return out;
    });

const shapes = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.nat({ max: 50 }));
const taskMessage = fc.oneof(
  mutated(shapes.map(([U, K, Q, step]) => validTask(U, K, Q, step))),
  fc.uint8Array({ maxLength: 200 }),
  // a header-only message with any shape (the reported 72-byte U = Q = 100000, K = 0 among them)
  fc.tuple(nastyU32, nastyU32, nastyU32).map(([U, K, Q]) => {
    const b = validTask(1, 1, 1, 0).slice(0, HEADER_BYTES);
    const v = new DataView(b.buffer);
    v.setUint32(32, U, true);
    v.setUint32(36, K, true);
    v.setUint32(40, Q, true);
    return b;
  }),
);
const cancelMessage = fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.tuple(nastyU32, nastyU32, nastyU32).map(([r, s, p]) => cancelBytes(r, s, p)));

// --- the coded worker ------------------------------------------------------------
test.serial('coded worker: random and mutated tasks and cancels are handled or counted malformed; nothing throws, nothing is held past its bound', async (t) => {
  let sent = 0;
  const loop = new TaskLoop<number>(() => sent++, { holdGraceMs: 100 });
  const all: Uint8Array[] = [];
  fc.assert(
    fc.property(fc.array(fc.oneof(taskMessage.map((b) => ({ task: b })), cancelMessage.map((b) => ({ cancel: b }))), { maxLength: 8 }), (msgs) => {
      for (const m of msgs) {
        if ('task' in m) {
          loop.submit(m.task, 0);
          all.push(m.task);
        } else {
          const c = decodeCancel(m.cancel);
          if (c) loop.cancel(c);
        }
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  // let the loop work through its queue (one task per macrotask turn)
  for (let i = 0; i < 10_000 && loop.pending() > 0 && loop.counters.received > loop.counters.malformed + loop.counters.cancelled + loop.counters.replied + loop.counters.droppedHeld; i++) await tick(1);
  const c = loop.counters;
  t.is(c.received, all.length);
  t.true(c.malformed > 0 && c.replied > 0, `malformed ${c.malformed}, replied ${c.replied}`);
  t.is(sent, c.replied);
  loop.close();
  t.is(loop.pending(), 0);

  // the same messages through a real compute thread: it must survive all of them
  const pool = new ThreadPool(1, 'receipt');
  await pool.ready;
  let died: string | null = null;
  pool.onDeath((_i, why) => (died = why));
  for (const b of all) pool.submit(b, 0);
  // a valid task last: its reply proves the thread is alive and answering
  const replies: Uint8Array[] = [];
  pool.onReply((b) => replies.push(b));
  pool.submit(validTask(2, 2, 2, 999), 0);
  for (let i = 0; i < 600 && replies.length === 0 && died === null; i++) await tick(10);
  const counters = await pool.counters();
  await pool.close();
  t.is(died, null);
  t.true(replies.length >= 1);
  t.is(counters[0].counters.received, all.length + 1);
});

// --- the parameter server's reply path -------------------------------------------------
test.serial('parameter server: random and mutated replies are rejected or kept, never decoded into the wrong call, never throw', async (t) => {
  let deliver: (b: Uint8Array) => void = () => {};
  const transport: Transport = { maxPayload: 1 << 20, send: () => {}, cancel: () => {}, onReply: (h) => (deliver = h), close: async () => {} };
  const RUN = 11;
  const d = new Dispatcher('threads', transport, RUN);
  const U = 3;
  const Q = 2;
  const jobs = Array.from({ length: 4 }, (_, worker) => ({ worker, U, K: 2, Q, wa: new Float32Array(U * 2), wb: new Float32Array(2 * Q), delayMs: 0 }));
  const reply = (step: number, worker: number, run = RUN) => encodeReply({ tag: { run, step, product: 0, worker }, U, Q, product: new Float32Array(U * Q).fill(worker + 1), computeMs: 1 });
  const replyMessage = fc.oneof(
    mutated(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 5 })).map(([step, w]) => reply(step, w))),
    fc.uint8Array({ maxLength: 120 }),
  );
  let step = 0;
  let delivered = 0;
  const calls: Promise<void>[] = [];
  await fc.assert(
    fc.asyncProperty(fc.array(replyMessage, { maxLength: 6 }), async (msgs) => {
      const s = step++;
      const call = d.call({ step: s, product: 0, jobs, deadlineMs: 50 });
      for (const m of msgs) {
        deliver(m);
        delivered++;
      }
      // a genuine reply of this call: kept (unless a mutated copy of it was kept first)
      deliver(reply(s, 0));
      delivered++;
      calls.push(
        call.then((out) => {
          for (const a of out.arrived) {
            if (a.worker < 0 || a.worker >= jobs.length || a.product.length !== U * Q || !a.product.every(Number.isFinite)) throw new Error(`bad arrival ${a.worker}`);
          }
          if (new Set(out.arrived.map((a) => a.worker)).size !== out.arrived.length) throw new Error('a worker arrived twice');
        }),
      );
    }),
    { seed: SEED, numRuns: Math.max(50, RUNS / 3) },
  );
  await Promise.all(calls);
  const c = d.counters();
  const rejected = Object.values(c.rejected).reduce((x, y) => x + y, 0);
  t.is(c.inTime + c.late + rejected, delivered, JSON.stringify(c));
  t.true(rejected > 0 && c.inTime > 0);
  await d.close();
});

// --- the sweep worker: schema and scratch paths, in-process ------------------------------------
const JOB = { v: 1, sweep: 'sfuzz', name: 'ew-tmax1-seed1', submission: 'ab', backend: 'wasm', input: { scheme: 'ew', tmax: 1, seed: 1, limit: 64 } };
const jsonValue = fc.jsonValue({ maxDepth: 2 });
const nastyName = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('../x', '/../../../tmp/victim', '..', '.', '', 'a/b', 'a\\b', '%2e%2e', 'ew-tmax1-seed1', 'a\u0000b', '..\\..\\x', '~', '$HOME'),
  fc.array(fc.constantFrom('..', '/', '.', 'a', '-', '_', '\\', ','), { maxLength: 12 }).map((a) => a.join('')),
);
const jobMessage = fc.oneof(
  fc.record({ v: fc.oneof(fc.constant(1), jsonValue), sweep: fc.oneof(nastyName, jsonValue), name: fc.oneof(nastyName, jsonValue), submission: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdefg'), maxLength: 8 })), backend: fc.constantFrom('wasm', 'cpu', 'node', 'auto', 'gpu'), input: fc.dictionary(fc.constantFrom('scheme', 'tmax', 'seed', 'limit', 'dataDir', 'latency', 'sites', 'lr', 'epochs', '__proto__', 'constructor'), jsonValue, { maxKeys: 4 }) }, { requiredKeys: [] }).map((o) => JSON.stringify({ ...JOB, ...o })),
  fc.record({ latency: fc.constantFrom('trace:/etc/passwd', 'trace-pool:/etc/passwd', 'trace-pool:../../x.csv,k=1', 'exponential', 'TRACE-POOL:/etc/hostname'), dataDir: fc.constantFrom('/etc', '..', '.', undefined) }).map((i) => JSON.stringify({ ...JOB, input: { ...JOB.input, ...i } })),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);

test.serial('sweep job schema: every random or mutated job is refused or accepted with paths inside the scratch directory', (t) => {
  const scratch = realpathSync(tempDir());
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(jobMessage, (text) => {
      try {
        const { job } = parseSweepJob(Buffer.from(text));
        accepted++;
        const dir = insideScratch(scratch, `${job.sweep}-${job.name}`);
        const log = insideScratch(scratch, `${job.sweep}-${job.name}.log`);
        return isInside(scratch, dir) && isInside(scratch, log) && dir !== scratch;
      } catch (err) {
        if (!(err instanceof JobRefusal)) throw err;
        refused++;
        return err.reason.length > 0 && !err.reason.includes('\n');
      }
    }),
    { seed: SEED, numRuns: RUNS * 3 },
  );
  t.true(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}`);
});

// --- a real sweep worker ---------------------------------------------------------------------
/** Every path under `dir` with its size and modification time. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      out.push(`${p} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

test.serial('a real sweep worker fed random and mutated jobs stays up, answers each, and touches no file outside its scratch directory', async (t) => {
  const victim = join(tempDir(), 'victim');
  mkdirSync(join(victim, 'dir'), { recursive: true });
  writeFileSync(join(victim, 'dir', 'keep.txt'), 'keep');
  writeFileSync(join(victim, 'dir.log'), 'keep');
  const before = tree(victim);
  const server = await startNatsServer({}, { jetstream: true });
  const saved = process.env.UEP_SWEEP_TEST_FAIL;
  process.env.UEP_SWEEP_TEST_FAIL = '*';
  const lines: string[] = [];
  const w = await startSweepWorker({ nats: { server: server.url }, concurrency: 2, ackWaitMs: 2000, onLine: (l) => lines.push(l) });
  if (saved === undefined) delete process.env.UEP_SWEEP_TEST_FAIL;
  else process.env.UEP_SWEEP_TEST_FAIL = saved;
  const nc = await connectNats({ server: server.url });
  try {
    const q = await ensureQueue(nc, 2000);
    const js = jetstream(nc);
    const traversal = `/../../../../../../../..${victim}/dir`;
    const msgs = fc.sample(fc.oneof(jobMessage, fc.constant(JSON.stringify({ ...JOB, name: traversal }))), { seed: SEED, numRuns: Math.min(60, RUNS) });
    msgs.push(JSON.stringify({ ...JOB, name: 'ok-run' }));
    for (let i = 0; i < msgs.length; i++) await js.publish(`${SUBJECT_ROOT}.sfuzz.m${i}`, msgs[i]);
    // every message settles: refused at once, or (accepted) failed by the hook and retried to max_deliver
    const end = Date.now() + 60_000;
    for (;;) {
      const c = await q.jsm.consumers.info('UEP_SWEEP', 'sweep-workers');
      if (c.num_pending === 0 && c.num_ack_pending === 0) break;
      if (Date.now() > end) throw new Error(`not settled: ${JSON.stringify({ pending: c.num_pending, ack: c.num_ack_pending })}`);
      await tick(200);
    }
    const counts = w.counts();
    t.true(counts.refused > 0, JSON.stringify(counts));
    t.true(counts.failed > 0, JSON.stringify(counts));
    t.regex(lines.join('\n'), /ok-run/);
    t.deepEqual(tree(victim), before);
  } finally {
    await nc.close();
    await w.close();
    await server.stop();
  }
});
