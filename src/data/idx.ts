/**
 * Reader for the IDX files of MNIST (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header (magic number, then one uint32 per dimension) followed by unsigned bytes.
 * - images: magic 2051 (0x00000803), dimensions count × rows × cols
 * - labels: magic 2049 (0x00000801), dimension count
 * Every check that fails throws an Error whose message starts with the file path and says
 * what is wrong (missing, too short, bad magic, zero dimension, length mismatch).
 * A path ending in `.gz` is gzip'd IDX: it is inflated in memory with node's zlib (never to disk)
 * and checked the same way; {@link idxPath} finds `NAME` or else `NAME.gz` in a folder.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OptionError } from '../util/option-error.ts';

/** Magic number of an unsigned-byte IDX file with 3 dimensions (images). */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an unsigned-byte IDX file with 1 dimension (labels). */
export const IDX_LABELS_MAGIC = 2049;

export interface IdxImages {
  /** Number of images read (≤ the count in the header when `limit` is given). */
  count: number;
  /** Number of images the file holds (its header count). */
  fileCount: number;
  rows: number;
  cols: number;
  /** count·rows·cols raw pixel bytes, row-major, image after image. */
  data: Uint8Array;
}

export interface IdxLabels {
  /** Number of labels read (≤ the count in the header when `limit` is given). */
  count: number;
  /** Number of labels the file holds (its header count). */
  fileCount: number;
  data: Uint8Array;
}

export interface IdxReadOptions {
  /** Read only the first `limit` items (positive integer, at most the file's count). */
  limit?: number;
  /** Option key named by a bad `limit` (default 'limit'; e.g. 'testLimit' for the test split). */
  limitKey?: string;
}

/**
 * Opens `path`, validates its header against the expected magic number and dimension count,
 * checks that the file length is exactly header + product(dims) bytes, and reads the header
 * plus the first `limit` items (all by default). Returns the dimensions and the item bytes.
 */
function readIdx(
  path: string,
  magic: number,
  nDims: number,
  limit: number | undefined,
  limitKey = 'limit',
): { dims: number[]; count: number; data: Uint8Array } {
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new OptionError(limitKey, `must be a positive integer, got ${limit} (reading ${path})`);
  }
  if (path.endsWith('.gz')) return readIdxGz(path, magic, nDims, limit, limitKey);
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : `cannot open (${code ?? String(e)})`;
    throw new Error(`${path}: ${what}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const headerLen = 4 + 4 * nDims;
    if (size < headerLen) {
      throw new Error(`${path}: file is ${size} bytes, too short for an IDX header of ${headerLen} bytes`);
    }
    const header = Buffer.alloc(headerLen);
    fs.readSync(fd, header, 0, headerLen, 0);
    const gotMagic = header.readUInt32BE(0);
    if (gotMagic !== magic) {
      throw new Error(
        `${path}: bad magic number ${gotMagic} (expected ${magic}: ${magic === IDX_IMAGES_MAGIC ? 'images' : 'labels'})`,
      );
    }
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(header.readUInt32BE(4 + 4 * d));
    if (dims.some((d) => d === 0)) {
      throw new Error(`${path}: header has a zero dimension (${dims.join('×')})`);
    }
    const itemLen = dims.slice(1).reduce((a, b) => a * b, 1);
    const expected = headerLen + dims[0] * itemLen;
    if (size !== expected) {
      throw new Error(
        `${path}: file length ${size} bytes does not match its header (${dims.join('×')} → ${expected} bytes)` +
          (size < expected ? ': truncated' : ': trailing bytes'),
      );
    }
    if (limit !== undefined && limit > dims[0]) {
      throw new OptionError(limitKey, `${limit} exceeds the ${dims[0]} items in ${path}`);
    }
    const count = limit ?? dims[0];
    const data = new Uint8Array(count * itemLen);
    let off = 0;
    while (off < data.length) {
      const n = fs.readSync(fd, data, off, data.length - off, headerLen + off);
      if (n <= 0) throw new Error(`${path}: unexpected end of file at byte ${headerLen + off}`);
      off += n;
    }
    return { dims, count, data };
  } finally {
    fs.closeSync(fd);
  }
}

/** {@link readIdx} of a gzip'd file: inflated in memory, then the same header and length checks. */
function readIdxGz(
  path: string,
  magic: number,
  nDims: number,
  limit: number | undefined,
  limitKey: string,
): { dims: number[]; count: number; data: Uint8Array } {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${path}: ${code === 'ENOENT' ? 'file not found' : `cannot open (${code ?? String(e)})`}`);
  }
  let buf: Buffer;
  try {
    buf = gunzipSync(raw);
  } catch (e) {
    throw new Error(`${path}: not a valid gzip file (${(e as Error).message})`);
  }
  const { dims, headerLen, itemLen } = checkIdxHeader(path, buf, magic, nDims);
  if (limit !== undefined && limit > dims[0]) {
    throw new OptionError(limitKey, `${limit} exceeds the ${dims[0]} items in ${path}`);
  }
  const count = limit ?? dims[0];
  // a copy, so that the (possibly 47 MB) inflated buffer is not kept alive by a small slice
  const data = new Uint8Array(buf.subarray(headerLen, headerLen + count * itemLen));
  return { dims, count, data };
}

/** Checks an in-memory IDX file's header and length (messages as readIdx's, "uncompressed" sizes). */
function checkIdxHeader(path: string, buf: Uint8Array, magic: number, nDims: number): { dims: number[]; headerLen: number; itemLen: number } {
  const headerLen = 4 + 4 * nDims;
  const size = buf.length;
  if (size < headerLen) {
    throw new Error(`${path}: uncompressed ${size} bytes, too short for an IDX header of ${headerLen} bytes`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const gotMagic = view.getUint32(0);
  if (gotMagic !== magic) {
    throw new Error(`${path}: bad magic number ${gotMagic} (expected ${magic}: ${magic === IDX_IMAGES_MAGIC ? 'images' : 'labels'})`);
  }
  const dims: number[] = [];
  for (let d = 0; d < nDims; d++) dims.push(view.getUint32(4 + 4 * d));
  if (dims.some((d) => d === 0)) throw new Error(`${path}: header has a zero dimension (${dims.join('×')})`);
  const itemLen = dims.slice(1).reduce((a, b) => a * b, 1);
  const expected = headerLen + dims[0] * itemLen;
  if (size !== expected) {
    throw new Error(
      `${path}: uncompressed length ${size} bytes does not match its header (${dims.join('×')} → ${expected} bytes)` +
        (size < expected ? ': truncated' : ': trailing bytes'),
    );
  }
  return { dims, headerLen, itemLen };
}

/**
 * The path of the IDX file `name` in `dir`: `dir/name` if it exists, else `dir/name.gz` if that
 * exists, else `dir/name` (whose reading then fails naming it).
 */
export function idxPath(dir: string, name: string): string {
  const plain = join(dir, name);
  if (fs.existsSync(plain)) return plain;
  const gz = `${plain}.gz`;
  return fs.existsSync(gz) ? gz : plain;
}

/** Reads an IDX image file (magic 2051, 3 dimensions). */
export function readIdxImages(path: string, opts: IdxReadOptions = {}): IdxImages {
  const { dims, count, data } = readIdx(path, IDX_IMAGES_MAGIC, 3, opts.limit, opts.limitKey);
  return { count, fileCount: dims[0], rows: dims[1], cols: dims[2], data };
}

/** Reads an IDX label file (magic 2049, 1 dimension). */
export function readIdxLabels(path: string, opts: IdxReadOptions = {}): IdxLabels {
  const { dims, count, data } = readIdx(path, IDX_LABELS_MAGIC, 1, opts.limit, opts.limitKey);
  return { count, fileCount: dims[0], data };
}

/** Encodes images as an IDX file's bytes (used by tests to write small files). */
export function encodeIdxImages(count: number, rows: number, cols: number, pixels: Uint8Array): Uint8Array {
  if (pixels.length !== count * rows * cols) {
    throw new RangeError(`pixels: length ${pixels.length} ≠ ${count}·${rows}·${cols}`);
  }
  const out = Buffer.alloc(16 + pixels.length);
  out.writeUInt32BE(IDX_IMAGES_MAGIC, 0);
  out.writeUInt32BE(count, 4);
  out.writeUInt32BE(rows, 8);
  out.writeUInt32BE(cols, 12);
  out.set(pixels, 16);
  return out;
}

/** Encodes labels as an IDX file's bytes (used by tests to write small files). */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = Buffer.alloc(8 + labels.length);
  out.writeUInt32BE(IDX_LABELS_MAGIC, 0);
  out.writeUInt32BE(labels.length, 4);
  out.set(labels, 8);
  return out;
}
