/**
 * The sweep worker against hostile jobs, on a real nats-server with JetStream (loopback): the
 * reported path traversal (a job named /../../../<dir>/victim deleted that directory and its
 * .log) and an invalid job (`scheme: foo`, trained and failed three times) are refused at once,
 * logged with the reason, stored as the run's status and terminated; nothing outside the
 * worker's scratch directory is touched. In-process worker: a refused job never starts training.
 */
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connectNats } from '../src/runtime/nats.ts';
import { CONSUMER, ensureQueue, jobSubject, statusKey, STREAM, type JobStatus, type QueueHandles } from '../src/queue/protocol.ts';
import { startSweepWorker } from '../src/queue/worker.ts';
import { useTempDir } from './helpers/io.ts';
import { startNatsServer, type TestNatsServer } from './helpers/nats-server.ts';

const tempDir = useTempDir('queue-hardening-');
let server: TestNatsServer;
test.before(async () => {
  server = await startNatsServer({}, { jetstream: true });
});
test.after.always(async () => {
  await server?.stop();
});

/** The consumer holds nothing pending or unacknowledged (the job was terminated, not left for redelivery). */
async function settled(q: QueueHandles): Promise<boolean> {
  const c = await q.jsm.consumers.info(STREAM, CONSUMER);
  return c.num_pending === 0 && c.num_ack_pending === 0 && c.num_redelivered === 0;
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.serial('a job named /../../../<dir>/victim is refused at once: the victim directory and its .log survive, the job is terminated', async (t) => {
  const victim = join(tempDir(), 'x', 'victim');
  mkdirSync(victim, { recursive: true });
  writeFileSync(join(victim, 'keep.txt'), 'precious\n');
  writeFileSync(`${victim}.log`, 'precious log\n');
  const lines: string[] = [];
  const w = await startSweepWorker({ nats: { server: server.url }, concurrency: 1, ackWaitMs: 2000, onLine: (l) => lines.push(l) });
  const nc = await connectNats({ server: server.url });
  try {
    const q = await ensureQueue(nc, 2000);
    const name = `/../../../../../../../../..${victim}`;
    const job = { v: 1, sweep: 'straversal', name, submission: 'aa', backend: 'wasm', input: { scheme: 'baseline', seed: 1, limit: 64, epochs: 1 } };
    await jetstream(nc).publish(jobSubject('straversal', 'victim'), JSON.stringify(job));
    await until('the refusal', async () => lines.find((l) => l.startsWith('refused job')));
    t.regex(lines.find((l) => l.startsWith('refused job'))!, /run name .* is not a safe name/);
    // terminated, not redelivered: nothing pending or awaiting an ack
    await until('the job to be settled', async () => settled(q));
    t.true(existsSync(join(victim, 'keep.txt')));
    t.is(readFileSync(`${victim}.log`, 'utf8'), 'precious log\n');
    t.is(w.counts().taken, 0);
    t.is(w.counts().refused, 1);
  } finally {
    await nc.close();
    await w.close();
  }
});

test.serial('a job with scheme foo is refused on its first delivery with the catalogue\'s reason, stored as the run\'s failed status, never trained', async (t) => {
  const lines: string[] = [];
  const w = await startSweepWorker({ nats: { server: server.url }, concurrency: 1, ackWaitMs: 2000, onLine: (l) => lines.push(l) });
  const nc = await connectNats({ server: server.url });
  try {
    const q = await ensureQueue(nc, 2000);
    const job = { v: 1, sweep: 'sfoo', name: 'foo-tmax1-seed1', submission: 'bb', backend: 'wasm', input: { scheme: 'foo', tmax: 1, seed: 1 } };
    await jetstream(nc).publish(jobSubject('sfoo', job.name), JSON.stringify(job));
    const st = await until('the status', async () => {
      const e = await q.kv.get(statusKey('sfoo', job.name));
      return e?.operation === 'PUT' ? e.json<JobStatus>() : null;
    });
    t.is(st.state, 'failed');
    t.is(st.attempt, 1);
    // the submitter heeds only statuses of its own submission
    t.is(st.submission, 'bb');
    t.regex(st.message ?? '', /refused by worker .*--scheme/);
    t.regex(lines.join('\n'), /refused job foo-tmax1-seed1 \(sweep sfoo\): --scheme/);
    t.is(w.counts().taken, 0);
    await until('the job to be settled', async () => settled(q));
  } finally {
    await nc.close();
    await w.close();
  }
});

test.serial('a job naming a file on the worker (dataDir, trace-pool) is refused without --allow-dir', async (t) => {
  const lines: string[] = [];
  const w = await startSweepWorker({ nats: { server: server.url }, concurrency: 1, ackWaitMs: 2000, onLine: (l) => lines.push(l) });
  const nc = await connectNats({ server: server.url });
  try {
    await ensureQueue(nc, 2000);
    for (const [name, input] of [
      ['baseline-seed1', { scheme: 'baseline', seed: 1, dataDir: '/etc' }],
      ['ew-tmax1-seed1', { scheme: 'ew', seed: 1, tmax: 1, latency: 'trace-pool:/etc/passwd' }],
    ] as const) {
      await jetstream(nc).publish(jobSubject('sfiles', name), JSON.stringify({ v: 1, sweep: 'sfiles', name, backend: 'wasm', input }));
    }
    await until('both refusals', async () => lines.filter((l) => l.startsWith('refused job')).length === 2);
    t.regex(lines.join('\n'), /--data-dir names a file on this worker's machine \(\/etc\)/);
    t.regex(lines.join('\n'), /--latency names a file on this worker's machine \(\/etc\/passwd\)/);
    t.is(w.counts().taken, 0);
  } finally {
    await nc.close();
    await w.close();
  }
});
