/**
 * The server side shared by the real runtimes: tags, dispatch, the wall-clock deadline, and the
 * checks every reply passes before it may be decoded. A transport only moves bytes.
 *
 * A call is open from dispatch until its deadline (or until every reply came). Then it is closed:
 * workers are told to cancel its tasks, and any reply for it later is counted as late and dropped,
 * never decoded into another call. Replies of the wrong shape, with non-finite values, larger than
 * any open call expects, duplicated, or for a run or call that never existed are rejected and
 * counted. Nothing of a closed call is kept but its key (a bounded set).
 */
import type { Arrival, CallOutcome, CallSpec, Runtime, RuntimeCounters, TraceRow, WorkerStatus } from './runtime.ts';
import { emptyRejects } from './runtime.ts';
import { decodeReply, encodeTask, MAX_DELAY_MS, replyBytes, type TaskTag, taskBytes, WireError } from './wire.ts';

/** Moves bytes between the server and the workers. */
export interface Transport {
  /** Largest message the transport accepts (bytes). */
  readonly maxPayload: number;
  /** Sends a task message for logical worker `worker`. */
  send(bytes: Uint8Array, worker: number): void;
  /** Tells every worker that the call is over. */
  cancel(tag: Pick<TaskTag, 'run' | 'step' | 'product'>): void;
  /** Sets the handler of every reply message that reaches the server. */
  onReply(handler: (bytes: Uint8Array) => void): void;
  /** Worker-side counters, where the transport can see the workers. */
  workerStatus?(): Promise<WorkerStatus>;
  close(): Promise<void>;
}

interface OpenCall {
  spec: CallSpec;
  start: number;
  deadline: number;
  got: Uint8Array;
  arrived: Arrival[];
  pending: number;
  finish: () => void;
}

const REMEMBERED_CLOSED = 4096;

function key(step: number, product: number): string {
  return `${step}/${product}`;
}

function allFinite(x: Float32Array): boolean {
  for (let e = 0; e < x.length; e++) if (!Number.isFinite(x[e])) return false;
  return true;
}

/** A {@link Runtime} over a {@link Transport}. `run` is the uint32 run tag. */
export class Dispatcher implements Runtime {
  private readonly open = new Map<string, OpenCall>();
  /** Closed calls → their dispatch time (ms since the runtime started); bounded. */
  private readonly closed = new Map<string, number>();
  private readonly counts: RuntimeCounters = { tasks: 0, inTime: 0, late: 0, rejected: emptyRejects() };
  private readonly listeners: ((row: TraceRow) => void)[] = [];
  private readonly origin = performance.now();
  private readonly dispatched = new Map<string, number>();
  /** Bytes of the largest reply any call of this run expects (bounds what is read at all). */
  private largestReply = 0;

  constructor(
    readonly name: 'threads' | 'nats',
    private readonly transport: Transport,
    readonly run: number,
  ) {
    transport.onReply((bytes) => this.receive(bytes));
  }

  get maxPayload(): number {
    return this.transport.maxPayload;
  }

  counters(): RuntimeCounters {
    return { ...this.counts, rejected: { ...this.counts.rejected } };
  }

  onTrace(listener: (row: TraceRow) => void): void {
    this.listeners.push(listener);
  }

  call(spec: CallSpec): Promise<CallOutcome> {
    const k = key(spec.step, spec.product);
    if (this.open.has(k) || this.closed.has(k)) throw new RangeError(`runtime: call (step ${spec.step}, product ${spec.product}) was already made in this run`);
    for (const j of spec.jobs) {
      const size = Math.max(taskBytes(j.U, j.K, j.Q), replyBytes(j.U, j.Q));
      if (size > this.maxPayload) {
        throw new RangeError(
          `runtime: worker ${j.worker}'s task is ${size} bytes (W_A ${j.U}×${j.K}, W_B ${j.K}×${j.Q}), over the ${this.name} max payload of ${this.maxPayload} bytes: use a smaller batch or a finer grid`,
        );
      }
      this.largestReply = Math.max(this.largestReply, replyBytes(j.U, j.Q));
    }
    return new Promise<CallOutcome>((resolve) => {
      const start = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const call: OpenCall = {
        spec,
        start,
        deadline: start + spec.deadlineMs,
        got: new Uint8Array(spec.jobs.length === 0 ? 0 : Math.max(...spec.jobs.map((j) => j.worker)) + 1),
        arrived: [],
        pending: spec.jobs.length,
        finish: () => {
          if (timer !== undefined) clearTimeout(timer);
          this.closeCall(k, call);
          resolve({ arrived: call.arrived, elapsedMs: performance.now() - start });
        },
      };
      this.open.set(k, call);
      const sentEpochMs = performance.timeOrigin + start;
      const deadlineEpochMs = sentEpochMs + (Number.isFinite(spec.deadlineMs) ? spec.deadlineMs : 1e12);
      for (const j of spec.jobs) {
        const tag = { run: this.run, step: spec.step, product: spec.product, worker: j.worker };
        // a draw beyond Node's longest timer (a "never arrives" +∞ of a trace) is held that long: still past any deadline run here
        const bytes = encodeTask({ tag, U: j.U, K: j.K, Q: j.Q, wa: j.wa, wb: j.wb, delayMs: Math.min(j.delayMs, MAX_DELAY_MS), deadlineEpochMs, sentEpochMs });
        this.dispatched.set(`${k}/${j.worker}`, performance.now() - this.origin);
        this.counts.tasks++;
        this.transport.send(bytes, j.worker);
      }
      if (call.pending === 0) call.finish();
      else if (Number.isFinite(spec.deadlineMs)) timer = setTimeout(call.finish, Math.max(0, spec.deadlineMs));
    });
  }

  private closeCall(k: string, call: OpenCall): void {
    if (!this.open.delete(k)) return;
    this.closed.set(k, call.start - this.origin);
    if (this.closed.size > REMEMBERED_CLOSED) this.closed.delete(this.closed.keys().next().value as string);
    this.transport.cancel({ run: this.run, step: call.spec.step, product: call.spec.product });
    for (const j of call.spec.jobs) {
      const d = `${k}/${j.worker}`;
      const a = call.got[j.worker] ? call.arrived.find((x) => x.worker === j.worker) : undefined;
      this.emit({
        step: call.spec.step,
        product: call.spec.product,
        worker: j.worker,
        dispatchedMs: this.dispatched.get(d) ?? NaN,
        repliedMs: a ? call.start - this.origin + a.arrivedMs : null,
        inTime: a !== undefined,
        deadlineMs: call.spec.deadlineMs,
      });
      this.dispatched.delete(d);
    }
  }

  private emit(row: TraceRow): void {
    for (const l of this.listeners) l(row);
  }

  /** Every reply passes here; only a well-formed, in-time reply of an open call is kept. */
  private receive(bytes: Uint8Array): void {
    const now = performance.now();
    const rej = this.counts.rejected;
    if (bytes.byteLength > this.largestReply) {
      // larger than any reply this run ever asked for: not even its header is read
      rej.tooLarge++;
      return;
    }
    let reply;
    try {
      reply = decodeReply(bytes);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      rej.malformed++;
      return;
    }
    const { tag } = reply;
    const k = key(tag.step, tag.product);
    if (tag.run !== this.run) {
      rej.unknown++;
      return;
    }
    const call = this.open.get(k);
    if (!call) {
      const dispatchedMs = this.closed.get(k);
      if (dispatchedMs !== undefined) {
        this.counts.late++;
        this.emit({ step: tag.step, product: tag.product, worker: tag.worker, dispatchedMs, repliedMs: now - this.origin, inTime: false, deadlineMs: null });
      } else rej.unknown++;
      return;
    }
    const job = call.spec.jobs.find((j) => j.worker === tag.worker);
    if (!job) {
      rej.unknown++;
      return;
    }
    if (reply.U !== job.U || reply.Q !== job.Q) {
      rej.shape++;
      return;
    }
    if (!allFinite(reply.product)) {
      rej.nonFinite++;
      return;
    }
    if (call.got[tag.worker]) {
      rej.duplicate++;
      return;
    }
    if (now >= call.deadline) {
      // the deadline timer has not run yet, but the reply came after it
      this.counts.late++;
      call.finish();
      this.emit({ step: tag.step, product: tag.product, worker: tag.worker, dispatchedMs: call.start - this.origin, repliedMs: now - this.origin, inTime: false, deadlineMs: null });
      return;
    }
    call.got[tag.worker] = 1;
    this.counts.inTime++;
    call.arrived.push({ worker: tag.worker, product: reply.product, arrivedMs: now - call.start, computeMs: reply.computeMs });
    if (--call.pending === 0) call.finish();
  }

  /** A task reached no worker (the transport saw a "no responders" notice): counted apart from replies. */
  countNoWorkers(): void {
    this.counts.noWorkers = (this.counts.noWorkers ?? 0) + 1;
  }

  async workerStatus(): Promise<WorkerStatus | undefined> {
    return this.transport.workerStatus?.();
  }

  /** Ends every open call (with what arrived) and closes the transport. */
  async close(): Promise<void> {
    for (const c of [...this.open.values()]) c.finish();
    await this.transport.close();
  }
}
