/**
 * The sweep queue on NATS JetStream: names, the job and status records, and creating the stream,
 * the consumer and the KV bucket (idempotent: the submitter and every worker ensure them).
 *
 *   stream  UEP_SWEEP (work-queue retention), subjects `uep.sweep.job.<sweep>.<run>`: one message
 *           per submitted run, removed when a worker acks (or terms) it;
 *   consumer `sweep-workers` (durable pull, explicit ack): ack wait (default 30 s) with heartbeats
 *           (in-progress acks) from the worker while a run is alive, max_deliver 3;
 *   KV `uep-sweep`: `<sweep>.<run>.status` (JSON {@link JobStatus}, put by the worker at each
 *           attempt, heartbeat and failure), `<sweep>.<run>.result` (gzip'd JSON {@link JobResult}:
 *           the run directory's files and the log, written create-only so only one worker's
 *           result can ever be stored), `<sweep>.<run>.log` (gzip'd log of the last failed attempt).
 *
 * JetStream is the scheduler: ack wait + heartbeats redeliver a dead worker's run, max_deliver
 * ends a run failing every time; nothing here re-implements either.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { AckPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RunStatus } from '../training/run-status.ts';
import { closeNats, connectNats, isNoJetStream, noJetStreamError, type NatsConnectOptions } from '../runtime/nats.ts';
import type { TrainConfigInput } from '../training/train-config.ts';

export const STREAM = 'UEP_SWEEP';
export const SUBJECT_ROOT = 'uep.sweep.job';
export const CONSUMER = 'sweep-workers';
export const BUCKET = 'uep-sweep';
export const MAX_DELIVER = 3;
export const DEFAULT_ACK_WAIT_MS = 30_000;

/** One durable job: a run of a sweep with its options as given (backend pinned). */
export interface SweepJob {
  v: 1;
  sweep: string;
  name: string;
  /** Options of the run (catalogue keys, resolved by the worker with the `dnn` preset); `backend` is never 'auto'. */
  input: TrainConfigInput;
  backend: string;
  /** Random id of this submission of the run (a run resubmitted after failing gets a new one). */
  submission?: string;
}

export type JobState = 'running' | 'retry' | 'refused' | 'failed' | 'done';

/** `<sweep>.<run>.status`. */
export interface JobStatus {
  state: JobState;
  worker: string;
  /** Delivery of the job this record is about (1, 2, 3). */
  attempt: number;
  maxDeliver: number;
  /** The job's submission id (statuses of an earlier submission are ignored). */
  submission?: string;
  /** Failures and refusals: why. */
  message?: string;
  /** Heartbeats of a running run: its status record (src/training/run-status.ts), when it has one yet. */
  progress?: RunStatus;
}

/** `<sweep>.<run>.result` (gzip'd JSON). */
export interface JobResult {
  worker: string;
  attempt: number;
  /** The files of the finished run directory (config.json, metrics.csv, …), as text. */
  files: Record<string, string>;
  log: string;
}

/** A KV key / subject token for a run name ('.' is the token separator). */
export function token(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, (c) => (c === '.' ? '_' : `=${c.charCodeAt(0).toString(16)}`));
}

export const jobSubject = (sweep: string, name: string) => `${SUBJECT_ROOT}.${sweep}.${token(name)}`;
export const statusKey = (sweep: string, name: string) => `${sweep}.${token(name)}.status`;
export const resultKey = (sweep: string, name: string) => `${sweep}.${token(name)}.result`;
export const logKey = (sweep: string, name: string) => `${sweep}.${token(name)}.log`;

export const packJson = (v: unknown): Uint8Array => gzipSync(Buffer.from(JSON.stringify(v)));
export const unpackJson = <T>(b: Uint8Array): T => JSON.parse(gunzipSync(b).toString('utf8')) as T;
export const packText = (s: string): Uint8Array => gzipSync(Buffer.from(s));
export const unpackText = (b: Uint8Array): string => gunzipSync(b).toString('utf8');

export interface QueueHandles {
  jsm: JetStreamManager;
  kv: KV;
  /** The consumer's ack wait in ms (as configured on the server, which may predate this process). */
  ackWaitMs: number;
  maxDeliver: number;
}

/**
 * Creates (or opens) the stream, the consumer and the bucket. `ackWaitMs` applies when this call
 * creates the consumer; an existing consumer keeps its configuration (returned).
 */
export async function ensureQueue(nc: NatsConnection, ackWaitMs = DEFAULT_ACK_WAIT_MS): Promise<QueueHandles> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(STREAM);
  } catch {
    try {
      await jsm.streams.add({ name: STREAM, subjects: [`${SUBJECT_ROOT}.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
    } catch (err) {
      // another process created it meanwhile
      await jsm.streams.info(STREAM).catch(() => {
        throw err;
      });
    }
  }
  let info;
  try {
    info = await jsm.consumers.info(STREAM, CONSUMER);
  } catch {
    try {
      info = await jsm.consumers.add(STREAM, {
        durable_name: CONSUMER,
        ack_policy: AckPolicy.Explicit,
        ack_wait: ackWaitMs * 1e6,
        max_deliver: MAX_DELIVER,
        max_ack_pending: -1,
      });
    } catch (err) {
      info = await jsm.consumers.info(STREAM, CONSUMER).catch(() => {
        throw err;
      });
    }
  }
  let kv: KV;
  try {
    kv = await new Kvm(nc).create(BUCKET, { history: 1 });
  } catch (err) {
    // another process (a submitter, a worker) created it meanwhile
    kv = await new Kvm(nc).open(BUCKET).catch(() => {
      throw err;
    });
  }
  return { jsm, kv, ackWaitMs: (info.config.ack_wait ?? ackWaitMs * 1e6) / 1e6, maxDeliver: info.config.max_deliver ?? MAX_DELIVER };
}

/**
 * Connects and opens the queue; closes the connection again when that fails, with one line naming
 * `--flag` and the cause (nothing listening; a server without JetStream: "start nats-server with -js").
 */
export async function openQueue(nats: NatsConnectOptions, flag: string, ackWaitMs?: number): Promise<{ nc: NatsConnection; q: QueueHandles }> {
  const nc = await connectNats(nats, { flag, jetstream: true });
  try {
    return { nc, q: await ensureQueue(nc, ackWaitMs) };
  } catch (err) {
    await closeNats(nc, 500);
    if (isNoJetStream(err)) throw noJetStreamError(nats.server, flag);
    throw err;
  }
}

/** A backend 'auto' pinned to the one this machine's 'auto' would pick (node when tfjs-node is installed, else wasm). */
export function pinBackend(backend: string): string {
  if (backend !== 'auto') return backend;
  try {
    import.meta.resolve('@tensorflow/tfjs-node');
    return 'node';
  } catch {
    return 'wasm';
  }
}

/** Whether this process can run tfjs on `backend` (checked once per name). */
const provides = new Map<string, Promise<boolean>>();
export function canProvideBackend(backend: string): Promise<boolean> {
  let p = provides.get(backend);
  if (!p) {
    const mod = backend === 'node' ? '@tensorflow/tfjs-node' : backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : backend === 'cpu' ? '@tensorflow/tfjs' : null;
    p = mod === null ? Promise.resolve(false) : import(mod).then(() => true, () => false);
    provides.set(backend, p);
  }
  return p;
}
