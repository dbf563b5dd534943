/**
 * The `threads` runtime: the coded tasks run on a pool of worker threads in this process.
 * No server, nothing to install. Max payload: none imposed by the transport (messages are
 * transferred buffers); the NATS default (1 MB) is applied anyway so that a configuration that
 * runs here also runs on `nats`.
 */
import { Dispatcher, type Transport } from './dispatcher.ts';
import { ThreadPool } from './thread-pool.ts';
import { newRunTag } from './run-tag.ts';
import type { Runtime } from './runtime.ts';

/** NATS's default max_payload, applied to every runtime. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export interface ThreadsOptions {
  /** Worker threads (≥ 1). */
  threads: number;
  maxPayload?: number;
}

/** Starts the pool and returns the runtime once every thread is up. */
export async function startThreadsRuntime(opts: ThreadsOptions): Promise<Runtime> {
  const pool = new ThreadPool(opts.threads, 'dispatch');
  await pool.ready;
  const transport: Transport = {
    maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    send: (bytes, worker) => pool.submit(bytes, worker, '', true),
    cancel: (tag) => pool.cancel(tag),
    onReply: (handler) => pool.onReply((bytes) => handler(bytes)),
    close: () => pool.close(),
    workerStatus: async () => {
      const all = await pool.counters();
      return {
        pending: all.reduce((s, c) => s + c.pending, 0),
        cancelled: all.reduce((s, c) => s + c.counters.cancelled, 0),
        droppedHeld: all.reduce((s, c) => s + c.counters.droppedHeld, 0),
      };
    },
  };
  await warmUp(transport, opts.threads);
  return new Dispatcher('threads', transport, newRunTag());
}

/**
 * A few throw-away calls under their own run tag, so that the threads' first real tasks do not
 * pay for compiling the worker code (the first calls otherwise miss a 20 ms deadline entirely).
 */
export async function warmUp(transport: Transport, workers: number): Promise<void> {
  const warm = new Dispatcher('threads', transport, newRunTag());
  const U = 64;
  for (let step = 0; step < 5; step++) {
    const jobs = Array.from({ length: 4 * workers }, (_, worker) => ({
      worker,
      U,
      K: U,
      Q: U,
      wa: new Float32Array(U * U).fill(1),
      wb: new Float32Array(U * U).fill(1),
      delayMs: 0,
    }));
    await warm.call({ step, product: 0, jobs, deadlineMs: Infinity });
  }
}
