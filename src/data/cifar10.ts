/**
 * Reader for the binary version of CIFAR-10 (https://www.cs.toronto.edu/~kriz/cifar.html,
 * cifar-10-binary.tar.gz): files of records of 1 label byte (0..9) then 3072 pixel bytes
 * (1024 red, 1024 green, 1024 blue, each a row-major 32×32 plane). The training set is
 * data_batch_1.bin … data_batch_5.bin in that order, the test set test_batch.bin (10 000
 * records each in the official files; any positive whole number of records is accepted).
 *
 * Images become Float32Array n×3072 in HWC order (row, column, channel: what tfjs's NHWC
 * convolutions expect), scaled to [0, 1]. Every failed check throws an Error starting with the
 * file path (missing, empty, length not a whole number of records, label out of range).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { OptionError } from '../util/option-error.ts';
import type { MnistSplit } from './mnist.ts';

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS;
/** Bytes per record: 1 label + 3072 pixels. */
export const CIFAR_RECORD = 1 + CIFAR_PIXELS;
export const CIFAR_CLASSES = 10;

export const CIFAR_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR_TEST_FILES = ['test_batch.bin'] as const;

/** Records in one file, after checking its length; throws naming the file. */
function recordsIn(path: string): number {
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${path}: ${code === 'ENOENT' ? 'file not found' : `cannot open (${code ?? String(e)})`}`);
  }
  if (size === 0 || size % CIFAR_RECORD !== 0) {
    throw new Error(
      `${path}: ${size} bytes is not a whole number of CIFAR-10 records of ${CIFAR_RECORD} bytes (1 label + 3072 pixels)` +
        (size > 0 ? `: truncated or not the binary version (${Math.floor(size / CIFAR_RECORD)} records and ${size % CIFAR_RECORD} bytes over)` : ''),
    );
  }
  return size / CIFAR_RECORD;
}

/**
 * Reads the first `limit` records (all by default) of `files` in `dir`, in order, as one split.
 * Only the files the limit reaches are read, but every listed file's length is checked.
 */
export function readCifarFiles(dir: string, files: readonly string[], opts: { limit?: number; limitKey?: string } = {}): MnistSplit {
  const limitKey = opts.limitKey ?? 'limit';
  const paths = files.map((f) => join(dir, f));
  const counts = paths.map(recordsIn);
  const total = counts.reduce((a, b) => a + b, 0);
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) {
    throw new OptionError(limitKey, `must be a positive integer, got ${opts.limit}`);
  }
  if (opts.limit !== undefined && opts.limit > total) {
    throw new OptionError(limitKey, `${opts.limit} exceeds the ${total} records in ${files.join(', ')}`);
  }
  const count = opts.limit ?? total;
  const images = new Float32Array(count * CIFAR_PIXELS);
  const labels = new Uint8Array(count);
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const inv = 1 / 255;
  let n = 0;
  for (let f = 0; f < paths.length && n < count; f++) {
    const take = Math.min(counts[f], count - n);
    const fd = fs.openSync(paths[f], 'r');
    const buf = Buffer.alloc(take * CIFAR_RECORD);
    try {
      let off = 0;
      while (off < buf.length) {
        const got = fs.readSync(fd, buf, off, buf.length - off, off);
        if (got <= 0) throw new Error(`${paths[f]}: unexpected end of file at byte ${off}`);
        off += got;
      }
    } finally {
      fs.closeSync(fd);
    }
    for (let r = 0; r < take; r++, n++) {
      const rec = r * CIFAR_RECORD;
      const label = buf[rec];
      if (label >= CIFAR_CLASSES) throw new Error(`${paths[f]}: label ${label} of record ${r} is not a class 0..9`);
      labels[n] = label;
      // CHW planes → HWC: pixel p of channel c goes to p·3 + c
      const out = n * CIFAR_PIXELS;
      for (let c = 0; c < CIFAR_CHANNELS; c++) {
        const src = rec + 1 + c * plane;
        for (let p = 0; p < plane; p++) images[out + p * CIFAR_CHANNELS + c] = buf[src + p] * inv;
      }
    }
  }
  return { count, dim: CIFAR_PIXELS, images, labels };
}

/**
 * Encodes records in the binary format (tests write small files with it).
 * pixels: count×3072 bytes, each record's planes R, G, B (the file's own order).
 */
export function encodeCifarRecords(labels: Uint8Array, pixels: Uint8Array): Uint8Array {
  if (pixels.length !== labels.length * CIFAR_PIXELS) {
    throw new RangeError(`pixels: length ${pixels.length} ≠ ${labels.length}·${CIFAR_PIXELS}`);
  }
  const out = new Uint8Array(labels.length * CIFAR_RECORD);
  for (let i = 0; i < labels.length; i++) {
    out[i * CIFAR_RECORD] = labels[i];
    out.set(pixels.subarray(i * CIFAR_PIXELS, (i + 1) * CIFAR_PIXELS), i * CIFAR_RECORD + 1);
  }
  return out;
}
