/**
 * The decoder every code shares. Each received result is a known linear combination
 * R_r = Σ_b g_r[b]·C_b of the unknown blocks C_b (g_r: the worker's coefficient row, length N·P).
 * Block b is determined by the received set exactly when the unit vector e_b lies in the row
 * space of the received coefficient rows; then Ĉ_b = Σ_r d_b[r]·R_r for a decode vector d_b.
 *
 * Which blocks are determined: incremental Gauss–Jordan elimination in float64 with partial
 * pivoting keeps the received rows in reduced row-echelon form, so results can be added one at a
 * time as they arrive (the Monte Carlo sweeps grow the received set in time). In RREF, e_b is in
 * the row space iff b is a pivot column whose row is zero in every free column.
 *
 * How to decode them: by backward-stable least squares over a well-conditioned subset of ALL the
 * rows received so far (least-squares.ts), not by the elimination's transforms. A determined
 * block is accepted only if that decode is numerically meaningful: residual ‖Σ d_r ĝ_r − e_b‖ ≤
 * `tolerance`-scaled and error amplification Σ_r |d_r|·max|g_r| ≤ maxAmplification (rounding
 * in the products grows by at most that factor). Real polynomial (MDS) codes with many workers
 * have received subsets too ill-conditioned to decode in floating point; their blocks wait, as
 * "not yet decoded", until later results make a stable decode possible.
 */
import { selectRows } from './least-squares.ts';

/** Relative size below which a pivot or an entry counts as zero (rows are scaled to max |g| = 1). */
export const DEFAULT_DECODE_TOLERANCE = 1e-11;
/** Largest accepted error amplification of a decode vector (float64 rounding 1e-16 → ≤ 1e-6). */
export const DEFAULT_MAX_AMPLIFICATION = 1e10;

export class IncrementalDecoder {
  /** RREF rows, each of length `blocks`. */
  private readonly rref: Float64Array[] = [];
  private readonly pivotCol: number[] = [];
  private readonly isPivot: Uint8Array;
  /** Received rows scaled to max |g| = 1, and their scales. */
  private readonly scaled: Float64Array[] = [];
  private readonly scales: number[] = [];
  /** structural[b] = 1 once e_b is in the row space. */
  private readonly structural: Uint8Array;
  /** Structurally determined blocks still waiting for a numerically stable decode. */
  private pending: number[] = [];
  /** determined[b] = 1 once block b is decoded (structurally determined and stable). */
  readonly determined: Uint8Array;
  private readonly vectors = new Map<number, Float64Array>();

  /**
   * @param blocks number of unknown blocks N·P
   * @param capacity maximal number of results that will be added (the number of workers)
   */
  constructor(
    readonly blocks: number,
    readonly capacity: number,
    readonly tolerance = DEFAULT_DECODE_TOLERANCE,
    readonly maxAmplification = DEFAULT_MAX_AMPLIFICATION,
  ) {
    this.isPivot = new Uint8Array(blocks);
    this.structural = new Uint8Array(blocks);
    this.determined = new Uint8Array(blocks);
  }

  /** Number of results added so far. */
  get count(): number {
    return this.scaled.length;
  }

  /** Rank of the received coefficient rows. */
  get rank(): number {
    return this.rref.length;
  }

  /** Adds the next received result's coefficient row; returns the blocks it newly lets us decode. */
  add(g: ArrayLike<number>): number[] {
    return this.addAll([g]);
  }

  /**
   * Adds several results at once (in arrival order); returns the blocks they newly let us decode.
   * One least-squares pass at the end instead of one per result, so the decode vectors use all
   * of them (adding one by one fixes a block's vector when it first decodes).
   */
  addAll(rows: ArrayLike<number>[]): number[] {
    if (this.count + rows.length > this.capacity) throw new RangeError(`decoder: more than ${this.capacity} results added`);
    const n = this.blocks;
    const fresh: number[] = [];
    for (const g of rows) {
      let scale = 0;
      for (let c = 0; c < n; c++) scale = Math.max(scale, Math.abs(g[c]));
      const v = new Float64Array(n);
      if (scale > 0) for (let c = 0; c < n; c++) v[c] = g[c] / scale;
      this.scaled.push(v);
      this.scales.push(scale || 1);
      if (scale > 0) fresh.push(...this.eliminate(Float64Array.from(v)));
    }
    const candidates = this.pending.concat(fresh);
    if (candidates.length === 0) return [];
    // decode vectors over every row received so far, from one pivoted QR
    const sel = selectRows(this.scaled, n, this.tolerance);
    const decoded: number[] = [];
    this.pending = [];
    for (const b of candidates) {
      const { x, residual } = sel.solve(b);
      const d = new Float64Array(this.capacity);
      let amplification = 0;
      sel.selected.forEach((r, s) => {
        d[r] = x[s] / this.scales[r];
        amplification += Math.abs(x[s]);
      });
      if (residual <= 1e3 * this.tolerance && amplification <= this.maxAmplification) {
        this.determined[b] = 1;
        this.vectors.set(b, d);
        decoded.push(b);
      } else {
        this.pending.push(b);
      }
    }
    return decoded;
  }

  /** Updates the RREF with a scaled row; returns the blocks that became structurally determined. */
  private eliminate(v: Float64Array): number[] {
    const n = this.blocks;
    for (let k = 0; k < this.rref.length; k++) {
      const f = v[this.pivotCol[k]];
      if (f === 0) continue;
      const row = this.rref[k];
      for (let c = 0; c < n; c++) v[c] -= f * row[c];
      v[this.pivotCol[k]] = 0;
    }
    let best = -1;
    let bestAbs = this.tolerance;
    for (let c = 0; c < n; c++) {
      const a = Math.abs(v[c]);
      if (!this.isPivot[c] && a > bestAbs) {
        best = c;
        bestAbs = a;
      }
    }
    if (best < 0) return []; // in the span already: no block newly determined
    const inv = 1 / v[best];
    for (let c = 0; c < n; c++) v[c] *= inv;
    v[best] = 1;
    for (const row of this.rref) {
      const f = row[best];
      if (f === 0) continue;
      for (let c = 0; c < n; c++) row[c] -= f * v[c];
      row[best] = 0;
    }
    this.rref.push(v);
    this.pivotCol.push(best);
    this.isPivot[best] = 1;
    const fresh: number[] = [];
    this.rref.forEach((row, k) => {
      const b = this.pivotCol[k];
      if (this.structural[b]) return;
      for (let c = 0; c < n; c++) if (c !== b && Math.abs(row[c]) > this.tolerance) return;
      this.structural[b] = 1;
      fresh.push(b);
    });
    return fresh;
  }

  /** Decode vector of a decoded block over the results added so far: Ĉ_b = Σ_r d[r]·R_r. */
  decodeVector(block: number): Float64Array {
    const d = this.vectors.get(block);
    if (!d) throw new RangeError(`decoder: block ${block} is not decoded`);
    return d.slice(0, this.count);
  }
}

/** Result of decoding one received set. */
export interface DecodeResult {
  /** determined[b] for every block b. */
  determined: boolean[];
  /** Decode matrix D (blocks × received) row-major: Ĉ_b = Σ_r D[b·R + r]·R_r; zero rows for lost blocks. */
  matrix: Float64Array;
  /**
   * Approximate codes (BACC) only: estimated[b] when block b's decode is an estimate, not exact
   * (determined[b] then means "has a value"). Its decode vector does not satisfy Σ_r d[r]·g_r = e_b,
   * so executors must add whole results (no cancelling of other blocks' parts).
   */
  estimated?: boolean[];
}

/** Decodes one received set given its coefficient rows (in received order). */
export function decodeReceived(
  rows: ArrayLike<number>[],
  blocks: number,
  tolerance = DEFAULT_DECODE_TOLERANCE,
  maxAmplification = DEFAULT_MAX_AMPLIFICATION,
): DecodeResult {
  const R = rows.length;
  const direct = decodeSingleBlockRows(rows, blocks);
  if (direct) return direct;
  const dec = new IncrementalDecoder(blocks, Math.max(R, 1), tolerance, maxAmplification);
  dec.addAll(rows);
  const matrix = new Float64Array(blocks * R);
  const determined: boolean[] = [];
  for (let b = 0; b < blocks; b++) {
    determined.push(dec.determined[b] === 1);
    if (dec.determined[b]) matrix.set(dec.decodeVector(b), b * R);
  }
  return { determined, matrix };
}

/**
 * The decode when every received row holds a single block (uncoded, repetition, windows of one
 * block): block b is determined iff some row is c·e_b, and its decode is that row's result / c
 * (the first such row in arrival order, as the elimination would pick among equal rows). Returns
 * null when some row mixes blocks (or is zero), leaving the general decoder to it.
 */
function decodeSingleBlockRows(rows: ArrayLike<number>[], blocks: number): DecodeResult | null {
  const R = rows.length;
  const matrix = new Float64Array(blocks * R);
  const determined = new Array<boolean>(blocks).fill(false);
  for (let r = 0; r < R; r++) {
    const g = rows[r];
    const only = soleNonzero(g, 0, blocks);
    if (only < 0) return null;
    if (determined[only]) continue;
    determined[only] = true;
    matrix[only * R + r] = 1 / g[only];
  }
  return { determined, matrix };
}

/**
 * The offset k (0 ≤ k < to − from) of the only nonzero among x[from..to), or −1 when there is
 * none or more than one: a coefficient row holding a single block, a decode vector reading a
 * single result.
 */
export function soleNonzero(x: ArrayLike<number>, from: number, to: number): number {
  let found = -1;
  for (let e = from; e < to; e++) {
    if (x[e] === 0) continue;
    if (found >= 0) return -1;
    found = e - from;
  }
  return found;
}
