/**
 * The sweep worker (`npm run worker -- --role sweep`): takes run jobs from the JetStream work
 * queue, one per slot, and trains each in a persistent run process of its own (the sweep's run
 * executor, src/training/run-pool.ts: tfjs and MNIST loaded once per slot), into a temporary
 * directory; while a run is alive it sends an in-progress ack (and refreshes the run's status)
 * every third of the ack wait, so a long run is not redelivered, and a killed worker's run is.
 *
 * Finished: the run directory's files and its log go to the KV bucket, create-only (a run another
 * worker already stored is not written again), then the job is acked. Failed: the log goes to
 * the bucket and the job is nak'ed (redelivered, to any worker) — or, on its last delivery
 * (max_deliver), the status says 'failed' and the job is terminated. A job whose backend this
 * machine cannot load is refused (nak'ed for another worker), never run on another backend.
 *
 * Test hooks (environment): UEP_SWEEP_TEST_FAIL=name,… fails those runs (a poisoned run; `*`: every run);
 * UEP_SWEEP_TEST_HOLD_MS=N holds every run N ms before training (so a test can kill it mid-run).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { closeNats, type NatsConnectOptions } from '../runtime/nats.ts';
import { startRunPool } from '../training/run-pool.ts';
import type { PlannedRun } from '../training/launcher.ts';
import { readLiveStatus } from '../training/run-status.ts';
import {
  canProvideBackend, CONSUMER, logKey, openQueue, packJson, packText, resultKey, statusKey, STREAM,
  type JobResult, type JobStatus, type SweepJob,
} from './protocol.ts';
import { insideScratch, JobRefusal, parseSweepJob } from './job-schema.ts';

export interface SweepWorkerOptions {
  nats: NatsConnectOptions;
  concurrency: number;
  /** The flag that gave the server's URL, named in connection errors (default 'server'). */
  flag?: string;
  /** Ack wait when this worker creates the consumer (tests: a few seconds). */
  ackWaitMs?: number;
  /** Real path of a directory whose files jobs may name (dataDir, trace files); absent: none. */
  allowDir?: string;
  /** One line per event (taken, finished, failed, refused). */
  onLine?: (line: string) => void;
}

export interface SweepWorker {
  connection: NatsConnection;
  counts(): { taken: number; done: number; failed: number; refused: number };
  /** False while the connection to the server is lost (it reconnects by itself). */
  connected(): boolean;
  /** Stops taking jobs, aborts the runs in progress (their jobs are nak'ed for redelivery), disconnects. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSweepWorker(o: SweepWorkerOptions): Promise<SweepWorker> {
  const { nc, q } = await openQueue({ ...o.nats, name: o.nats.name ?? 'uep-sweep-worker' }, o.flag ?? 'server', o.ackWaitMs);
  const js = jetstream(nc);
  const consumer = await js.consumers.get(STREAM, CONSUMER);
  const me = `${hostname()}:${process.pid}`;
  const line = o.onLine ?? (() => {});
  const counts = { taken: 0, done: 0, failed: 0, refused: 0 };
  const pool = startRunPool(o.concurrency);
  // real path: the containment check compares resolved paths
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'uep-sweep-worker-')));
  const failInjected = new Set((process.env.UEP_SWEEP_TEST_FAIL ?? '').split(',').filter(Boolean));
  const holdMs = Number(process.env.UEP_SWEEP_TEST_HOLD_MS ?? 0) || 0;
  let stopping = false;
  let connected = true;
  // a lost server is loud: one line when it goes, one when it is back
  void (async () => {
    for await (const st of nc.status()) {
      if (st.type === 'disconnect' && connected) {
        connected = false;
        line(`lost the NATS server at ${o.nats.server}; reconnecting (jobs wait on the server; runs in progress go back to the queue if it is away past the ack wait)`);
      } else if (st.type === 'reconnect' && !connected) {
        connected = true;
        line(`reconnected to ${o.nats.server}`);
      }
    }
  })().catch(() => undefined);
  const running = new Set<{ kill: () => void }>();

  const setStatus = (job: SweepJob, s: Omit<JobStatus, 'worker' | 'maxDeliver' | 'submission'>) =>
    q.kv.put(statusKey(job.sweep, job.name), JSON.stringify({ ...s, submission: job.submission, worker: me, maxDeliver: q.maxDeliver } satisfies JobStatus)).catch(() => undefined);

  const handle = async (m: JsMsg, slot: number) => {
    const attempt = m.info.deliveryCount;
    let job: SweepJob;
    try {
      job = parseSweepJob(m.data, { allowDir: o.allowDir }).job;
    } catch (err) {
      if (!(err instanceof JobRefusal)) throw err;
      // invalid for every worker and every attempt: refused at once, never retried
      counts.refused++;
      const what = err.run !== undefined ? `${err.run} (sweep ${err.sweep})` : `message ${m.seq} on ${m.subject.slice(0, 120)}`;
      line(`refused job ${what}: ${err.reason}`);
      if (err.sweep !== undefined && err.run !== undefined) {
        const st: JobStatus = { state: 'failed', worker: me, attempt, maxDeliver: q.maxDeliver, submission: err.submission, message: `refused by worker ${me}: ${err.reason}` };
        await q.kv.put(statusKey(err.sweep, err.run), JSON.stringify(st)).catch(() => undefined);
      }
      // no reason text: nats-server 2.9 does not parse '+TERM reason' (it redelivers)
      m.term();
      return;
    }
    const last = attempt >= q.maxDeliver;
    // already stored by another worker (that died before acking): nothing to do
    if ((await q.kv.get(resultKey(job.sweep, job.name)))?.operation === 'PUT') {
      m.ack();
      return;
    }
    if (!(await canProvideBackend(job.backend))) {
      counts.refused++;
      const message = `backend ${job.backend} cannot be loaded on worker ${me}`;
      line(`refused ${job.name} (${message})`);
      await setStatus(job, { state: last ? 'failed' : 'refused', attempt, message });
      if (last) m.term(); // no reason: nats-server 2.9 redelivers on '+TERM reason'
      else m.nak(1000);
      return;
    }
    counts.taken++;
    line(`slot ${slot}: ${job.name} (sweep ${job.sweep}, attempt ${attempt}/${q.maxDeliver})`);
    await setStatus(job, { state: 'running', attempt });
    const beat = setInterval(() => {
      try {
        m.working();
      } catch {
        // disconnected: if it lasts beyond the ack wait, the job is redelivered (and only one result is kept)
      }
      const progress = readLiveStatus(dir);
      void setStatus(job, { state: 'running', attempt, ...(progress ? { progress } : {}) });
    }, Math.max(200, q.ackWaitMs / 3));
    // the names passed the schema; this check keeps every file operation inside the scratch directory regardless
    const dir = insideScratch(scratch, `${job.sweep}-${job.name}`);
    const logPath = insideScratch(scratch, `${job.sweep}-${job.name}.log`);
    try {
      let code: number | null = 0;
      let signal: string | null = null;
      // the test hold ends early when the worker stops, as a real run is aborted
      for (const end = Date.now() + holdMs; Date.now() < end && !stopping; ) await sleep(Math.min(100, holdMs));
      if (stopping) {
        code = 130;
      } else if (failInjected.has(job.name) || failInjected.has('*')) {
        writeFileSync(logPath, `run ${job.name}: injected failure (UEP_SWEEP_TEST_FAIL) on worker ${me}, attempt ${attempt}\n`);
        code = 1;
      } else {
        const run = { name: job.name, given: job.input } as PlannedRun;
        const h = pool.launch(run, dir, logPath);
        const handleKill = { kill: () => h.kill('SIGINT') };
        running.add(handleKill);
        const res = await h.done;
        running.delete(handleKill);
        code = res.code;
        signal = res.signal;
      }
      const log = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
      if (code === 0 && existsSync(join(dir, 'config.json'))) {
        const files: Record<string, string> = {};
        for (const f of readdirSync(dir)) files[f] = readFileSync(join(dir, f), 'utf8');
        const result: JobResult = { worker: me, attempt, files, log };
        try {
          await q.kv.create(resultKey(job.sweep, job.name), packJson(result));
        } catch (err) {
          // create-only: a second worker's result never replaces the first; any other error is a failure
          if ((await q.kv.get(resultKey(job.sweep, job.name)))?.operation !== 'PUT') throw err;
          line(`${job.name}: a result is already stored (another worker finished it); keeping that one`);
        }
        await setStatus(job, { state: 'done', attempt });
        m.ack();
        counts.done++;
        line(`slot ${slot}: done ${job.name}`);
      } else if (code === 130 && stopping) {
        // this worker is stopping: give the run back at once
        m.nak();
        line(`slot ${slot}: gave back ${job.name}`);
      } else {
        counts.failed++;
        const message = `training failed on worker ${me} (exit ${code ?? signal}), attempt ${attempt}/${q.maxDeliver}`;
        await q.kv.put(logKey(job.sweep, job.name), packText(log)).catch(() => undefined);
        await setStatus(job, { state: last ? 'failed' : 'retry', attempt, message });
        if (last) m.term(); // no reason: nats-server 2.9 redelivers on '+TERM reason'
        else m.nak(500);
        line(`slot ${slot}: FAILED ${job.name} (${message})`);
      }
    } finally {
      clearInterval(beat);
      rmSync(dir, { recursive: true, force: true });
      rmSync(logPath, { force: true });
    }
  };

  const slotLoop = async (slot: number) => {
    while (!stopping && !nc.isClosed()) {
      let m: JsMsg | null = null;
      try {
        m = await consumer.next({ expires: 2000 });
      } catch {
        await sleep(500);
        continue;
      }
      if (!m) continue;
      if (stopping) {
        m.nak();
        break;
      }
      try {
        await handle(m, slot);
      } catch (err) {
        line(`slot ${slot}: error ${(err as Error).message}`);
        try {
          m.nak(500);
        } catch {
          // connection gone: the ack wait redelivers it
        }
      }
    }
  };
  const loops = Array.from({ length: o.concurrency }, (_, i) => slotLoop(i + 1));

  return {
    connection: nc,
    counts: () => ({ ...counts }),
    connected: () => connected,
    async close() {
      stopping = true;
      running.forEach((r) => r.kill());
      await Promise.all(loops);
      await pool.close();
      rmSync(scratch, { recursive: true, force: true });
      await closeNats(nc);
    },
  };
}
