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

interface DecodeExports {
  axpy_strided(block: number, src: number, stride: number, rows: number, cols: number, d: number): number;
  sumsq_strided(src: number, stride: number, rows: number, cols: number): number;
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
  /** Makes room for a decode block of `doubles` entries (may grow the heap, as reserve). */
  reserveBlock(doubles: number): void;
  /** The decode block: a float64 heap view of n ≤ the reserved entries (fresh view, valid until the heap grows). */
  block(n: number): Float64Array;
  /**
   * block[r·cols + q] += d·part[base + r·stride + q] for a rows×cols region (block and part heap
   * views); returns Σ part² over the region. The block's values are the JS loop's exactly.
   */
  addScaled(block: Float64Array, part: Float32Array, base: number, stride: number, rows: number, cols: number, d: number): number;
  /** Σ part[base + r·stride + q]² over a rows×cols region of a heap view. */
  sumSquares(part: Float32Array, base: number, stride: number, rows: number, cols: number): number;
}

const binaries = new Map<string, WebAssembly.Module>();
const byModule = new WeakMap<object, HeapKernels>();

/** A kernel's compiled module, once per process (a few hundred bytes: synchronous compilation is allowed and quick). */
function kernelModule(name: string): WebAssembly.Module {
  let module = binaries.get(name);
  if (!module) {
    module = new WebAssembly.Module(readFileSync(new URL(`./${name}.wasm`, import.meta.url)));
    binaries.set(name, module);
  }
  return module;
}

/** A float64 area in the heap that grows on request (growing may move the heap: views go stale). */
function heapArea(mod: EmscriptenModule): { reserve(doubles: number): void; room(): number; ptr(): number } {
  let ptr = 0;
  let room = 0;
  return {
    reserve(doubles) {
      if (doubles <= room) return;
      if (ptr) mod._free(ptr);
      room = Math.max(doubles, 2 * room, 1024);
      ptr = mod._malloc(8 * room);
      if (!ptr) throw new RangeError(`heap kernels: could not allocate ${8 * room} bytes in the wasm heap`);
    },
    room: () => room,
    ptr: () => ptr,
  };
}

function kernelsFor(mod: EmscriptenModule): HeapKernels {
  const memory = mod.asm.memory;
  const imports = { env: { memory } };
  const norms = new WebAssembly.Instance(kernelModule('norms'), imports).exports as unknown as NormExports;
  const decode = new WebAssembly.Instance(kernelModule('decode'), imports).exports as unknown as DecodeExports;
  const scores = heapArea(mod);
  const block = heapArea(mod);
  const inHeap = (v: Float32Array | Float64Array) => v.buffer === memory.buffer;
  const result = (n: number) => new Float64Array(memory.buffer, scores.ptr(), n).slice();
  const mustBeInHeap = (v: Float32Array | Float64Array, what: string) => {
    if (!inHeap(v)) throw new RangeError(`heap kernels: ${what} is not a view of the wasm heap (or the heap has grown since it was taken)`);
  };
  return {
    reserve: (doubles) => scores.reserve(doubles),
    rowSq(a, rows, cols) {
      if (!inHeap(a) || rows > scores.room()) return null;
      norms.row_sq(a.byteOffset, rows, cols, scores.ptr());
      return result(rows);
    },
    colSq(b, rows, cols) {
      if (!inHeap(b) || cols > scores.room()) return null;
      norms.col_sq(b.byteOffset, rows, cols, scores.ptr());
      return result(cols);
    },
    reserveBlock: (doubles) => block.reserve(doubles),
    block(n) {
      if (n > block.room()) throw new RangeError(`heap kernels: a decode block of ${n} entries asked, ${block.room()} reserved`);
      return new Float64Array(memory.buffer, block.ptr(), n);
    },
    addScaled(target, part, base, stride, rows, cols, d) {
      mustBeInHeap(target, 'the decode block');
      mustBeInHeap(part, 'the part');
      return decode.axpy_strided(target.byteOffset, part.byteOffset + 4 * base, stride, rows, cols, d);
    },
    sumSquares(part, base, stride, rows, cols) {
      mustBeInHeap(part, 'the part');
      return decode.sumsq_strided(part.byteOffset + 4 * base, stride, rows, cols);
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
