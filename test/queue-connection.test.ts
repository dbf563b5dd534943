/**
 * The sweep queue's worker and submitter when the server is missing, has no JetStream, or goes
 * away (issue 19): one line naming the flag and the cause, non-zero exit, no stack trace, no
 * hang, nothing left behind (no queue.json of a sweep never submitted); a stop signal while the
 * server is gone exits promptly; an interrupted submitter says its runs were left on the queue.
 */
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/util/nats-server-process.ts';
import { useTempDir } from './helpers/io.ts';
import { startNatsServer, type TestNatsServer } from './helpers/nats-server.ts';
import { hasStackTrace, linesOf, runCli, startCli } from './helpers/run-cli.ts';

const tempDir = useTempDir('queue-connection-');
const TINY = ['--schemes', 'baseline', '--seeds', '1', '--limit', '64', '--epochs', '1'];
let plain: TestNatsServer;
test.before(async () => {
  plain = await startNatsServer();
});
test.after.always(async () => {
  await plain?.stop();
});

const waitFor = async (f: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !f() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
};

test('worker --role sweep on a server without JetStream: one line "start nats-server with -js", exit 1', async (t) => {
  const r = await runCli('worker.ts', ['--role', 'sweep', '--server', plain.url], { timeoutMs: 30_000 });
  t.false(r.hung);
  t.is(r.code, 1);
  t.deepEqual(linesOf(r.stderr), [`error: --server: the NATS server at ${plain.url} has no JetStream: start nats-server with -js (\`nats-server -js -p ${plain.port}\`)`]);
});

test('fig6 --queue on a server without JetStream: one line naming --queue, exit 1, no queue.json left', async (t) => {
  const out = join(tempDir(), 'nojs');
  const r = await runCli('fig6.ts', ['--queue', plain.url, '--out', out, ...TINY], { timeoutMs: 30_000 });
  t.false(r.hung);
  t.is(r.code, 1);
  t.deepEqual(linesOf(r.stderr), [`error: --queue: the NATS server at ${plain.url} has no JetStream: start nats-server with -js (\`nats-server -js -p ${plain.port}\`)`]);
  t.false(existsSync(join(out, 'queue.json')));
});

test('fig6 --queue with nothing listening: one line naming --queue and suggesting -js, no stack, no queue.json', async (t) => {
  const port = await freePort();
  const out = join(tempDir(), 'none');
  const r = await runCli('fig6.ts', ['--queue', `nats://127.0.0.1:${port}`, '--out', out, ...TINY], { timeoutMs: 30_000 });
  t.is(r.code, 1);
  const lines = linesOf(r.stderr);
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], new RegExp(`^error: --queue: cannot connect to the NATS server at nats://127.0.0.1:${port} .*nats-server -js -p ${port}`));
  t.false(hasStackTrace(r.stderr + r.stdout));
  t.false(existsSync(join(out, 'queue.json')));
});

test('a corrupt OUT/queue.json is named in one line, no stack trace', async (t) => {
  const out = join(tempDir(), 'corrupt');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'queue.json'), '{"sweep": ');
  const r = await runCli('fig6.ts', ['--queue', plain.url, '--out', out, ...TINY], { timeoutMs: 30_000 });
  t.is(r.code, 1);
  const lines = linesOf(r.stderr);
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], /queue\.json is not valid JSON/);
  t.false(hasStackTrace(r.stderr));
});

test.serial('the server lost: the sweep worker says so; SIGTERM then exits promptly (1, one error line); the submitter says "left on the queue"', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  const out = join(tempDir(), 'lost');
  const worker = startCli('worker.ts', ['--role', 'sweep', '--server', server.url], { timeoutMs: 60_000, env: { UEP_SWEEP_TEST_HOLD_MS: '600000' } });
  const submitter = startCli('fig6.ts', ['--queue', server.url, '--out', out, ...TINY], { timeoutMs: 60_000 });
  try {
    await waitFor(() => worker.stdout().includes('slot 1: baseline-seed1'), 40_000);
    t.regex(worker.stdout(), /slot 1: baseline-seed1/);
    await server.stop();
    await waitFor(() => worker.stdout().includes('lost the NATS server') && submitter.stdout().includes('lost the NATS server'), 10_000);
    t.regex(worker.stdout(), /worker: lost the NATS server at nats:\/\/127\.0\.0\.1:\d+; reconnecting/);
    t.regex(submitter.stdout(), /queue: lost the NATS server at nats:\/\/127\.0\.0\.1:\d+; waiting for it/);
    const t0 = Date.now();
    worker.child.kill('SIGTERM');
    submitter.child.kill('SIGTERM');
    const [w, s] = await Promise.all([worker.result, submitter.result]);
    t.false(w.hung);
    t.true(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
    t.is(w.code, 1);
    t.deepEqual(linesOf(w.stderr), [`error: --server: stopped while the NATS server at ${server.url} was unreachable; its runs in progress go back to the queue after the ack wait`]);
    t.false(s.hung);
    t.is(s.code, 130);
    t.regex(s.stdout, /left on the queue: baseline-seed1/);
    t.notRegex(s.stdout, /FAILED/);
  } finally {
    worker.child.kill('SIGKILL');
    submitter.child.kill('SIGKILL');
    await server.stop();
  }
});

test.serial('a run whose job names a file on the worker is refused there and reported by the submitter at once, in one line without a stack', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  const dir = join(tempDir(), 'refused');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 't.csv'), 'step,product,worker,dispatched_ms,replied_ms,in_time,deadline_ms\n0,0,0,0,5,1,10\n0,0,1,0,7,1,10\n');
  writeFileSync(join(dir, 'g.json'), JSON.stringify({ schemes: ['ew'], tmax: [1], seeds: [1], options: { limit: 64, epochs: 1, latency: `trace-pool:${join(dir, 't.csv')}` } }));
  const worker = startCli('worker.ts', ['--role', 'sweep', '--server', server.url], { timeoutMs: 90_000 });
  try {
    const r = await runCli('sweep.ts', ['--queue', server.url, '--grid', join(dir, 'g.json'), '--out', join(dir, 'out')], { timeoutMs: 90_000 });
    t.false(r.hung);
    t.is(r.code, 1);
    t.deepEqual(linesOf(r.stderr).length, 1, r.stderr);
    t.regex(r.stderr, /1 run failed: ew-tmax1-seed1/);
    t.false(hasStackTrace(r.stderr));
    t.regex(readFileSync(join(dir, 'out', 'logs', 'ew-tmax1-seed1.log'), 'utf8'), /refused by worker .*--latency names a file on this worker's machine/);
  } finally {
    worker.child.kill('SIGTERM');
    await worker.result;
    await server.stop();
  }
});
