/**
 * The runtime seam. The simulator decides who arrived by T_max from sampled times; a real
 * runtime decides it from the wall clock. A runtime is handed one coded product's worker tasks
 * (W_A: U×K, W_B: K×Q float32 per logical worker) and a deadline, and returns the replies that
 * arrived in time. Coding and decoding do not know which runtime ran.
 */

/** What a worker computes: W_A (U×K) times W_B (K×Q), row-major float32, and when it may reply. */
export interface TaskOperands {
  U: number;
  K: number;
  Q: number;
  wa: Float32Array;
  wb: Float32Array;
  /** Injected straggle delay (ms): the reply leaves the worker no earlier than receipt + delay. */
  delayMs: number;
}

/** One logical worker's task of a coded product. */
export interface WorkerJob extends TaskOperands {
  worker: number;
}

/** One coded product: its tags and its tasks. */
export interface CallSpec {
  step: number;
  product: number;
  jobs: WorkerJob[];
  /** Wall-clock budget from dispatch (ms); Infinity waits for every reply. */
  deadlineMs: number;
}

/** A reply that arrived in time: W_A·W_B of `worker`, U×Q row-major float32. */
export interface Arrival {
  worker: number;
  product: Float32Array;
  /** Arrival time (ms after the call's dispatch). */
  arrivedMs: number;
  /** Worker-side compute time (ms). */
  computeMs: number;
}

/** What one call saw. */
export interface CallOutcome {
  /** In arrival order. */
  arrived: Arrival[];
  /** Wall-clock time the call took (ms): the deadline, or earlier when every reply came. */
  elapsedMs: number;
}

/** Why a reply was not decoded. */
export interface RejectCounts {
  /** Not a well-formed reply message. */
  malformed: number;
  /** Larger than the largest reply any open call expects. */
  tooLarge: number;
  /** Shape differs from the task's U×Q. */
  shape: number;
  /** NaN or ±Infinity in the product. */
  nonFinite: number;
  /** A second reply for the same task. */
  duplicate: number;
  /** Tagged for another run, or for a call this run never made. */
  unknown: number;
}

/** Counters since the runtime started. */
export interface RuntimeCounters {
  tasks: number;
  inTime: number;
  /** Replies for a call that was already over (counted and dropped). */
  late: number;
  rejected: RejectCounts;
  /** Tasks that reached no worker at all (NATS "no responders" notices: nobody subscribed). */
  noWorkers?: number;
}

/** The part of a runtime summary line about tasks that reached no worker ('' when all did). */
export function noWorkersNote(c: RuntimeCounters): string {
  return c.noWorkers ? `; no workers are subscribed (${c.noWorkers} tasks reached none: start \`npm run worker -- --server URL\`)` : '';
}

/** A row of the arrival trace (times in ms since the runtime started). */
export interface TraceRow {
  step: number;
  product: number;
  worker: number;
  dispatchedMs: number;
  /** Null when no reply came (yet): a late reply gets a second row with its time. */
  repliedMs: number | null;
  inTime: boolean;
  /** The call's deadline (ms after its start); null on a late reply's row. */
  deadlineMs: number | null;
}

export interface Runtime {
  readonly name: 'threads' | 'nats';
  /** Largest message the transport accepts (bytes). */
  readonly maxPayload: number;
  /** Dispatches every job, waits until the deadline or every reply, returns what arrived in time. */
  call(spec: CallSpec): Promise<CallOutcome>;
  counters(): RuntimeCounters;
  /** Registers a listener of trace rows (one per task at the end of its call, one per late reply). */
  onTrace(listener: (row: TraceRow) => void): void;
  /**
   * Worker-side counters summed over the workers this process can see (the threads of the
   * `threads` runtime; a `nats` server cannot see its workers' queues and returns undefined).
   */
  workerStatus(): Promise<WorkerStatus | undefined>;
  /**
   * Runtimes behind a connection (nats): `listener(false)` when it is lost (every task is a
   * straggler until it is back: products are zero-filled) and `listener(true)` when it is back.
   */
  onConnection?(listener: (up: boolean) => void): void;
  close(): Promise<void>;
}

/** Worker-side counters (see task-loop.ts). */
export interface WorkerStatus {
  /** Tasks queued or replies held right now. */
  pending: number;
  /** Tasks skipped because their deadline passed or their call was cancelled before they started. */
  cancelled: number;
  /** Computed replies dropped while held, because their call was over. */
  droppedHeld: number;
}

export function emptyRejects(): RejectCounts {
  return { malformed: 0, tooLarge: 0, shape: 0, nonFinite: 0, duplicate: 0, unknown: 0 };
}
