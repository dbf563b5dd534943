/**
 * The project's one source of randomness: a seeded xoshiro128** generator.
 * Every random draw (matrices, code coefficients, windows, worker times, shuffles)
 * comes from an Rng built from a recorded seed, never from an unseeded platform generator.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  /** @param seed any integer; the same seed always gives the same stream. */
  constructor(readonly seed: number) {
    // splitmix32 expands the seed into the 128-bit state.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal N(0, 1) (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /**
   * Fills `out` with `normal() * scale`, the same values (and leaves the stream in the same state)
   * as calling normal() out.length times, several times faster (the state kept in locals).
   */
  fillNormal(out: Float32Array | Float64Array, scale = 1): void {
    const n = out.length;
    let i = 0;
    if (n > 0 && this.spareNormal !== null) {
      out[i++] = this.spareNormal * scale;
      this.spareNormal = null;
    }
    if (i >= n) return;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const draws = new Uint32Array(4);
    while (i < n) {
      let u: number, v: number, s: number;
      do {
        // four nextUint32() on the local state: the two of uniform() for u, then the two for v
        for (let k = 0; k < 4; k++) {
          draws[k] = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9);
          const t = (s1 << 9) >>> 0;
          s2 = (s2 ^ s0) >>> 0;
          s3 = (s3 ^ s1) >>> 0;
          s1 = (s1 ^ s2) >>> 0;
          s0 = (s0 ^ s3) >>> 0;
          s2 = (s2 ^ t) >>> 0;
          s3 = rotl(s3, 11);
        }
        u = 2 * (((draws[0] >>> 5) * 67108864 + (draws[1] >>> 6)) / 9007199254740992) - 1;
        v = 2 * (((draws[2] >>> 5) * 67108864 + (draws[3] >>> 6)) / 9007199254740992) - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = u * f * scale;
      if (i < n) out[i++] = v * f * scale;
      else this.spareNormal = v * f;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.uniform()) / rate;
  }

  /** Index drawn from a discrete distribution `probs` (summing to 1). */
  categorical(probs: ArrayLike<number>): number {
    const u = this.uniform();
    let acc = 0;
    for (let i = 0; i < probs.length; i++) {
      acc += probs[i];
      if (u < acc) return i;
    }
    return probs.length - 1;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp as never;
    }
  }

  /** An independent child stream, deterministic in (this stream's state). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** 32-bit FNV-1a hash of a string. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** murmur3's 32-bit finaliser. */
function fmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Seed of the random stream named `label` (chunk `chunk`) under a run's seed. Every consumer
 * derives its own stream by name (`new Rng(streamSeed(seed, 'code'))`), so a change in how
 * many draws one consumer makes never shifts another's.
 */
export function streamSeed(seed: number, label: string, chunk = 0): number {
  return fmix32(fmix32((seed >>> 0) ^ hashString(label)) ^ fmix32(Math.imul(chunk + 1, 0x9e3779b9) >>> 0));
}
