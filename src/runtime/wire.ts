/**
 * The wire format of real workers: one task (W_A, W_B of a code's worker) and one reply (W_A·W_B),
 * each a fixed 72-byte little-endian header followed by raw float32 data (no JSON). The header is a
 * multiple of 4 bytes, so the data is 4-aligned whenever the message starts aligned; a received
 * message that is not aligned in its buffer is copied before it is viewed as Float32Array.
 *
 * Task  header: magic 'UEPT', version, kind=1, run, step, product, worker, dtype=1 (float32),
 *               rows U, inner K, cols Q, (pad), delayMs f64, deadlineEpochMs f64, sentEpochMs f64
 *       data:   W_A (U×K row-major) then W_B (K×Q row-major), float32.
 * Reply header: magic, version, kind=2, run, step, product, worker, dtype, rows U, cols Q, (pad×2),
 *               computeMs f64, (pad f64 ×2)
 *       data:   W_A·W_B (U×Q row-major), float32.
 */
import type { TaskOperands } from './runtime.ts';

export const HEADER_BYTES = 72;
const MAGIC = 0x54504555; // 'UEPT' little-endian
const VERSION = 1;
const KIND_TASK = 1;
const KIND_REPLY = 2;
const DTYPE_F32 = 1;

/**
 * Bounds a decoder enforces before it allocates or arms anything: a message comes from the network.
 * Sizes: NATS's largest configurable payload (64 MB) for a task or a reply, and at most 2^33
 * multiply-adds per task (seconds of work; real tasks here are ≤ 10^8). Times: an injected delay
 * at most the longest timer Node can arm (2^31 − 1 ms ≈ 24.8 days; longer ones fire at once and
 * re-arm, a spin), and clocks that are finite ms since the epoch.
 */
export const MAX_WIRE_BYTES = 64 * 1024 * 1024;
export const MAX_TASK_FLOPS = 2 ** 33;
export const MAX_DELAY_MS = 2 ** 31 - 1;
/** The largest time a Date can hold (ms since the epoch). */
export const MAX_EPOCH_MS = 8.64e15;

/** Identifies one worker task of one coded product; every task and reply carries it. */
export interface TaskTag {
  /** Run id (uint32): distinguishes concurrent runs sharing one server. */
  run: number;
  /** Training step (or trial) the product belongs to (uint32). */
  step: number;
  /** Index of the product within the step (uint32). */
  product: number;
  /** Logical worker of the code (uint32). */
  worker: number;
}

/** A decoded task: its tag, its operands (W_A U×K, W_B K×Q) and the server's clocks. */
export interface TaskMessage extends TaskOperands {
  tag: TaskTag;
  /** Server's wall-clock deadline (ms since the epoch); a task not started by then is skipped. */
  deadlineEpochMs: number;
  /** Server's wall clock at dispatch (ms since the epoch). */
  sentEpochMs: number;
}

/** A decoded reply: the product W_A·W_B, U×Q row-major float32. */
export interface ReplyMessage {
  tag: TaskTag;
  U: number;
  Q: number;
  product: Float32Array;
  /** Worker-side compute time of the product (ms). */
  computeMs: number;
}

/** Thrown for a message that is not a well-formed task or reply. */
export class WireError extends Error {
  override name = 'WireError';
}

/** Bytes of a task with W_A: U×K and W_B: K×Q. */
export function taskBytes(U: number, K: number, Q: number): number {
  return HEADER_BYTES + 4 * (U * K + K * Q);
}

/** Bytes of a reply of a U×Q product. */
export function replyBytes(U: number, Q: number): number {
  return HEADER_BYTES + 4 * U * Q;
}

function writeTag(v: DataView, kind: number, tag: TaskTag): void {
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, VERSION, true);
  v.setUint32(8, kind, true);
  v.setUint32(12, tag.run >>> 0, true);
  v.setUint32(16, tag.step >>> 0, true);
  v.setUint32(20, tag.product >>> 0, true);
  v.setUint32(24, tag.worker >>> 0, true);
  v.setUint32(28, DTYPE_F32, true);
}

function readTag(v: DataView, kind: number): TaskTag {
  if (v.byteLength < HEADER_BYTES) throw new WireError(`message of ${v.byteLength} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (v.getUint32(0, true) !== MAGIC) throw new WireError('bad magic');
  if (v.getUint32(4, true) !== VERSION) throw new WireError(`unsupported version ${v.getUint32(4, true)}`);
  if (v.getUint32(8, true) !== kind) throw new WireError(`expected message kind ${kind}, got ${v.getUint32(8, true)}`);
  if (v.getUint32(28, true) !== DTYPE_F32) throw new WireError(`unsupported dtype ${v.getUint32(28, true)} (only float32)`);
  return { run: v.getUint32(12, true), step: v.getUint32(16, true), product: v.getUint32(20, true), worker: v.getUint32(24, true) };
}

/** A float32 view of `bytes[offset..offset+4n)`, copying when the bytes are not 4-aligned. */
function floats(bytes: Uint8Array, offset: number, n: number): Float32Array {
  const start = bytes.byteOffset + offset;
  if (start % 4 === 0) return new Float32Array(bytes.buffer, start, n);
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + 4 * n));
  return out;
}

/** Encodes a task; `wa` must hold U·K and `wb` K·Q values. */
export function encodeTask(t: TaskMessage): Uint8Array {
  if (t.wa.length !== t.U * t.K || t.wb.length !== t.K * t.Q) throw new WireError(`task shapes: W_A ${t.wa.length} ≠ ${t.U}×${t.K} or W_B ${t.wb.length} ≠ ${t.K}×${t.Q}`);
  const out = new Uint8Array(taskBytes(t.U, t.K, t.Q));
  const v = new DataView(out.buffer);
  writeTag(v, KIND_TASK, t.tag);
  v.setUint32(32, t.U, true);
  v.setUint32(36, t.K, true);
  v.setUint32(40, t.Q, true);
  v.setFloat64(48, t.delayMs, true);
  v.setFloat64(56, t.deadlineEpochMs, true);
  v.setFloat64(64, t.sentEpochMs, true);
  const data = new Float32Array(out.buffer, HEADER_BYTES, t.U * t.K + t.K * t.Q);
  data.set(t.wa, 0);
  data.set(t.wb, t.U * t.K);
  return out;
}

/** Decodes a task; throws WireError when the header or the size is wrong. */
export function decodeTask(bytes: Uint8Array): TaskMessage {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = readTag(v, KIND_TASK);
  const U = v.getUint32(32, true);
  const K = v.getUint32(36, true);
  const Q = v.getUint32(40, true);
  if (U < 1 || K < 1 || Q < 1) throw new WireError(`task shapes ${U}×${K}, ${K}×${Q} have an empty dimension`);
  if (bytes.byteLength !== taskBytes(U, K, Q)) throw new WireError(`task of ${bytes.byteLength} bytes does not match its shapes ${U}×${K}, ${K}×${Q}`);
  // the size matches, so U·K + K·Q is small; the product's U×Q and the work U·K·Q need not be
  if (replyBytes(U, Q) > MAX_WIRE_BYTES) throw new WireError(`task's product ${U}×${Q} is over ${MAX_WIRE_BYTES} bytes`);
  if (U * K * Q > MAX_TASK_FLOPS) throw new WireError(`task ${U}×${K}·${K}×${Q} is over ${MAX_TASK_FLOPS} multiply-adds`);
  const delayMs = v.getFloat64(48, true);
  const deadlineEpochMs = v.getFloat64(56, true);
  const sentEpochMs = v.getFloat64(64, true);
  if (!(delayMs >= 0 && delayMs <= MAX_DELAY_MS)) throw new WireError(`task delay ${delayMs} ms is not in [0, ${MAX_DELAY_MS}]`);
  if (!(deadlineEpochMs >= 0 && deadlineEpochMs <= MAX_EPOCH_MS)) throw new WireError(`task deadline ${deadlineEpochMs} is not a time (ms since the epoch)`);
  if (!(sentEpochMs >= 0 && sentEpochMs <= MAX_EPOCH_MS)) throw new WireError(`task dispatch time ${sentEpochMs} is not a time (ms since the epoch)`);
  return {
    tag,
    U,
    K,
    Q,
    wa: floats(bytes, HEADER_BYTES, U * K),
    wb: floats(bytes, HEADER_BYTES + 4 * U * K, K * Q),
    delayMs,
    deadlineEpochMs,
    sentEpochMs,
  };
}

/** Encodes a reply of a U×Q product. */
export function encodeReply(r: ReplyMessage): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + 4 * r.product.length);
  const v = new DataView(out.buffer);
  writeTag(v, KIND_REPLY, r.tag);
  v.setUint32(32, r.U, true);
  v.setUint32(36, r.Q, true);
  v.setFloat64(48, r.computeMs, true);
  new Float32Array(out.buffer, HEADER_BYTES, r.product.length).set(r.product);
  return out;
}

/**
 * Decodes a reply. Throws WireError when the header is wrong or the data length does not match
 * the shape the reply states (the caller checks that shape against the task's).
 */
export function decodeReply(bytes: Uint8Array): ReplyMessage {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = readTag(v, KIND_REPLY);
  const U = v.getUint32(32, true);
  const Q = v.getUint32(36, true);
  if (bytes.byteLength !== replyBytes(U, Q)) throw new WireError(`reply of ${bytes.byteLength} bytes does not match its shape ${U}×${Q}`);
  const computeMs = v.getFloat64(48, true);
  if (!(computeMs >= 0 && computeMs <= MAX_DELAY_MS)) throw new WireError(`reply compute time ${computeMs} ms is not in [0, ${MAX_DELAY_MS}]`);
  return { tag, U, Q, product: floats(bytes, HEADER_BYTES, U * Q), computeMs };
}
