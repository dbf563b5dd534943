/**
 * Precision-aware decoding on the c×r partition, the counterpart of the r×c check
 * (../precision.ts, ../plan-executor.ts decodeResults). On c×r the decoded matrix is Ĉ itself:
 * one decode vector d gives Ĉ = Σ_r d[r]·R_r (cxr/decode.ts), and every packet's rounding lands
 * in that one matrix, so the check is applied to Ĉ as a whole:
 *   accepted ⇔ amplification · u · maxPart ≤ tolerance · ‖Ĉ‖
 * (amplification = Σ_r |d[r]|·max|g_r|, maxPart = max over read r of ‖R_r‖ / max|g_r|, u the unit
 * roundoff of the arithmetic the results were computed in). Packets are not decoded one by one:
 * checking each against its own norm would cost one decode per packet (K× the decode).
 * When Ĉ fails, the unit of the decode (a determined packet, or the determined rest sum) with the
 * largest own bound is left out, Ĉ is decoded again without it, and so on until Ĉ passes or
 * nothing is left; the packets left out are withheld (counted apart from the undetermined ones).
 * With nothing withheld, Ĉ is decoded with the decoder's d itself, the float64 reference's vector.
 */
import { checkPrecision, DEFAULT_PRECISION_TOLERANCE, maxAbs } from '../precision.ts';
import type { WorkerTask } from '../codes/code.ts';
import type { PacketDecode } from './decode.ts';

/** The received results of a c×r plan, indexed by arrival position r (each m·p entries). */
export interface PacketResults {
  /** Unit roundoff of the arithmetic the results were computed in (precision.ts UNIT_ROUNDOFF). */
  readonly unitRoundoff: number;
  /** acc += d·R_r (acc: m×p row-major, float64). */
  addScaled(acc: Float64Array, r: number, d: number): void;
  /** ‖R_r‖_F (a source may compute it in the same pass as addScaled). */
  norm(r: number): number;
}

function frobenius(x: Float64Array): number {
  let s = 0;
  for (let e = 0; e < x.length; e++) s += x[e] * x[e];
  return Math.sqrt(s);
}

/**
 * Decodes Ĉ = Σ_r d[r]·R_r into `out` (float64, zeroed here) with the precision check above.
 * `coef` are the received coefficient rows (arrival order), as given to the decoder.
 * @returns withheld[k]: packet k was in the decode but left out of Ĉ for precision
 */
export function decodePacketsChecked(
  decode: PacketDecode,
  coef: readonly ArrayLike<number>[],
  source: PacketResults,
  out: Float64Array,
  tolerance = DEFAULT_PRECISION_TOLERANCE,
): boolean[] {
  const K = decode.inC.length;
  const R = decode.d.length;
  const withheld = new Array<boolean>(K).fill(false);
  const coefMax = coef.map(maxAbs);
  const norms = new Float64Array(R);
  const normOf = (d: Float64Array) => {
    for (let r = 0; r < R; r++) norms[r] = d[r] !== 0 ? source.norm(r) : 0;
    return norms;
  };
  let kept = decode.units;
  let d = decode.d;
  for (;;) {
    out.fill(0);
    for (let r = 0; r < R; r++) if (d[r] !== 0) source.addScaled(out, r, d[r]);
    if (kept.length === 0) return withheld;
    if (checkPrecision(d, coefMax, normOf(d), frobenius(out), source.unitRoundoff, tolerance).accepted) return withheld;
    // leave out the unit with the largest own rounding bound
    let worst = 0;
    let worstBound = -1;
    kept.forEach((u, i) => {
      const bound = checkPrecision(u.d, coefMax, normOf(u.d), 0, source.unitRoundoff, tolerance).bound;
      if (bound > worstBound) [worst, worstBound] = [i, bound];
    });
    for (const k of kept[worst].packets) withheld[k] = true;
    kept = kept.filter((_, i) => i !== worst);
    d = new Float64Array(R);
    for (const u of kept) for (let r = 0; r < R; r++) d[r] += u.d[r];
  }
}

/**
 * The packet coefficients c (length K) of a stacked task, whose worker returns Σ_k c[k]·A_k·B_k
 * (every term pairs one A_k with the same B_k: cxr/codes.ts stackedTask); null when a term has
 * cross terms A_k·B_l (MatDot).
 */
export function stackedCoefficients(task: WorkerTask, K: number): Float64Array | null {
  const c = new Float64Array(K);
  for (const { a, b } of task.terms) {
    let ka = -1;
    let kb = -1;
    for (let k = 0; k < K; k++) {
      if (a[k] !== 0) {
        if (ka >= 0) return null;
        ka = k;
      }
      if (b[k] !== 0) {
        if (kb >= 0) return null;
        kb = k;
      }
    }
    if (ka < 0 || kb < 0) continue;
    if (ka !== kb) return null;
    c[ka] += a[ka] * b[kb];
  }
  return c;
}
