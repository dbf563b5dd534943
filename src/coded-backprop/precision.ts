/**
 * Precision-aware acceptance of a decoded block. A block b that the received set determines is
 * decoded as Ĉ_b = Σ_r d_r·R_r from results R_r computed in the executor's arithmetic (unit
 * roundoff u: 2⁻²⁴ in float32, 2⁻⁵³ in float64). Rounding in R_r is at most about u·‖R_r‖
 * (‖R_r‖: the norm of the parts the result is computed from), and the decode multiplies it by
 * |d_r|, so the rounding error of Ĉ_b is bounded, to first order, by
 *   bound_b = amplification_b · u · maxPart_b,
 *   amplification_b = Σ_r |d_r|·max|g_r|   (g_r: result r's coefficient row),
 *   maxPart_b = max over contributing r of ‖R_r‖ / max|g_r|   (its largest contributing part).
 * Every quantity is known at decode time. The block is accepted only when
 *   bound_b ≤ tolerance · ‖Ĉ_b‖,
 * i.e. when the rounding it may carry is small against ITSELF (not against the product as a
 * whole): a low-class block 100× smaller than the blocks decoded beside it needs 100× less
 * amplification. A determined block that fails is withheld (left at zero) and counted apart
 * from the blocks the received set does not determine.
 */

/** Unit roundoff of the executors' arithmetic. */
export const UNIT_ROUNDOFF = { float32: 2 ** -24, float64: 2 ** -53 } as const;

/** Default tolerance: accept a block whose rounding bound is at most 1e-3 of its own norm. */
export const DEFAULT_PRECISION_TOLERANCE = 1e-3;

/** What the acceptance of one decoded block looked at. */
export interface PrecisionCheck {
  amplification: number;
  maxPart: number;
  bound: number;
  decodedNorm: number;
  accepted: boolean;
}

/**
 * The check for one block.
 * @param d decode vector over the received results (d[r] weights result r)
 * @param coefMax max|g_r| of each received result's coefficient row
 * @param partNorm ‖R_r‖_F of each received result (sum of the norms of the parts it is computed from)
 * @param decodedNorm ‖Ĉ_b‖_F of the decoded block (computed in float64)
 */
export function checkPrecision(
  d: ArrayLike<number>,
  coefMax: ArrayLike<number>,
  partNorm: ArrayLike<number>,
  decodedNorm: number,
  unitRoundoff: number,
  tolerance = DEFAULT_PRECISION_TOLERANCE,
): PrecisionCheck {
  let amplification = 0;
  let maxPart = 0;
  for (let r = 0; r < d.length; r++) {
    if (d[r] === 0 || coefMax[r] === 0) continue;
    amplification += Math.abs(d[r]) * coefMax[r];
    maxPart = Math.max(maxPart, partNorm[r] / coefMax[r]);
  }
  const bound = amplification * unitRoundoff * maxPart;
  return { amplification, maxPart, bound, decodedNorm, accepted: bound <= tolerance * decodedNorm };
}

/** max|g| of a coefficient row. */
export function maxAbs(g: ArrayLike<number>): number {
  let m = 0;
  for (let c = 0; c < g.length; c++) m = Math.max(m, Math.abs(g[c]));
  return m;
}
