/**
 * The submitting side of a queued sweep (`fig6 --queue URL`, `sweep --queue URL`): a
 * {@link Launcher} for runSweep that, instead of training, publishes the run as a durable job on
 * the JetStream work queue (src/queue/protocol.ts) and resolves when a worker's result is in the
 * KV bucket — downloaded into the run directory with the local protocol (temporary directory,
 * then rename), its log into the sweep's logs/ — or when the run has failed `max_deliver` times
 * (its last log in logs/, exit code 1). So resume, option checks, events and the figure are the
 * local sweep's, unchanged.
 *
 * The sweep's id is kept in `<out>/queue.json`: a restarted submitter reattaches to the same
 * jobs. A run is published only when it has no result and no job in the stream (queued or
 * running); a run that had failed for good is published again (a fresh 3 deliveries).
 * Interrupting the submitter (kill) leaves the jobs to the workers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { KvEntry } from '@nats-io/kv';
import { closeNats, type NatsConnectOptions } from '../runtime/nats.ts';
import type { Launcher, LaunchOutcome, PlannedRun } from '../training/launcher.ts';
import { partialDirOf, putInPlace } from '../training/run-dir.ts';
import { parseRunStatus, sweepStatusPath, writeStatusFile } from '../training/run-status.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/user-error.ts';
import {
  jobSubject, logKey, openQueue, pinBackend, resultKey, statusKey, STREAM, token, unpackJson, unpackText,
  type JobResult, type JobStatus, type SweepJob,
} from './protocol.ts';

export interface QueueSubmitOptions {
  nats: NatsConnectOptions;
  /** Ack wait when this process creates the consumer. */
  ackWaitMs?: number;
  /** Progress lines (done / running / queued, ETA) and notes. */
  onLine?: (line: string) => void;
  /** Least time between two progress lines (default 5000 ms; one also comes every 60 s). */
  progressEveryMs?: number;
}

export interface QueuedSweep {
  sweep: string;
  /** True when `<out>/queue.json` named an earlier submission of this sweep. */
  reattached: boolean;
  launch: Launcher;
  /** Runs published by this process, and runs found already queued or running. */
  counts(): { published: number; attached: number; downloaded: number; failed: number };
  close(): Promise<void>;
}

interface Waiter {
  run: PlannedRun;
  /** Only statuses of this submission count (a resubmitted run's old failure does not). */
  submission: string | null;
  status?: JobStatus;
  /** Where a heartbeat's run status goes: `<run dir>.status.json` (src/training/run-status.ts). */
  statusPath: string;
  seenAt: number;
  settle: (what: 'result' | 'failed') => void;
}

/** A run's options as a job carries them: JSON has no Infinity, so ∞ goes as the catalogue's text 'inf'. */
export function jobInput(given: Record<string, unknown>): SweepJob['input'] {
  return Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v === Infinity ? 'inf' : v])) as SweepJob['input'];
}

/**
 * The sweep id in `<out>/queue.json`, or a new one (written by {@link recordSweepId} only once the
 * queue is open, so a failed connection leaves nothing behind). A corrupt file is a UserError naming it.
 */
export function sweepIdOf(out: string): { sweep: string; reattached: boolean } {
  const path = join(out, 'queue.json');
  if (existsSync(path)) {
    let q: { sweep?: unknown };
    try {
      q = JSON.parse(readFileSync(path, 'utf8')) as { sweep?: unknown };
    } catch (err) {
      throw new UserError(`${path} is not valid JSON (${(err as Error).message}); remove it to start a new queued sweep`);
    }
    if (typeof q?.sweep !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(q.sweep)) throw new UserError(`${path} has no valid "sweep" id; remove it to start a new queued sweep`);
    return { sweep: q.sweep, reattached: true };
  }
  return { sweep: `s${randomBytes(6).toString('hex')}`, reattached: false };
}

/** Writes `<out>/queue.json` for a new sweep. */
export function recordSweepId(out: string, sweep: string, server: string): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'queue.json'), JSON.stringify({ sweep, server, created: new Date().toISOString() }, null, 2) + '\n');
}

export async function openQueuedSweep(out: string, o: QueueSubmitOptions): Promise<QueuedSweep> {
  const { sweep, reattached } = sweepIdOf(out);
  const { nc, q } = await openQueue({ ...o.nats, name: o.nats.name ?? `uep-sweep-submit-${sweep}` }, 'queue', o.ackWaitMs);
  if (!reattached) recordSweepId(out, sweep, o.nats.server);
  const js = jetstream(nc);
  const line = o.onLine ?? (() => {});
  const counts = { published: 0, attached: 0, downloaded: 0, failed: 0 };
  const waiters = new Map<string, Waiter>(); // by status key
  const t0 = performance.now();
  let launched = 0;

  // a lost server is loud: one line when it goes, one when it is back
  let connected = true;
  void (async () => {
    for await (const st of nc.status()) {
      if (st.type === 'disconnect' && connected) {
        connected = false;
        line(`queue: lost the NATS server at ${o.nats.server}; waiting for it (the runs stay on its queue; Ctrl-C stops waiting)`);
      } else if (st.type === 'reconnect' && !connected) {
        connected = true;
        line(`queue: reconnected to ${o.nats.server}`);
      }
    }
  })().catch(() => undefined);

  // One watch over the sweep's keys feeds every waiter.
  const watch = await q.kv.watch({ key: `${sweep}.>` });
  const onEntry = (e: KvEntry) => {
    const isResult = e.key.endsWith('.result');
    const sk = isResult ? e.key.slice(0, -'.result'.length) + '.status' : e.key;
    const w = waiters.get(sk);
    if (!w) return;
    if (isResult) {
      if (e.operation === 'PUT') w.settle('result');
      return;
    }
    if (!e.key.endsWith('.status')) return;
    if (e.operation !== 'PUT') {
      w.status = undefined;
      return;
    }
    const st = e.json<JobStatus>();
    if (w.submission !== null && st.submission !== w.submission) return;
    w.status = st;
    w.seenAt = performance.now();
    // from the network: written only when it is a valid status record
    const progress = st.state === 'running' ? parseRunStatus(st.progress) : null;
    if (progress) void writeStatusFile(w.statusPath, progress).catch(() => undefined);
    if (st.state === 'failed') w.settle('failed');
  };
  void (async () => {
    for await (const e of watch) onEntry(e);
  })().catch(() => undefined);

  // A job on its last delivery whose worker went silent (killed): JetStream will not redeliver it.
  const staleMs = 2 * q.ackWaitMs + 2000;
  const staleTimer = setInterval(() => {
    for (const [key, w] of waiters) {
      const st = w.status;
      if (!st || st.state === 'failed' || st.state === 'done' || st.attempt < q.maxDeliver) continue;
      if (performance.now() - w.seenAt < staleMs) continue;
      const failed = { ...st, state: 'failed' as const, message: `its worker ${st.worker} went silent on the last delivery (${st.attempt}/${q.maxDeliver})` };
      void q.kv.put(key, JSON.stringify(failed)).catch(() => undefined);
      w.status = failed;
      w.settle('failed');
    }
  }, 1000);

  // Progress: done / running / queued of the runs launched here, with an ETA from the throughput.
  let lastLine = '';
  let lastAt = 0;
  const progress = (force = false) => {
    let running = 0;
    // 'done' but not yet downloaded counts as running, not as queued
    for (const w of waiters.values()) if (w.status && w.status.state !== 'failed') running++;
    const done = counts.downloaded + counts.failed;
    const queued = launched - done - running;
    const s = (performance.now() - t0) / 1000;
    const eta = counts.downloaded > 0 && waiters.size > 0 ? `, ETA ${Math.ceil(((launched - done) * s) / counts.downloaded)} s` : '';
    const text = `queue ${sweep}: ${done}/${launched} done${counts.failed ? ` (${counts.failed} failed)` : ''}, ${running} running, ${Math.max(0, queued)} queued${eta}`;
    const now = performance.now();
    // the final line (force) is printed unless it was the last one printed
    if ((force && text !== lastLine) || (text !== lastLine && now - lastAt >= (o.progressEveryMs ?? 5000)) || now - lastAt >= 60_000) {
      line(text);
      lastLine = text;
      lastAt = now;
    }
  };
  const progressTimer = setInterval(() => progress(), 1000);

  const lastJob = async (run: PlannedRun): Promise<{ seq: number; job: SweepJob } | null> => {
    try {
      const m = await q.jsm.streams.getMessage(STREAM, { last_by_subj: jobSubject(sweep, run.name) });
      return m ? { seq: m.seq, job: m.json<SweepJob>() } : null;
    } catch {
      return null;
    }
  };

  const download = async (run: PlannedRun, dir: string, logPath: string): Promise<LaunchOutcome> => {
    const e = await q.kv.get(resultKey(sweep, run.name));
    if (!e || e.operation !== 'PUT') throw new Error(`queue: the result of ${run.name} vanished`);
    const r = unpackJson<JobResult>(e.value);
    const tmp = partialDirOf(dir);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const [f, text] of Object.entries(r.files)) {
      if (f.includes('/') || f.includes('\\') || f.startsWith('.')) continue;
      // config.json last: a directory is complete once it is there
      if (f !== 'config.json') writeFileSync(join(tmp, f), text);
    }
    if (r.files['config.json'] !== undefined) writeFileSync(join(tmp, 'config.json'), r.files['config.json']);
    await putInPlace(tmp, dir);
    await writeFileAtomic(logPath, `queue: trained by worker ${r.worker} (attempt ${r.attempt})\n${r.log}`);
    counts.downloaded++;
    return { code: 0, signal: null };
  };

  const launch: Launcher = (run, dir, logPath) => {
    let cancel: () => void = () => {};
    const cancelled = new Promise<'cancelled'>((res) => (cancel = () => res('cancelled')));
    launched++;
    const done = (async (): Promise<LaunchOutcome> => {
      const sk = statusKey(sweep, run.name);
      const existing = await q.kv.get(resultKey(sweep, run.name));
      if (existing?.operation === 'PUT') return download(run, dir, logPath);
      const status = (await q.kv.get(sk)) ?? null;
      const st = status?.operation === 'PUT' ? status.json<JobStatus>() : null;
      const queuedJob = await lastJob(run);
      let submission: string;
      if (queuedJob && st?.state !== 'failed') {
        submission = queuedJob.job.submission ?? '';
        counts.attached++;
      } else {
        if (queuedJob) await q.jsm.streams.deleteMessage(STREAM, queuedJob.seq).catch(() => false);
        if (st) {
          line(`queue: ${run.name} had failed (${st.message ?? st.state}): submitting it again`);
          await q.kv.delete(sk).catch(() => undefined);
        }
        submission = randomBytes(4).toString('hex');
        const job: SweepJob = {
          v: 1, sweep, name: run.name, submission,
          input: jobInput({ ...run.given, backend: pinBackend(String(run.resolved.backend)) }),
          backend: pinBackend(String(run.resolved.backend)),
        };
        await js.publish(jobSubject(sweep, run.name), JSON.stringify(job), { msgID: `${sweep}.${token(run.name)}.${submission}` });
        counts.published++;
      }
      const ended = new Promise<'result' | 'failed'>((settle) => {
        const w: Waiter = { run, submission: submission || null, statusPath: sweepStatusPath(dir), seenAt: performance.now(), settle };
        if (st && st.state !== 'failed' && (w.submission === null || st.submission === w.submission)) w.status = st;
        waiters.set(sk, w);
      });
      // a result or failure stored between the checks above and the watch's waiter
      const again = await q.kv.get(resultKey(sweep, run.name));
      const how = again?.operation === 'PUT' ? 'result' : await Promise.race([ended, cancelled]);
      const w = waiters.get(sk);
      waiters.delete(sk);
      if (how === 'cancelled') {
        writeFileSync(logPath, `queue: the submitter was interrupted; ${run.name} stays on the queue (run the same command again to reattach)\n`);
        return { code: 130, signal: 'SIGINT', leftOnQueue: true };
      }
      if (how === 'result') return download(run, dir, logPath);
      const le = await q.kv.get(logKey(sweep, run.name));
      const log = le?.operation === 'PUT' ? unpackText(le.value) : '';
      await writeFileAtomic(logPath, `queue: ${run.name} FAILED: ${w?.status?.message ?? 'failed'}\n${log}`);
      counts.failed++;
      return { code: 1, signal: null };
    })();
    done.finally(() => progress()).catch(() => undefined);
    return { done: done.catch((err: Error) => {
      writeFileSync(logPath, `queue: ${err.message}\n`);
      return { code: 1, signal: null };
    }), kill: () => cancel() };
  };

  if (reattached) line(`queue: reattaching to sweep ${sweep} (${join(out, 'queue.json')})`);
  else line(`queue: sweep ${sweep} on ${o.nats.server} (ack wait ${q.ackWaitMs / 1000} s, max deliveries ${q.maxDeliver})`);

  return {
    sweep,
    reattached,
    launch,
    counts: () => ({ ...counts }),
    async close() {
      clearInterval(staleTimer);
      clearInterval(progressTimer);
      if (launched > 0) progress(true);
      watch.stop();
      await closeNats(nc);
    },
  };
}
