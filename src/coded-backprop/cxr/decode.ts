/**
 * Decoding on the c×r partition. Every received result is R_r = Σ_{k,l} g_r[k·K + l]·A_k·B_l
 * (m×p) over the K² outer products; C = Σ_k A_k·B_k (the diagonal).
 *   0. Products whose columns are equal in every received row (up to rounding: MatDot's
 *      x^k·x^{K−1−l} depends only on k − l; the untouched products of the stacked codes are all
 *      zero) only ever appear as their sum, so they are merged into one unknown (their sum).
 *      Without this, rounding in the equal columns shows up as spurious rank and hides C.
 *   1. Packet k is recovered exactly when it is an unknown of its own (no merged partner) whose
 *      unit vector lies in the row space of the received rows (the shared decoder, decode.ts).
 *   2. The remaining packets enter Ĉ only if their sum S is determined (MatDot: then every
 *      packet). S is a combination of merged unknowns iff the merged unknowns holding a remaining
 *      packet hold nothing else; then the invertible change of variables that replaces the
 *      first of them, u0, by S (column u0 keeps g[u0], the others u become g[u] − g[u0]) makes S
 *      an unknown, determined iff its unit vector is in the transformed row space.
 * Ĉ = Σ recovered packets (+ S when determined) = Σ_r d[r]·R_r for one decode vector d.
 */
import { decodeReceived } from '../decode.ts';

export interface PacketDecode {
  /** packetDetermined[k]: packet k itself is determined by the received set. */
  packetDetermined: boolean[];
  /** The sum of the undetermined packets is determined (they all enter Ĉ together). */
  restSum: boolean;
  /** inC[k]: packet k's term is in Ĉ (determined alone, or inside the determined rest sum). */
  inC: boolean[];
  /** Ĉ = Σ_r d[r]·R_r over the received results (length R). */
  d: Float64Array;
  /**
   * The terms of d, in the order they are summed into it: one per determined packet, then the
   * rest sum (its packets together) when determined. A unit can be left out of Ĉ on its own
   * (the precision check, cxr/precision.ts): Ĉ without it is Σ_r (d − unit.d)[r]·R_r.
   */
  units: PacketUnit[];
}

/** One term of a packet decode: the packets it puts into Ĉ and its decode vector (length R). */
export interface PacketUnit {
  packets: number[];
  d: Float64Array;
}

/** Relative difference below which two columns of the row-scaled coefficients are equal. */
const MERGE_TOLERANCE = 1e-12;

/** Group index of each of the n columns: columns equal in every (max-scaled) row share a group. */
function mergeColumns(rows: Float64Array[], n: number): { group: Int32Array; groups: number } {
  const scaled = rows.map((g) => {
    let s = 0;
    for (const v of g) s = Math.max(s, Math.abs(v));
    return s > 0 ? g.map((v) => v / s) : g;
  });
  const group = new Int32Array(n).fill(-1);
  const reps: number[] = [];
  for (let c = 0; c < n; c++) {
    for (let q = 0; q < reps.length && group[c] < 0; q++) {
      if (scaled.every((g) => Math.abs(g[c] - g[reps[q]]) <= MERGE_TOLERANCE)) group[c] = q;
    }
    if (group[c] < 0) {
      group[c] = reps.length;
      reps.push(c);
    }
  }
  return { group, groups: reps.length };
}

function decodeVectorOf(rows: Float64Array[], unknowns: number, target: number, tolerance: number): Float64Array | null {
  const R = rows.length;
  const res = decodeReceived(rows, unknowns, tolerance);
  return res.determined[target] ? res.matrix.slice(target * R, (target + 1) * R) : null;
}

/** Decodes the received coefficient rows (each of length K², in received order). */
export function decodePackets(rows: Float64Array[], K: number, tolerance: number): PacketDecode {
  const R = rows.length;
  const d = new Float64Array(R);
  const packetDetermined = new Array<boolean>(K).fill(false);
  const units: PacketUnit[] = [];
  if (R === 0) return { packetDetermined, restSum: false, inC: [...packetDetermined], d, units };
  const { group, groups } = mergeColumns(rows, K * K);
  const members = new Array<number>(groups).fill(0);
  for (const q of group) members[q]++;
  // merged rows: one column per group, holding the (common) value of its first column
  const first = new Int32Array(groups).fill(-1);
  group.forEach((q, c) => {
    if (first[q] < 0) first[q] = c;
  });
  const merged = rows.map((g) => Float64Array.from(first, (c) => g[c]));
  const res = decodeReceived(merged, groups, tolerance);
  for (let k = 0; k < K; k++) {
    const q = group[k * K + k];
    if (members[q] !== 1 || !res.determined[q]) continue;
    packetDetermined[k] = true;
    const dk = res.matrix.slice(q * R, (q + 1) * R);
    units.push({ packets: [k], d: dk });
    for (let r = 0; r < R; r++) d[r] += dk[r];
  }
  const rest = packetDetermined.flatMap((ok, k) => (ok ? [] : [k]));
  let restSum = false;
  if (rest.length > 0) {
    const restGroups = [...new Set(rest.map((k) => group[k * K + k]))];
    const restCount = restGroups.reduce((s, q) => s + members[q], 0);
    if (restCount === rest.length) {
      // the groups hold only remaining packets (each holds ≥ 1 of them): S = Σ of these unknowns
      const u0 = restGroups[0];
      const moved = merged.map((g) => {
        const h = Float64Array.from(g);
        for (const u of restGroups.slice(1)) h[u] = g[u] - g[u0];
        return h;
      });
      const v = decodeVectorOf(moved, groups, u0, tolerance);
      if (v) {
        restSum = true;
        units.push({ packets: rest, d: v });
        for (let r = 0; r < R; r++) d[r] += v[r];
      }
    }
  }
  const inC = packetDetermined.map((ok) => ok || restSum);
  return { packetDetermined, restSum, inC, d, units };
}
