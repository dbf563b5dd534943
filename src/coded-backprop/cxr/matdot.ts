/**
 * MDS on the c×r partition: the MatDot code (Dutta, Fahim, Haddadpour, Jeong, Cadambe, Grover).
 * Worker w evaluates at a real point x_w
 *   W_A = Σ_k A_k x^k   (m × n_max),   W_B = Σ_k B_k x^{K−1−k}   (n_max × p)
 * (packets zero-padded to the widest, n_max = max n_k) and returns
 *   W_A·W_B = Σ_{k,l} A_k B_l x^{K−1+k−l},
 * a matrix polynomial of degree 2K − 2 whose coefficient of x^{K−1} is Σ_k A_k B_k = C.
 *
 * Recovery threshold: any 2K − 1 results (distinct points) interpolate all 2K − 1 coefficients,
 * hence C. Fewer recover nothing: every coefficient mixes cross terms A_k·B_l (k ≠ l), so no
 * single packet is ever determined, and with 2K − 2 or fewer results at points without ±x pairs
 * not even the x^{K−1} coefficient is. So Ĉ is C or 0, nothing in between.
 *
 * Conditioning: the points are the quarter-step rotated Chebyshev grid of codes/mds.ts,
 * x_w = cos((w + ¾)π/W), no ±x pairs. Decoding inverts a (2K−1)-point monomial Vandermonde
 * system; on the full default grid (K = 9: degree 16, W = 2K − 1 + ⌈(2K−1)/3⌉ = 23) its
 * condition number is ~1e5–1e6, and clustered subsets are worse (up to ~1e9 measured at K = 9), so
 * float64 decodes lose up to ~9 digits and a float32 path would be useless. The decoder's
 * amplification bound (decode.ts) refuses a decode that is numerically meaningless rather
 * than return garbage: such a set counts as "not decoded".
 */
import type { PacketCode } from '../codes/code.ts';
import { OptionError } from '../../util/option-error.ts';

/** Evaluation points for W workers (same rotated Chebyshev grid as the r×c polynomial code). */
export function matDotPoints(workers: number): Float64Array {
  return Float64Array.from({ length: workers }, (_, w) => Math.cos(((w + 0.75) * Math.PI) / workers));
}

/** Recovery threshold of MatDot with K packets: 2K − 1 results. */
export function matDotThreshold(K: number): number {
  return 2 * K - 1;
}

export const cxrMatDot: PacketCode = {
  defaultWorkers: ({ K }) => matDotThreshold(K) + Math.ceil(matDotThreshold(K) / 3),
  check({ workers }, { K }) {
    if (workers < matDotThreshold(K)) {
      throw new OptionError('workers', `the MDS (MatDot) code on c×r needs at least 2K − 1 = ${matDotThreshold(K)} workers (got ${workers})`);
    }
  },
  encode(layout, { workers }) {
    const { K } = layout;
    return Array.from(matDotPoints(workers), (x) => ({
      terms: [
        {
          a: Float64Array.from({ length: K }, (_, k) => x ** k),
          b: Float64Array.from({ length: K }, (_, k) => x ** (K - 1 - k)),
        },
      ],
    }));
  },
};
