/**
 * The product code's decoding, exactly, by enumerating every arrival set (DESIGN §12).
 *
 * Workers (as codes/product.ts): 0..NP−1 the blocks C_ij (worker i·P + j), NP + i the row parity
 * Σ_j C_ij, NP + N + j the column parity Σ_i C_ij, the last the global parity Σ C_ij. An arrival
 * set is a W-bit mask (W = NP + N + P + 1 ≤ 24). For each one, the blocks it determines (e_b in
 * the row space of the arrived coefficient rows; exact: the rows are 0/1 and the elimination's
 * pivots are ±1-scaled small rationals) and the blocks peeling recovers.
 *
 * Loss after n results: ℓ(n) = mean over the C(W, n) n-subsets of Σ_{undetermined b} E_b / Σ_b E_b;
 * at a deadline, Σ_n Bin(W, F)(n)·ℓ(n), which is the sum over all 2^W sets weighted by
 * F^|S|(1 − F)^{W−|S|}.
 */
import { checkInteger } from './validate.ts';

/** Most workers the enumeration accepts (2^24 sets). */
export const MAX_PRODUCT_ENUMERATION_WORKERS = 24;

/** Coefficient rows (length N·P, index i·P + j) of the product code's W workers. */
export function productCodeRows(N: number, P: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let b = 0; b < N * P; b++) {
    const g = new Float64Array(N * P);
    g[b] = 1;
    rows.push(g);
  }
  for (let i = 0; i < N; i++) rows.push(Float64Array.from({ length: N * P }, (_, b) => (Math.floor(b / P) === i ? 1 : 0)));
  for (let j = 0; j < P; j++) rows.push(Float64Array.from({ length: N * P }, (_, b) => (b % P === j ? 1 : 0)));
  rows.push(new Float64Array(N * P).fill(1));
  return rows;
}

/**
 * Bitmask of the blocks the rows selected by `mask` determine: Gauss–Jordan elimination, then
 * block b is determined iff b is a pivot column whose row is zero in every free column.
 */
export function determinedBlocks(rows: readonly Float64Array[], mask: number): number {
  const n = rows[0].length;
  const rref: Float64Array[] = [];
  const pivots: number[] = [];
  for (let w = 0; w < rows.length; w++) {
    if (!(mask & (1 << w))) continue;
    const r = Float64Array.from(rows[w]);
    for (let k = 0; k < rref.length; k++) {
      const f = r[pivots[k]];
      if (f !== 0) for (let c = 0; c < n; c++) r[c] -= f * rref[k][c];
    }
    let p = -1;
    for (let c = 0; c < n; c++) if (Math.abs(r[c]) > 1e-9) { p = c; break; }
    if (p < 0) continue;
    const s = r[p];
    for (let c = 0; c < n; c++) r[c] /= s;
    for (const q of rref) {
      const f = q[p];
      if (f !== 0) for (let c = 0; c < n; c++) q[c] -= f * r[c];
    }
    rref.push(r);
    pivots.push(p);
  }
  let out = 0;
  const isPivot = new Uint8Array(n);
  for (const p of pivots) isPivot[p] = 1;
  rref.forEach((r, k) => {
    for (let c = 0; c < n; c++) if (!isPivot[c] && Math.abs(r[c]) > 1e-9) return;
    out |= 1 << pivots[k];
  });
  return out;
}

/**
 * Bitmask of the blocks peeling recovers: on the (N+1)×(P+1) array of blocks and parities (row
 * parities in column P, column parities in row N, the global parity at (N, P)), every row and
 * every column sums to its parity; any such line with exactly one unknown entry gives it, until
 * none does.
 */
export function peelingBlocks(N: number, P: number, mask: number): number {
  const known: boolean[][] = Array.from({ length: N + 1 }, (_, i) =>
    Array.from({ length: P + 1 }, (_, j) => {
      const w = i < N && j < P ? i * P + j : i < N ? N * P + i : j < P ? N * P + N + j : N * P + N + P;
      return (mask & (1 << w)) !== 0;
    }),
  );
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i <= N; i++) {
      const unknown = known[i].flatMap((k, j) => (k ? [] : [j]));
      if (unknown.length === 1) {
        known[i][unknown[0]] = true;
        changed = true;
      }
    }
    for (let j = 0; j <= P; j++) {
      const unknown = known.flatMap((row, i) => (row[j] ? [] : [i]));
      if (unknown.length === 1) {
        known[unknown[0]][j] = true;
        changed = true;
      }
    }
  }
  let out = 0;
  for (let i = 0; i < N; i++) for (let j = 0; j < P; j++) if (known[i][j]) out |= 1 << (i * P + j);
  return out;
}

/** Per arrival set (index = W-bit mask), the determined blocks' bitmask; cached per grid. */
const cache = new Map<string, Uint32Array>();
export function productCodeDeterminedTable(N: number, P: number): Uint32Array {
  checkInteger(N, 'N', 2);
  checkInteger(P, 'P', 2);
  const rows = productCodeRows(N, P);
  if (rows.length > MAX_PRODUCT_ENUMERATION_WORKERS) {
    throw new RangeError(`product code: enumerating 2^${rows.length} arrival sets is too many (at most W = ${MAX_PRODUCT_ENUMERATION_WORKERS})`);
  }
  const key = `${N}x${P}`;
  let table = cache.get(key);
  if (!table) {
    table = new Uint32Array(1 << rows.length);
    for (let mask = 0; mask < table.length; mask++) table[mask] = determinedBlocks(rows, mask);
    cache.set(key, table);
  }
  return table;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/**
 * ℓ(n) for n = 0..W: mean over the n-subsets of the undetermined blocks' energy share.
 * @param energies E‖C_b‖² per block (length N·P, index i·P + j), ≥ 0 with a positive sum
 */
export function productCodeLossVsReceived(N: number, P: number, energies: readonly number[]): Float64Array {
  const table = productCodeDeterminedTable(N, P);
  const W = productCodeWorkers(N, P);
  if (energies.length !== N * P || energies.some((e) => !(e >= 0))) throw new RangeError(`energies: need ${N * P} energies ≥ 0 (one per block)`);
  const total = energies.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError('energies: must have a positive sum');
  const sum = new Float64Array(W + 1);
  const count = new Float64Array(W + 1);
  for (let mask = 0; mask < table.length; mask++) {
    let lost = 0;
    for (let b = 0; b < N * P; b++) if (!(table[mask] & (1 << b))) lost += energies[b];
    const n = popcount(mask);
    sum[n] += lost / total;
    count[n]++;
  }
  return sum.map((s, n) => s / count[n]);
}

function productCodeWorkers(N: number, P: number): number {
  return N * P + N + P + 1;
}

/** Over every arrival set: how many sets, how many where elimination determines more data blocks than peeling, and any where it determines fewer. */
export function comparePeeling(N: number, P: number): { sets: number; moreThanPeeling: number; fewerThanPeeling: number; example?: number } {
  const table = productCodeDeterminedTable(N, P);
  let moreThanPeeling = 0;
  let fewerThanPeeling = 0;
  let example: number | undefined;
  for (let mask = 0; mask < table.length; mask++) {
    const peel = peelingBlocks(N, P, mask);
    if ((peel & ~table[mask]) !== 0) fewerThanPeeling++;
    if ((table[mask] & ~peel) !== 0) {
      moreThanPeeling++;
      example ??= mask;
    }
  }
  return { sets: table.length, moreThanPeeling, fewerThanPeeling, ...(example !== undefined ? { example } : {}) };
}
