/**
 * The sweep queue against a real nats-server with JetStream (one per test, loopback): fig6
 * --queue with worker processes (`worker --role sweep`), a worker killed mid-run, the submitter
 * killed and restarted, a poisoned run; and the same metrics.csv as a local sweep.
 * Tiny runs (--limit 320, 1 epoch) and a short ack wait (2 s).
 */
import test from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fig6 } from '../experiments/fig6.ts';
import { connectNats } from '../src/runtime/nats.ts';
import { canProvideBackend, ensureQueue, resultKey, statusKey, STREAM, unpackJson, type JobResult, type JobStatus, type QueueHandles } from '../src/queue/protocol.ts';
import { sink, useTempDir } from './helpers/io.ts';
import { startNatsServer, type TestNatsServer } from './helpers/nats-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tempDir = useTempDir('queue-');
const ACK = ['--ack-wait-ms', '2000'];
const TINY = ['--schemes', 'baseline,ew', '--tmax', '1', '--seeds', '1', '--limit', '320', '--epochs', '1', '--eval-every', '2', '--test-limit', '200'];

const children = new Set<ChildProcess>();
test.after.always(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<void>;
}

function start(script: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'experiments', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let text = '';
  child.stdout?.on('data', (d) => (text += String(d)));
  child.stderr?.on('data', (d) => (text += String(d)));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return { child, out: () => text, exited };
}

const startWorker = (server: TestNatsServer, env: Record<string, string> = {}) =>
  start('worker.ts', ['--role', 'sweep', '--server', server.url, ...ACK], env);

async function stop(p: Proc, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(sig);
  await p.exited;
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function withQueue<T>(server: TestNatsServer, f: (q: QueueHandles) => Promise<T>): Promise<T> {
  const nc = await connectNats({ server: server.url });
  try {
    return await f(await ensureQueue(nc, 2000));
  } finally {
    await nc.close();
  }
}

const sweepOf = (out: string) => (JSON.parse(readFileSync(join(out, 'queue.json'), 'utf8')) as { sweep: string }).sweep;

async function statusOf(q: QueueHandles, sweep: string, name: string): Promise<JobStatus | null> {
  const e = await q.kv.get(statusKey(sweep, name));
  return e?.operation === 'PUT' ? e.json<JobStatus>() : null;
}

async function resultOf(q: QueueHandles, sweep: string, name: string): Promise<JobResult> {
  const e = await q.kv.get(resultKey(sweep, name));
  if (!e || e.operation !== 'PUT') throw new Error(`no result for ${name}`);
  return unpackJson<JobResult>(e.value);
}

/** metrics.csv without its timing column (step_ms). */
function metricsSansTiming(dir: string): string {
  const rows = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const drop = rows[0].indexOf('step_ms');
  return rows.map((r) => r.filter((_, i) => i !== drop).join(',')).join('\n');
}

test.serial('happy path: two workers train a queued fig6 sweep; metrics.csv is byte-identical to a local sweep (step_ms aside)', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  const workers = [startWorker(server), startWorker(server)];
  try {
    const out = join(tempDir(), 'queued');
    const so = sink();
    const res = await fig6([...TINY, ...ACK, '--queue', server.url, '--out', out], { stdout: so, handleSignals: false });
    t.log(so.text());
    t.deepEqual(res.outcome.ran.map((r) => r.name).sort(), ['baseline-seed1', 'ew-tmax1-seed1']);
    t.regex(so.text(), /queue s[0-9a-f]+: 2\/2 done, 0 running, 0 queued/);
    for (const f of ['fig6.png', 'summary.csv', 'logs/ew-tmax1-seed1.log', 'runs/ew-tmax1-seed1/config.json']) t.true(existsSync(join(out, f)), f);
    t.regex(readFileSync(join(out, 'logs', 'ew-tmax1-seed1.log'), 'utf8'), /trained by worker .*attempt 1[\s\S]*final test accuracy/);

    const local = join(tempDir(), 'local');
    await fig6([...TINY, '--jobs', '1', '--out', local], { stdout: sink(), handleSignals: false });
    for (const r of ['baseline-seed1', 'ew-tmax1-seed1']) {
      t.is(metricsSansTiming(join(out, 'runs', r)), metricsSansTiming(join(local, 'runs', r)), r);
    }
    // resumed: nothing is published again
    const again = await fig6([...TINY, ...ACK, '--queue', server.url, '--out', out], { stdout: sink(), handleSignals: false });
    t.is(again.outcome.skipped.length, 2);
    t.is(await withQueue(server, async (q) => (await q.jsm.streams.info(STREAM)).state.last_seq), 2);
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
    t.log(workers.map((w) => w.out()).join('\n'));
    await server.stop();
  }
});

test.serial('a worker killed mid-run: its run is redelivered after the ack wait and finished by another worker', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  const a = startWorker(server, { UEP_SWEEP_TEST_HOLD_MS: '60000' });
  let b: Proc | undefined;
  try {
    const out = join(tempDir(), 'killed');
    const so = sink();
    const args = ['--schemes', 'ew', '--tmax', '1', '--seeds', '1', '--limit', '320', '--epochs', '1', '--test-limit', '200', ...ACK, '--queue', server.url, '--out', out];
    const sweeping = fig6(args, { stdout: so, handleSignals: false });
    const first = await withQueue(server, (q) => until('a running status', async () => existsSync(join(out, 'queue.json')) && statusOf(q, sweepOf(out), 'ew-tmax1-seed1')));
    t.is(first.state, 'running');
    t.is(first.attempt, 1);
    await stop(a, 'SIGKILL');
    b = startWorker(server);
    const res = await sweeping;
    t.log(so.text());
    t.deepEqual(res.outcome.ran.map((r) => r.name), ['ew-tmax1-seed1']);
    const r = await withQueue(server, (q) => resultOf(q, sweepOf(out), 'ew-tmax1-seed1'));
    t.is(r.attempt, 2);
    t.not(r.worker, first.worker);
  } finally {
    await stop(a, 'SIGKILL');
    if (b) await stop(b);
    t.log(b?.out());
    await server.stop();
  }
});

test.serial('the submitter killed and restarted reattaches: nothing resubmitted; heartbeats keep a long run from being redelivered', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  // every run is held 5 s (> the 2 s ack wait): only the heartbeats keep it from redelivery
  const w = startWorker(server, { UEP_SWEEP_TEST_HOLD_MS: '5000' });
  try {
    const out = join(tempDir(), 'restarted');
    const args = [...TINY, ...ACK, '--queue', server.url, '--out', out];
    const first = start('fig6.ts', args);
    await withQueue(server, (q) => until('a running status', async () => existsSync(join(out, 'queue.json')) && statusOf(q, sweepOf(out), 'baseline-seed1')));
    await stop(first, 'SIGKILL');
    t.log(first.out());
    const so = sink();
    const res = await fig6(args, { stdout: so, handleSignals: false });
    t.log(so.text());
    t.regex(so.text(), /reattaching to sweep/);
    t.is(res.outcome.ran.length, 2);
    await withQueue(server, async (q) => {
      t.is((await q.jsm.streams.info(STREAM)).state.last_seq, 2, 'each run published once');
      for (const name of ['baseline-seed1', 'ew-tmax1-seed1']) t.is((await resultOf(q, sweepOf(out), name)).attempt, 1, name);
    });
  } finally {
    await stop(w);
    t.log(w.out());
    await server.stop();
  }
});

test.serial('a poisoned run fails max_deliver (3) times: reported with its last log, the sweep ends with an error naming it', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  const w = startWorker(server, { UEP_SWEEP_TEST_FAIL: 'ew-tmax1-seed1' });
  try {
    const out = join(tempDir(), 'poisoned');
    const so = sink();
    const err = await t.throwsAsync(fig6([...TINY, ...ACK, '--queue', server.url, '--out', out], { stdout: so, handleSignals: false }));
    t.log(so.text());
    t.regex(err?.message ?? '', /1 run failed: ew-tmax1-seed1/);
    t.regex(so.text(), /FAILED ew-tmax1-seed1/);
    t.regex(so.text(), /injected failure .*attempt 3/);
    t.true(existsSync(join(out, 'runs', 'baseline-seed1', 'metrics.csv')));
    t.false(existsSync(join(out, 'runs', 'ew-tmax1-seed1')));
    const st = await withQueue(server, (q) => statusOf(q, sweepOf(out), 'ew-tmax1-seed1'));
    t.like(st, { state: 'failed', attempt: 3, maxDeliver: 3 });
  } finally {
    await stop(w);
    t.log(w.out());
    await server.stop();
  }
});

test.serial('a worker that cannot load the job\'s backend refuses it (never runs it on another backend)', async (t) => {
  if (await canProvideBackend('node')) {
    t.pass('tfjs-node loads here: no backend to refuse');
    return;
  }
  const server = await startNatsServer({}, { jetstream: true });
  const w = startWorker(server);
  try {
    const out = join(tempDir(), 'refused');
    const so = sink();
    const args = ['--schemes', 'baseline', '--seeds', '1', '--limit', '320', '--epochs', '1', '--test-limit', '200', '--backend', 'node', ...ACK, '--queue', server.url, '--out', out];
    const err = await t.throwsAsync(fig6(args, { stdout: so, handleSignals: false }));
    t.log(so.text());
    t.regex(err?.message ?? '', /baseline-seed1/);
    t.regex(so.text(), /backend node cannot be loaded on worker/);
    t.regex(w.out(), /refused baseline-seed1/);
  } finally {
    await stop(w);
    await server.stop();
  }
});

test.serial('a job whose worker went silent on its last delivery is reported failed; the next submission publishes it again and it finishes', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  let w: Proc | undefined;
  try {
    const out = join(tempDir(), 'silent');
    const args = ['--schemes', 'baseline', '--seeds', '1', '--limit', '320', '--epochs', '1', '--test-limit', '200', ...ACK, '--queue', server.url, '--out', out];
    const so = sink();
    const sweeping = t.throwsAsync(fig6(args, { stdout: so, handleSignals: false }));
    // no worker: pretend one took the job for the 3rd time and died (JetStream will not redeliver it);
    // the queue is opened here only once the submitter has opened it (queue.json)
    await until('queue.json', async () => existsSync(join(out, 'queue.json')));
    await withQueue(server, async (q) => {
      const job = await until('the job', async () => {
        if (!existsSync(join(out, 'queue.json'))) return null;
        return q.jsm.streams.getMessage(STREAM, { last_by_subj: `uep.sweep.job.${sweepOf(out)}.baseline-seed1` }).catch(() => null);
      });
      const submission = job.json<{ submission: string }>().submission;
      await q.kv.put(statusKey(sweepOf(out), 'baseline-seed1'), JSON.stringify({ state: 'running', worker: 'ghost:1', attempt: 3, maxDeliver: 3, submission }));
    });
    const err = await sweeping;
    t.log(so.text());
    t.regex(err?.message ?? '', /baseline-seed1/);
    t.regex(so.text(), /worker ghost:1 went silent on the last delivery/);

    w = startWorker(server);
    const so2 = sink();
    const res = await fig6(args, { stdout: so2, handleSignals: false });
    t.log(so2.text());
    t.regex(so2.text(), /baseline-seed1 had failed .*submitting it again/);
    t.is(res.outcome.ran.length, 1);
    t.is(await withQueue(server, async (q) => (await q.jsm.streams.info(STREAM)).state.messages), 0, 'the stale job was removed');
  } finally {
    if (w) await stop(w);
    await server.stop();
  }
});

test.serial('results are create-only: a second worker\'s result for the same run is rejected, the first kept', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  try {
    await withQueue(server, async (q) => {
      const key = resultKey('s0', 'ew-tmax0.5-seed1');
      await q.kv.create(key, new TextEncoder().encode('first'));
      await t.throwsAsync(q.kv.create(key, new TextEncoder().encode('second')));
      t.is((await q.kv.get(key))?.string(), 'first');
    });
  } finally {
    await server.stop();
  }
});
