/**
 * The plan-driven executor every path shares: given the received results of a plan (each a known
 * combination R_r = Σ_b g_r[b]·C_b, U×Q) it decodes every determined block
 *   Ĉ_b = Σ_r d_b[r]·R_r   (accumulated in float64, r in arrival order)
 * and keeps it only if it passes the precision check of the arithmetic the results were computed
 * in (precision.ts); a determined block that fails is withheld. Executors differ only in how they
 * compute and hold the results, which they expose as a {@link ResultSource}:
 *   - float64 reference (execute-f64.ts): one literal W_A·W_B per received worker;
 *   - tfjs tensors (execute-tensor.ts): results as sums of grouped float32 parts;
 *   - real runtimes (src/runtime): float32 products that came back from workers;
 *   - the Monte Carlo (src/montecarlo): float64 products computed on first use, results added one
 *     arrival at a time ({@link IncrementalExecution}).
 */
import { DEFAULT_DECODE_TOLERANCE, type DecodeResult, IncrementalDecoder } from './decode.ts';
import { checkPrecision, DEFAULT_PRECISION_TOLERANCE, maxAbs } from './precision.ts';

/** The received results of a plan, indexed by arrival position r. */
export interface ResultSource {
  /** Entries per block (U·Q). */
  readonly blockSize: number;
  /** Unit roundoff of the arithmetic the results were computed in (precision.ts UNIT_ROUNDOFF). */
  readonly unitRoundoff: number;
  /**
   * ‖R_r‖_F, or a bound on it (the sum of the norms of the parts R_r is computed from), as it
   * enters the decode of block `target`: the norm of what addScaled(·, r, ·, target) adds.
   * Called after that addScaled when d[r] ≠ 0 (a source may compute the norm in the same pass).
   */
  norm(r: number, target: number): number;
  /**
   * block += d·R_r (block: U×Q row-major, float64), as a term of the decode of block `target`.
   * A source whose results are sums of parts that each lie in one group of blocks may add only
   * R_r's part in `target`'s group: the decode vector d_b satisfies Σ_r d_b[r]·g_r = e_b, so the
   * other groups' parts sum to zero in Ĉ_b up to rounding (the decode is then cheaper, and its
   * rounding no larger).
   */
  addScaled(block: Float64Array, r: number, d: number, target: number): void;
  /**
   * Optional: the U·Q float64 buffer the batch decode accumulates blocks in (one per decoding,
   * reused for every block), for a source whose addScaled is fastest on a buffer of its own (the
   * tensor path's: in the wasm heap, for its SIMD kernels). Default: a new Float64Array.
   */
  buffer?(): Float64Array;
  /**
   * Optional: the whole decode of block `target` in one pass, block = Σ_r d[r]·R_r with exactly
   * the values of zeroing it and calling addScaled for each r with d[r] ≠ 0 in order, returning
   * ‖block‖² (possibly summed in another order than a plain loop: it only enters the precision
   * check); or null when this source cannot (the caller then takes the addScaled path).
   */
  combine?(block: Float64Array, d: ArrayLike<number>, target: number): number | null;
}

function frobenius(x: Float64Array): number {
  let s = 0;
  for (let e = 0; e < x.length; e++) s += x[e] * x[e];
  return Math.sqrt(s);
}

/** Σ_r d[r]·R_r into `block` (zeroed first) for the decode of block `target`, skipping zero weights. */
function combineInto(block: Float64Array, d: ArrayLike<number>, source: ResultSource, target: number): void {
  block.fill(0);
  for (let r = 0; r < d.length; r++) if (d[r] !== 0) source.addScaled(block, r, d[r], target);
}

/** Batch decoding of one received set: a block getter for scatterBlocks and the withheld blocks. */
export interface PlanDecoding {
  /**
   * Ĉ_b (float64, U×Q; a buffer reused by the next call) or null when b is not determined or
   * is withheld. Call once per block.
   */
  block(b: number): Float64Array | null;
  /** withheld[b]: determined, but failed the precision check (left at zero). */
  readonly withheld: boolean[];
}

/**
 * Decodes a received set. `coef` are the received coefficient rows (arrival order, as the
 * decode's columns), `decode` their decoding (plan.decode).
 */
export function decodeResults(
  decode: DecodeResult,
  coef: readonly ArrayLike<number>[],
  source: ResultSource,
  tolerance = DEFAULT_PRECISION_TOLERANCE,
): PlanDecoding {
  const R = coef.length;
  const blocks = decode.determined.length;
  const coefMax = coef.map(maxAbs);
  const partNorm = new Float64Array(R);
  const withheld = new Array<boolean>(blocks).fill(false);
  const buf = source.buffer?.() ?? new Float64Array(source.blockSize);
  return {
    withheld,
    block(b) {
      if (!decode.determined[b]) return null;
      const d = decode.matrix.subarray(b * R, (b + 1) * R);
      const sq = source.combine?.(buf, d, b) ?? null;
      if (sq === null) combineInto(buf, d, source, b);
      for (let r = 0; r < R; r++) partNorm[r] = d[r] !== 0 ? source.norm(r, b) : 0;
      if (!checkPrecision(d, coefMax, partNorm, sq === null ? frobenius(buf) : Math.sqrt(sq), source.unitRoundoff, tolerance).accepted) {
        withheld[b] = true;
        return null;
      }
      return buf;
    },
  };
}

/** A block newly decoded by an arrival. */
export interface DecodedBlock {
  block: number;
  /** Ĉ_b (float64, U×Q, owned by the caller), or null when withheld for precision. */
  value: Float64Array | null;
  /** Its decode vector over the results received so far (d[r] weights the r-th arrival). */
  decodeVector: Float64Array;
}

/**
 * The incremental variant: results are added one arrival at a time (the Monte Carlo grows the
 * received set in time); each arrival returns the blocks it newly determines, decoded from the
 * results received so far. A block keeps the value it was first decoded with. The source is
 * indexed by arrival position and is only asked for results a decode vector weights.
 */
export class IncrementalExecution {
  private readonly decoder: IncrementalDecoder;
  private readonly coefMax: number[] = [];
  private readonly partNorm: Float64Array;

  /**
   * @param blocks number of blocks N·P
   * @param capacity most results that will arrive (W)
   */
  constructor(
    blocks: number,
    capacity: number,
    private readonly source: ResultSource,
    decodeTolerance = DEFAULT_DECODE_TOLERANCE,
    private readonly precisionTolerance = DEFAULT_PRECISION_TOLERANCE,
  ) {
    this.decoder = new IncrementalDecoder(blocks, capacity, decodeTolerance);
    this.partNorm = new Float64Array(capacity);
  }

  /** Results received so far. */
  get count(): number {
    return this.decoder.count;
  }

  /** Adds the next arrival's coefficient row; returns the blocks it newly decodes. */
  add(g: ArrayLike<number>): DecodedBlock[] {
    this.coefMax.push(maxAbs(g));
    const fresh = this.decoder.add(g);
    return fresh.map((b) => {
      const d = this.decoder.decodeVector(b);
      const value = new Float64Array(this.source.blockSize);
      combineInto(value, d, this.source, b);
      for (let r = 0; r < d.length; r++) this.partNorm[r] = d[r] !== 0 ? this.source.norm(r, b) : 0;
      const ok = checkPrecision(d, this.coefMax, this.partNorm, frobenius(value), this.source.unitRoundoff, this.precisionTolerance).accepted;
      return { block: b, value: ok ? value : null, decodeVector: d };
    });
  }
}
