/**
 * A minimal PNG decoder for tests (8-bit RGB/RGBA/grey, non-interlaced, as resvg writes them):
 * the image size and its pixels, so a test can check that a chart was actually drawn.
 */
import { inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  /** Channels per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
  channels: number;
  /** Row-major pixel bytes, width·height·channels. */
  pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Decodes `png`; throws on anything this decoder does not handle. */
export function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png);
  if (!SIGNATURE.every((b, i) => buf[i] === b)) throw new Error('not a PNG (bad signature)');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      channels = CHANNELS[data[9]] ?? 0;
      if (depth !== 8 || channels === 0 || data[12] !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${data[9]}, interlace ${data[12]})`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      pixels[y * stride + x] = (line[x] + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** Number of pixels that differ from the top-left pixel (the background). */
export function nonBackgroundPixels(img: DecodedPng): number {
  const { pixels, channels } = img;
  let n = 0;
  for (let i = 0; i < pixels.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      if (pixels[i + c] !== pixels[c]) {
        n++;
        break;
      }
    }
  }
  return n;
}

/**
 * Columns at the right edge in which every pixel is background: the empty right margin.
 */
export function emptyRightColumns(img: DecodedPng): number {
  const { width, height, channels, pixels } = img;
  let cols = 0;
  for (let x = width - 1; x >= 0; x--) {
    for (let y = 0; y < height; y++) {
      const i = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) if (pixels[i + c] !== pixels[c]) return cols;
    }
    cols++;
  }
  return cols;
}
