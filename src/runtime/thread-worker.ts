/**
 * Entry of a worker thread: a {@link TaskLoop} fed by the parent's messages (see thread-pool.ts
 * for the protocol). Replies go back to the parent with the opaque `replyTo` they came with.
 *
 * Test hook (environment): UEP_THREAD_TEST_CRASH=1 makes the thread throw on its first task, an
 * uncaught error that kills it (what the pool must detect and report: test/wire-hardening.test.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TaskLoop } from './task-loop.ts';
import type { FromThread, ThreadData, ToThread } from './thread-pool.ts';

const port = parentPort;
if (!port) throw new Error('thread-worker.ts must run in a worker thread');
const { holdFrom } = workerData as ThreadData;
const loop = new TaskLoop<string>(
  (bytes, replyTo) => {
    port.postMessage({ type: 'reply', bytes, replyTo } satisfies FromThread, [bytes.buffer as ArrayBuffer]);
  },
  { holdFrom },
);
const crashForTest = process.env.UEP_THREAD_TEST_CRASH === '1';
port.on('message', (m: ToThread) => {
  if (m.type === 'task' && crashForTest) setImmediate(() => {
    throw new Error('injected crash (UEP_THREAD_TEST_CRASH)');
  });
  if (m.type === 'task') loop.submit(m.bytes, m.replyTo);
  else if (m.type === 'cancel') loop.cancel(m);
  else if (m.type === 'counters') port.postMessage({ type: 'counters', counters: { ...loop.counters }, pending: loop.pending() } satisfies FromThread);
  else {
    loop.close();
    port.close();
  }
});
port.postMessage({ type: 'ready' } satisfies FromThread);
