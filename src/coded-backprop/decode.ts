/**
 * The decoder every code shares. Each received result is a known linear combination
 * R_r = Σ_b g_r[b]·C_b of the unknown blocks C_b (g_r: the worker's coefficient row, length N·P).
 * Block b is determined by the received set exactly when the unit vector e_b lies in the row
 * space of the received coefficient rows; then Ĉ_b = Σ_r d_b[r]·R_r for a decode vector d_b.
 *
 * Incremental Gauss–Jordan elimination in float64 with partial pivoting keeps the received rows
 * in reduced row-echelon form together with the transform that produced each row, so results can
 * be added one at a time as they arrive (the Monte Carlo sweeps grow the received set in time).
 * In RREF, e_b is in the row space iff b is a pivot column whose row is zero in every free column.
 */

/** Relative size below which a pivot or an entry counts as zero (rows are scaled to max |g| = 1). */
export const DEFAULT_DECODE_TOLERANCE = 1e-11;

export class IncrementalDecoder {
  /** RREF rows, each of length `blocks`. */
  private readonly rows: Float64Array[] = [];
  /** transforms[k][r]: weight of received result r in RREF row k. */
  private readonly transforms: Float64Array[] = [];
  private readonly pivotCol: number[] = [];
  private readonly isPivot: Uint8Array;
  /** determined[b] = 1 once block b is determined. */
  readonly determined: Uint8Array;
  /** RREF row index of each determined block. */
  private readonly rowOfBlock: Int32Array;
  private received = 0;

  /**
   * @param blocks number of unknown blocks N·P
   * @param capacity maximal number of results that will be added (the number of workers)
   */
  constructor(
    readonly blocks: number,
    readonly capacity: number,
    readonly tolerance = DEFAULT_DECODE_TOLERANCE,
  ) {
    this.isPivot = new Uint8Array(blocks);
    this.determined = new Uint8Array(blocks);
    this.rowOfBlock = new Int32Array(blocks).fill(-1);
  }

  /** Number of results added so far. */
  get count(): number {
    return this.received;
  }

  /** Rank of the received coefficient rows. */
  get rank(): number {
    return this.rows.length;
  }

  /** Adds the next received result's coefficient row; returns the blocks it newly determines. */
  add(g: ArrayLike<number>): number[] {
    if (this.received >= this.capacity) throw new RangeError(`decoder: more than ${this.capacity} results added`);
    const n = this.blocks;
    const r = this.received++;
    const v = Float64Array.from(g);
    const t = new Float64Array(this.capacity);
    let scale = 0;
    for (let c = 0; c < n; c++) scale = Math.max(scale, Math.abs(v[c]));
    if (scale === 0) return [];
    for (let c = 0; c < n; c++) v[c] /= scale;
    t[r] = 1 / scale;

    for (let k = 0; k < this.rows.length; k++) {
      const f = v[this.pivotCol[k]];
      if (f === 0) continue;
      axpy(v, this.rows[k], -f);
      axpy(t, this.transforms[k], -f, r);
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
    if (best < 0) return []; // in the span already: it adds no information
    const inv = 1 / v[best];
    for (let c = 0; c < n; c++) v[c] *= inv;
    for (let s = 0; s <= r; s++) t[s] *= inv;
    v[best] = 1;
    for (let k = 0; k < this.rows.length; k++) {
      const f = this.rows[k][best];
      if (f === 0) continue;
      axpy(this.rows[k], v, -f);
      axpy(this.transforms[k], t, -f, r);
      this.rows[k][best] = 0;
    }
    this.rows.push(v);
    this.transforms.push(t);
    this.pivotCol.push(best);
    this.isPivot[best] = 1;

    const fresh: number[] = [];
    for (let k = 0; k < this.rows.length; k++) {
      const b = this.pivotCol[k];
      if (this.determined[b]) continue;
      const row = this.rows[k];
      let clean = true;
      for (let c = 0; c < n && clean; c++) {
        if (c !== b && Math.abs(row[c]) > this.tolerance) clean = false;
      }
      if (clean) {
        this.determined[b] = 1;
        this.rowOfBlock[b] = k;
        fresh.push(b);
      }
    }
    return fresh;
  }

  /** Decode vector of a determined block over the results added so far: Ĉ_b = Σ_r d[r]·R_r. */
  decodeVector(block: number): Float64Array {
    const k = this.rowOfBlock[block];
    if (k < 0) throw new RangeError(`decoder: block ${block} is not determined`);
    return this.transforms[k].slice(0, this.received);
  }
}

/** y[0..len) += f·x[0..len) (len defaults to the whole array; `last` limits to indices ≤ last). */
function axpy(y: Float64Array, x: Float64Array, f: number, last = y.length - 1): void {
  for (let i = 0; i <= last; i++) y[i] += f * x[i];
}

/** Result of decoding one received set. */
export interface DecodeResult {
  /** determined[b] for every block b. */
  determined: boolean[];
  /** Decode matrix D (blocks × received) row-major: Ĉ_b = Σ_r D[b·R + r]·R_r; zero rows for lost blocks. */
  matrix: Float64Array;
}

/** Decodes one received set given its coefficient rows (in received order). */
export function decodeReceived(rows: ArrayLike<number>[], blocks: number, tolerance = DEFAULT_DECODE_TOLERANCE): DecodeResult {
  const R = rows.length;
  const dec = new IncrementalDecoder(blocks, Math.max(R, 1), tolerance);
  for (const g of rows) dec.add(g);
  const matrix = new Float64Array(blocks * R);
  const determined: boolean[] = [];
  for (let b = 0; b < blocks; b++) {
    determined.push(dec.determined[b] === 1);
    if (dec.determined[b]) matrix.set(dec.decodeVector(b), b * R);
  }
  return { determined, matrix };
}
