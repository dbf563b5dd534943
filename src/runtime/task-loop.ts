/**
 * The worker side of every real runtime (a worker thread, or a NATS worker process): a queue of
 * received tasks, computed one at a time, each reply held until dispatch (or receipt) + the
 * task's injected delay (a timer, not a busy wait, so one worker serves many logical workers at once).
 *
 * Cancellation: a task not started by its deadline (the server's wall clock, sent with the
 * task) or whose call was cancelled (`cancel(run, step, product)`, sent by the server at the
 * deadline) is skipped. A held reply of a cancelled call is dropped (it would be late anyway),
 * and a reply is never held past the deadline + `holdGraceMs`: nothing piles up across steps.
 * Tasks that are running when the deadline passes finish; the server drops their replies by tag.
 */
import { multiplyTask } from './compute.ts';
import { decodeTask, encodeReply, MAX_DELAY_MS, type TaskTag, WireError } from './wire.ts';

/** Counters of a worker since it started. */
export interface TaskLoopCounters {
  received: number;
  replied: number;
  /** Skipped before starting (deadline passed or call cancelled). */
  cancelled: number;
  /** Computed but not sent: the call was cancelled while the reply was held. */
  droppedHeld: number;
  /** Tasks that were not well-formed messages. */
  malformed: number;
}

/** Options of a {@link TaskLoop}. */
export interface TaskLoopOptions {
  /** A held reply is dropped when its release would come this long after the deadline (default 1000 ms). */
  holdGraceMs?: number;
  /**
   * What the injected delay counts from: 'dispatch' — the server's clock at dispatch, sent with the
   * task (only where server and worker share one clock: threads of one process); 'receipt'
   * (default) — this worker's clock when the task arrived, never earlier than dispatch.
   */
  holdFrom?: 'dispatch' | 'receipt';
  /** Wall clock in ms since the epoch (default: performance.timeOrigin + performance.now(), sub-ms). */
  now?: () => number;
}

interface Queued<R> {
  bytes: Uint8Array;
  replyTo: R;
  receivedAt: number;
}

function callKey(t: { run: number; step: number; product: number }): string {
  return `${t.run}/${t.step}/${t.product}`;
}

const REMEMBERED_CANCELS = 4096;

/** A worker's task queue; `send(reply, replyTo)` delivers a reply through the transport. */
export class TaskLoop<R = void> {
  readonly counters: TaskLoopCounters = { received: 0, replied: 0, cancelled: 0, droppedHeld: 0, malformed: 0 };
  private readonly queue: Queued<R>[] = [];
  private readonly cancelled = new Set<string>();
  /** Held replies by call key. */
  private readonly held = new Map<string, Set<ReturnType<typeof setTimeout>>>();
  private scheduled = false;
  private closed = false;
  private readonly holdGraceMs: number;
  private readonly holdFrom: 'dispatch' | 'receipt';
  private readonly now: () => number;

  constructor(
    private readonly send: (reply: Uint8Array, replyTo: R) => void,
    opts: TaskLoopOptions = {},
  ) {
    this.holdGraceMs = opts.holdGraceMs ?? 1000;
    this.holdFrom = opts.holdFrom ?? 'receipt';
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now());
  }

  /** Queues a task message (bytes as received). */
  submit(bytes: Uint8Array, replyTo: R): void {
    if (this.closed) return;
    this.counters.received++;
    this.queue.push({ bytes, replyTo, receivedAt: this.now() });
    this.schedule();
  }

  /** Cancels a call: its queued tasks are skipped and its held replies dropped. */
  cancel(tag: Pick<TaskTag, 'run' | 'step' | 'product'>): void {
    const key = callKey(tag);
    this.cancelled.add(key);
    if (this.cancelled.size > REMEMBERED_CANCELS) this.cancelled.delete(this.cancelled.values().next().value as string);
    const timers = this.held.get(key);
    if (timers) {
      for (const t of timers) clearTimeout(t);
      this.counters.droppedHeld += timers.size;
      this.held.delete(key);
    }
  }

  /** Number of tasks queued or replies held. */
  pending(): number {
    let n = this.queue.length;
    for (const s of this.held.values()) n += s.size;
    return n;
  }

  /** Drops everything queued or held; later submits are ignored. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const timers of this.held.values()) for (const t of timers) clearTimeout(t);
    this.held.clear();
  }

  /** One task per macrotask turn, so cancel messages are seen between tasks. */
  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const item = this.queue.shift();
      if (item) this.runOne(item);
      this.schedule();
    });
  }

  private runOne(item: Queued<R>): void {
    let task;
    try {
      task = decodeTask(item.bytes);
    } catch (err) {
      if (err instanceof WireError) {
        this.counters.malformed++;
        return;
      }
      throw err;
    }
    const key = callKey(task.tag);
    if (this.cancelled.has(key) || this.now() >= task.deadlineEpochMs) {
      this.counters.cancelled++;
      return;
    }
    const t0 = performance.now();
    const product = multiplyTask(task.wa, task.wb, task.U, task.K, task.Q);
    const reply = encodeReply({ tag: task.tag, U: task.U, Q: task.Q, product, computeMs: performance.now() - t0 });
    const release = (this.holdFrom === 'dispatch' ? task.sentEpochMs : item.receivedAt) + task.delayMs;
    const wait = release - this.now();
    if (wait <= 0) {
      this.deliver(reply, item.replyTo);
      return;
    }
    // beyond Node's longest timer (a dispatch clock far ahead of this one): it would fire at once and re-arm for ever
    if (release > task.deadlineEpochMs + this.holdGraceMs || wait > MAX_DELAY_MS) {
      this.counters.droppedHeld++;
      return;
    }
    let timers = this.held.get(key);
    if (!timers) this.held.set(key, (timers = new Set()));
    const set = timers;
    // Node schedules a timer from the event loop's cached time, which lags while a task computes:
    // a timer can fire early, so it re-arms until the release time has really passed.
    const arm = (ms: number) => {
      const timer = setTimeout(() => {
        set.delete(timer);
        const left = release - this.now();
        if (left > 0) return arm(left);
        if (set.size === 0) this.held.delete(key);
        this.deliver(reply, item.replyTo);
      }, ms);
      set.add(timer);
    };
    arm(wait);
  }

  private deliver(reply: Uint8Array, replyTo: R): void {
    if (this.closed) return;
    this.counters.replied++;
    this.send(reply, replyTo);
  }
}
