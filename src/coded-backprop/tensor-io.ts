/**
 * Float32 tensor data without copies where the backend allows it. On the wasm backend a tensor's
 * values live in the wasm heap: {@link readF32} returns a view of them and {@link stage}
 * allocates a tensor whose values JS writes in place (no upload). On other backends both fall
 * back to copies (dataSync, tf.tensor2d), with the same results.
 *
 * A heap view is valid only until the next allocation in the wasm heap (it may grow and move):
 * take views after the allocations of a phase and drop them before the next tf op. Every
 * accessor here returns a fresh view for that reason.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

function wasmBackend(): WasmHeapBackend | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as Partial<WasmHeapBackend>;
  return typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function' ? (b as WasmHeapBackend) : null;
}

/** The values of a float32 tensor, row-major: a heap view on wasm (read-only by contract), else a copy. */
export function readF32(t: tf.Tensor): Float32Array {
  const wasm = wasmBackend();
  if (wasm && t.dtype === 'float32') return wasm.typedArrayFromHeap(t) as Float32Array;
  return t.dataSync() as Float32Array;
}

/** A rows×cols float32 matrix that JS fills and tfjs then uses as a tensor. */
export interface Staged {
  readonly rows: number;
  readonly cols: number;
  /** Its values (row-major, zeroed at allocation); a fresh view on each call. */
  data(): Float32Array;
  /** The tensor (created on first call off wasm; the same tensor on every call). */
  tensor(): tf.Tensor2D;
}

/** Allocates a zeroed rows×cols staged matrix (on wasm: a tensor in the heap, filled in place). */
export function stage(rows: number, cols: number): Staged {
  const wasm = wasmBackend();
  if (wasm) {
    const info = wasm.makeOutput([rows, cols], 'float32');
    const t = tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
    // malloc'd memory is not zeroed
    (wasm.typedArrayFromHeap(info) as Float32Array).fill(0);
    return { rows, cols, data: () => wasm.typedArrayFromHeap(info) as Float32Array, tensor: () => t };
  }
  const values = new Float32Array(rows * cols);
  let t: tf.Tensor2D | null = null;
  return {
    rows,
    cols,
    data: () => values,
    tensor: () => (t ??= tf.tensor2d(values, [rows, cols])),
  };
}

/**
 * A float32 tensor the caller owns (no other reference to it), as a staged matrix whose values
 * JS may change in place: on wasm its heap view; elsewhere a copy, and tensor() then returns a
 * new tensor of the changed values (disposing the original).
 */
export function ownStaged(t: tf.Tensor2D): Staged {
  const [rows, cols] = t.shape;
  const wasm = wasmBackend();
  if (wasm) return { rows, cols, data: () => wasm.typedArrayFromHeap(t) as Float32Array, tensor: () => t };
  const values = Float32Array.from(t.dataSync() as Float32Array);
  let out: tf.Tensor2D | null = null;
  return {
    rows,
    cols,
    data: () => values,
    tensor: () => {
      if (!out) {
        out = tf.tensor2d(values, [rows, cols]);
        t.dispose();
      }
      return out;
    },
  };
}
