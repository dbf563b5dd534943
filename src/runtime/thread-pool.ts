/**
 * A fixed pool of worker threads, each running a {@link TaskLoop}, started once and kept (never
 * per call). Logical worker w is pinned to thread w mod n: tasks are interchangeable, and with
 * injected delays a thread holds many replies at once on timers. Used by the `threads` runtime
 * and by a NATS worker process (`--concurrency n`).
 */
import { Worker } from 'node:worker_threads';
import type { TaskLoopCounters } from './task-loop.ts';

/** Parent → thread. */
export type ToThread =
  | { type: 'task'; bytes: Uint8Array; replyTo: string }
  | { type: 'cancel'; run: number; step: number; product: number }
  | { type: 'counters' }
  | { type: 'close' };

/** Thread → parent. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'reply'; bytes: Uint8Array; replyTo: string }
  | { type: 'counters'; counters: TaskLoopCounters; pending: number };

/** What every thread is started with. */
export interface ThreadData {
  /** See TaskLoopOptions.holdFrom. */
  holdFrom: 'dispatch' | 'receipt';
}

/** Worker threads do not inherit tsx's module hooks: register tsx's ESM loader, then import. */
function bootstrap(): string {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./thread-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
}

export class ThreadPool {
  private readonly threads: Worker[];
  private onReplyHandler: (bytes: Uint8Array, replyTo: string) => void = () => {};
  private onDeathHandler: ((thread: number, why: string) => void) | null = null;
  private closing = false;
  /** Why a thread died (set once; a pool with a dead thread answers none of that thread's tasks). */
  dead: string | null = null;
  private readonly waiting: ((c: { counters: TaskLoopCounters; pending: number }) => void)[][];
  /** Resolves once every thread has started. */
  readonly ready: Promise<void>;

  /** @param holdFrom 'dispatch' when the server is this process (same clock), else 'receipt' */
  constructor(
    readonly size: number,
    holdFrom: ThreadData['holdFrom'],
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`threads: must be an integer ≥ 1, got ${String(size)}`);
    const workerData: ThreadData = { holdFrom };
    this.threads = Array.from({ length: size }, () => new Worker(bootstrap(), { eval: true, workerData }));
    this.waiting = this.threads.map(() => []);
    this.ready = Promise.all(
      this.threads.map(
        (t, i) =>
          new Promise<void>((resolve, reject) => {
            t.once('error', (err) => {
              reject(err);
              this.died(i, `error: ${err.message}`);
            });
            t.once('exit', (code) => this.died(i, `exited with code ${code}`));
            t.on('message', (m: FromThread) => {
              if (m.type === 'ready') resolve();
              else if (m.type === 'reply') this.onReplyHandler(m.bytes, m.replyTo);
              else this.waiting[i].shift()?.(m);
            });
          }),
      ),
    ).then(() => undefined);
  }

  private died(thread: number, why: string): void {
    if (this.closing || this.dead !== null) return;
    this.dead = `compute thread ${thread + 1} of ${this.size} died (${why})`;
    this.onDeathHandler?.(thread, this.dead);
  }

  /**
   * Sets the handler called once when a thread dies other than by close(): its tasks would go
   * unanswered for ever, so the owner should stop (a worker process exits non-zero and its
   * supervisor restarts it) rather than go on taking its share of tasks.
   */
  onDeath(handler: (thread: number, why: string) => void): void {
    this.onDeathHandler = handler;
    if (this.dead !== null) handler(-1, this.dead);
  }

  /** Sets the handler of every reply (bytes and the `replyTo` its task came with). */
  onReply(handler: (bytes: Uint8Array, replyTo: string) => void): void {
    this.onReplyHandler = handler;
  }

  /**
   * Sends a task to the thread of logical worker `worker`. With `owned` (the caller made the
   * bytes and will not touch them again) their buffer is transferred; otherwise they are copied
   * (a message from a client library may be a view into its read buffer: transferring that
   * buffer would detach it under the library).
   */
  submit(bytes: Uint8Array, worker: number, replyTo = '', owned = false): void {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    // new Uint8Array(x) copies even for a Node Buffer (whose slice() is a view)
    const own = owned && whole ? bytes : new Uint8Array(bytes);
    this.threads[worker % this.size].postMessage({ type: 'task', bytes: own, replyTo } satisfies ToThread, [own.buffer as ArrayBuffer]);
  }

  /** Tells every thread that a call is over. */
  cancel(tag: { run: number; step: number; product: number }): void {
    for (const t of this.threads) t.postMessage({ type: 'cancel', run: tag.run, step: tag.step, product: tag.product } satisfies ToThread);
  }

  /** Every thread's counters and the number of tasks it has queued or held. */
  async counters(): Promise<{ counters: TaskLoopCounters; pending: number }[]> {
    return Promise.all(
      this.threads.map(
        (t, i) =>
          new Promise<{ counters: TaskLoopCounters; pending: number }>((resolve) => {
            this.waiting[i].push(resolve);
            t.postMessage({ type: 'counters' } satisfies ToThread);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}
