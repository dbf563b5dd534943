/**
 * WebAssembly SIMD kernels that work in place on tfjs-wasm's heap: they import the backend's
 * own memory, so they read tensors where tfjs keeps them, without copies (tensor-io.ts gives the
 * views). Assembled from the .wat files next to this one (`npm run build:kernels`); each kernel
 * computes exactly what the JS loop it replaces computes, in the same order (tested bit for bit).
 * Off the wasm backend {@link heapKernels} returns null and callers use their JS loops.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { OrderedMoves, PartAccumulator } from '../tensor-moves.ts';

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
  combine_runs(blk: number, list: number, count: number, n: number): number;
}

interface MovesExports {
  gather_cols(dst: number, dstStride: number, src: number, p: number, rows: number, idx: number, w: number): void;
  gather_cols_axpy(dst: number, dstStride: number, src: number, p: number, rows: number, idx: number, w: number, s: number, first: number): void;
  add_rows(dst: number, src: number, cols: number, idx: number, n: number, s: number, first: number): void;
  scatter_part(c: number, p: number, src: number, srcStride: number, s: number, rowIdx: number, nRows: number, colIdx: number, w: number): void;
  scatter_block(c: number, p: number, value: number, Q: number, rowIdx: number, nRows: number, colIdx: number, w: number): void;
  zero_region(c: number, p: number, rowIdx: number, nRows: number, colIdx: number, w: number): void;
}

export interface HeapKernels extends PartAccumulator {
  /**
   * Makes room for `doubles` float64 results. It may grow the heap, which invalidates every
   * heap view: call it before taking the views the kernels will read.
   */
  reserveScores(doubles: number): void;
  /** Squared L2 norms of the rows of a: rows×cols (a heap view) → length rows; null if a is not in the heap or the room is short. */
  rowSq(a: Float32Array, rows: number, cols: number): Float64Array | null;
  /** Squared L2 norms of the columns of b: rows×cols (a heap view) → length cols; null as for rowSq. */
  colSq(b: Float32Array, rows: number, cols: number): Float64Array | null;
  /** Makes room for a decode block of `doubles` entries (may grow the heap, as reserve). */
  reserveBlock(doubles: number): void;
  /** The decode block: a float64 heap view of n ≤ the reserved entries (fresh view, valid until the heap grows). */
  block(n: number): Float64Array;
  /** Makes room for a combine list of `terms` terms (may grow the heap, as reserve). */
  reserveTerms(terms: number): void;
  /**
   * block[e] = Σ_k d[k]·part[bases[k] + e] for e < n, the terms added in order onto 0 (the
   * block's values exactly those of zeroing it and calling addScaled per term), in one pass;
   * returns Σ block² (summed in two lanes). block and part must be heap views.
   */
  combineRuns(block: Float64Array, part: Float32Array, bases: ArrayLike<number>, d: ArrayLike<number>, count: number, n: number): number;
  // addScaled, sumSquares (PartAccumulator): block and part must be heap views; the block's
  // values are the JS loop's exactly, Σ part² is summed in two lanes
  /** Makes room for order lists of `ints` entries in all (may grow the heap, as reserve). */
  reserveOrders(ints: number): void;
  /** tensor-moves.ts's loops for a row order and a column order (copied into the reserved room), on heap views; the same results bit for bit. */
  moves(rowOrder: Int32Array, colOrder: Int32Array): OrderedMoves;
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

/** An area of 8-byte entries in the heap that grows on request (growing may move the heap: views go stale). */
function heapArea(mod: EmscriptenModule): { reserve(entries: number): void; room(): number; ptr(): number } {
  let ptr = 0;
  let room = 0;
  return {
    reserve(entries) {
      if (entries <= room) return;
      if (ptr) mod._free(ptr);
      room = Math.max(entries, 2 * room, 1024);
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
  const mv = new WebAssembly.Instance(kernelModule('moves'), imports).exports as unknown as MovesExports;
  const orders = heapArea(mod);
  const scores = heapArea(mod);
  const block = heapArea(mod);
  const terms = heapArea(mod);
  const inHeap = (v: Float32Array | Float64Array) => v.buffer === memory.buffer;
  const result = (n: number) => new Float64Array(memory.buffer, scores.ptr(), n).slice();
  const mustBeInHeap = (v: Float32Array | Float64Array, what: string) => {
    if (!inHeap(v)) throw new RangeError(`heap kernels: ${what} is not a view of the wasm heap (or the heap has grown since it was taken)`);
  };
  return {
    reserveScores: (doubles) => scores.reserve(doubles),
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
    reserveTerms: (count) => terms.reserve(2 * count),
    combineRuns(target, part, bases, d, count, n) {
      mustBeInHeap(target, 'the decode block');
      mustBeInHeap(part, 'the part');
      if (2 * count > terms.room()) throw new RangeError(`heap kernels: a combine of ${count} terms asked, room for ${terms.room() / 2} reserved`);
      if (n > target.length) throw new RangeError(`heap kernels: a combine of ${n} entries into a block of ${target.length}`);
      // entry k: f64 d[k] at 16·k, i32 byte address of part[bases[k]] at 16·k + 8
      const f64 = new Float64Array(memory.buffer, terms.ptr(), 2 * count);
      const i32 = new Int32Array(memory.buffer, terms.ptr(), 4 * count);
      for (let k = 0; k < count; k++) {
        f64[2 * k] = d[k];
        i32[4 * k + 2] = part.byteOffset + 4 * bases[k];
      }
      return decode.combine_runs(target.byteOffset, terms.ptr(), count, n);
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
    // two int32 per 8-byte entry
    reserveOrders: (ints) => orders.reserve(Math.ceil(ints / 2)),
    moves(rowOrder, colOrder) {
      const need = rowOrder.length + colOrder.length;
      if (need > 2 * orders.room()) throw new RangeError(`heap kernels: order lists of ${need} entries, room for ${2 * orders.room()} reserved`);
      const rowPtr = orders.ptr();
      const colPtr = rowPtr + 4 * rowOrder.length;
      const ints = new Int32Array(memory.buffer, rowPtr, need);
      ints.set(rowOrder);
      ints.set(colOrder, rowOrder.length);
      const f32 = (v: Float32Array, what: string) => {
        mustBeInHeap(v, what);
        return v.byteOffset;
      };
      return {
        addRows(dst, base, src, cols, from, to, s, first) {
          mv.add_rows(f32(dst, 'dst') + 4 * base, f32(src, 'src'), cols, rowPtr + 4 * from, to - from, s, first ? 1 : 0);
        },
        copyRows(dst, src, cols, from, to) {
          mv.add_rows(f32(dst, 'dst'), f32(src, 'src'), cols, rowPtr + 4 * from, to - from, 1, 1);
        },
        gatherColumns(dst, base, stride, src, p, rows, from, to, s, first) {
          mv.gather_cols_axpy(f32(dst, 'dst') + 4 * base, stride, f32(src, 'src'), p, rows, colPtr + 4 * from, to - from, s, first ? 1 : 0);
        },
        copyColumns(dst, stride, src, p, rows, from, to) {
          mv.gather_cols(f32(dst, 'dst'), stride, f32(src, 'src'), p, rows, colPtr + 4 * from, to - from);
        },
        scatterPart(c, p, src, base, stride, s, rowFrom, rowTo, colFrom, colTo) {
          mv.scatter_part(f32(c, 'c'), p, f32(src, 'src') + 4 * base, stride, s, rowPtr + 4 * rowFrom, rowTo - rowFrom, colPtr + 4 * colFrom, colTo - colFrom);
        },
        scatterBlock(c, p, value, Q, rowFrom, rowTo, colFrom, colTo) {
          mustBeInHeap(value, 'the block');
          mv.scatter_block(f32(c, 'c'), p, value.byteOffset, Q, rowPtr + 4 * rowFrom, rowTo - rowFrom, colPtr + 4 * colFrom, colTo - colFrom);
        },
        zeroRegion(c, p, rowFrom, rowTo, colFrom, colTo) {
          mv.zero_region(f32(c, 'c'), p, rowPtr + 4 * rowFrom, rowTo - rowFrom, colPtr + 4 * colFrom, colTo - colFrom);
        },
      };
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
