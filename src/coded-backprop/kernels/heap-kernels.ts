/**
 * WebAssembly SIMD kernels that work in place on tfjs-wasm's heap: they import the backend's
 * own memory, so they read tensors where tfjs keeps them, without copies (tensor-io.ts gives the
 * views). Assembled from the .wat files next to this one (`npm run build:kernels`); each kernel
 * computes exactly what the JS loop it replaces computes, in the same order (tested bit for bit).
 * Off the wasm backend {@link heapKernels} returns null and callers use their JS loops.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-wasm's Emscripten module the kernels use. */
interface EmscriptenModule {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

interface NormExports {
  row_sq(a: number, rows: number, cols: number, out: number): void;
  col_sq(b: number, rows: number, cols: number, out: number): void;
}

export interface HeapKernels {
  /**
   * Makes room for `doubles` float64 results. It may grow the heap, which invalidates every
   * heap view: call it before taking the views the kernels will read.
   */
  reserve(doubles: number): void;
  /** Squared L2 norms of the rows of a: rows×cols (a heap view) → length rows; null if a is not in the heap or the room is short. */
  rowSq(a: Float32Array, rows: number, cols: number): Float64Array | null;
  /** Squared L2 norms of the columns of b: rows×cols (a heap view) → length cols; null as for rowSq. */
  colSq(b: Float32Array, rows: number, cols: number): Float64Array | null;
}

let normsBinary: WebAssembly.Module | null = null;
const byModule = new WeakMap<object, HeapKernels>();

function normsModule(): WebAssembly.Module {
  // compiled once per process (767 bytes: synchronous compilation is allowed and quick)
  normsBinary ??= new WebAssembly.Module(readFileSync(new URL('./norms.wasm', import.meta.url)));
  return normsBinary;
}

function kernelsFor(mod: EmscriptenModule): HeapKernels {
  const memory = mod.asm.memory;
  const norms = new WebAssembly.Instance(normsModule(), { env: { memory } }).exports as unknown as NormExports;
  let out = 0;
  let room = 0;
  const inHeap = (v: Float32Array) => v.buffer === memory.buffer;
  const result = (n: number) => new Float64Array(memory.buffer, out, n).slice();
  return {
    reserve(doubles) {
      if (doubles <= room) return;
      if (out) mod._free(out);
      room = Math.max(doubles, 2 * room, 1024);
      out = mod._malloc(8 * room);
      if (!out) throw new RangeError(`heap kernels: could not allocate ${8 * room} bytes in the wasm heap`);
    },
    rowSq(a, rows, cols) {
      if (!inHeap(a) || rows > room) return null;
      norms.row_sq(a.byteOffset, rows, cols, out);
      return result(rows);
    },
    colSq(b, rows, cols) {
      if (!inHeap(b) || cols > room) return null;
      norms.col_sq(b.byteOffset, rows, cols, out);
      return result(cols);
    },
  };
}

/** The kernels on the current backend's heap, or null off the wasm backend. */
export function heapKernels(): HeapKernels | null {
  if (tf.getBackend() !== 'wasm') return null;
  const mod = (tf.backend() as unknown as { wasm?: Partial<EmscriptenModule> }).wasm;
  if (!mod?.asm?.memory || typeof mod._malloc !== 'function' || typeof mod._free !== 'function') return null;
  let kernels = byModule.get(mod);
  if (!kernels) {
    kernels = kernelsFor(mod as EmscriptenModule);
    byModule.set(mod, kernels);
  }
  return kernels;
}
