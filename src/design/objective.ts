/**
 * The design objective: expected normalised loss E[L(T_max)] / E‖C‖² of a NOW or EW code with
 * class windows, as a function of the window distribution Γ (Theorem 1, exact):
 *   f(Γ) = Σ_{w=0..W} P_{N(T_max)}(w) · Σ_l E_l (1 − P_{d,l}(w; Γ)) / Σ_l E_l.
 * P_{N(T_max)} = Bin(W, F(K·T_max)) does not depend on Γ, so it is computed once per deadline.
 */
import { makeLatency, type LatencySpec } from '../coded-backprop/index.ts';
import { lossVsReceived } from '../theory/expected-loss.ts';
import { receivedDistribution, receivedDistributionAtTime } from '../theory/received.ts';
import { checkClassSizes, checkInteger, checkNonNegative } from '../theory/validate.ts';

/** The schemes whose Γ can be designed (MDS has no Γ). */
export const DESIGN_SCHEMES = ['now', 'ew'] as const;
export type DesignScheme = (typeof DESIGN_SCHEMES)[number];

/** One design problem: everything but Γ. */
export interface DesignProblem {
  scheme: DesignScheme;
  /** Class sizes k (blocks per class), length L, most important first. */
  k: readonly number[];
  /** Class energies E_l (length L, ≥ 0, positive sum); only their ratios matter. */
  energies: readonly number[];
  /** P_{N(T_max)}(w) for w = 0..W (length W + 1): see {@link receivedAtDeadline}. */
  received: Float64Array;
}

/** Worker-time model of a design: the single-worker model and the time scaling K (CDF F(K·t)). */
export interface DesignLatency {
  spec: LatencySpec;
  K: number;
}

/**
 * P_{N(t)}(w), w = 0..W, for the number of results received by deadline t under any latency
 * model (eq. 6 with F = the model's CDF at K·t; the exponential model avoids forming 1 − F).
 * @param t deadline ≥ 0, or Infinity (the point mass at w = W)
 * @returns Float64Array of length W + 1
 */
export function receivedAtDeadline(latency: DesignLatency, W: number, t: number): Float64Array {
  checkInteger(W, 'workers', 1);
  // T_max = ∞: every worker has returned (F(K·t) → 1 for every latency model), so N = W surely;
  // the loss is then that of decoding from all W packets, which still depends on Γ (a class
  // whose windows too few packets drew stays unrecovered), so Γ is still worth designing.
  if (t === Infinity) {
    const atAll = new Float64Array(W + 1);
    atAll[W] = 1;
    return atAll;
  }
  checkNonNegative(t, 'tmax');
  if (latency.spec.model === 'exponential') return receivedDistributionAtTime(W, latency.spec.lambda, latency.K, t);
  const F = Math.min(1, Math.max(0, makeLatency(latency.spec).cdf(latency.K * t)));
  return receivedDistribution(W, F);
}

/** Checks a problem's shapes; throws RangeError naming the field. */
export function checkProblem(p: DesignProblem): void {
  if (!(DESIGN_SCHEMES as readonly string[]).includes(p.scheme)) {
    throw new RangeError(`scheme: must be one of ${DESIGN_SCHEMES.join(', ')}, got ${JSON.stringify(p.scheme)}`);
  }
  checkClassSizes(p.k, 'class sizes');
  if (p.energies.length !== p.k.length) {
    throw new RangeError(`energies: must have ${p.k.length} entries (one per class), got ${p.energies.length}`);
  }
  if (p.received.length < 2) throw new RangeError('received: must have W + 1 ≥ 2 entries');
}

/**
 * f(Γ): the expected normalised loss of the problem's code with window distribution Γ.
 * @param gamma length L, entries ≥ 0 summing to 1
 * @returns a number in [0, 1]
 */
export function designLoss(p: DesignProblem, gamma: readonly number[]): number {
  const W = p.received.length - 1;
  const lossN = lossVsReceived(p.scheme, p.k, gamma, p.energies, W);
  let s = 0;
  for (let w = 0; w <= W; w++) s += p.received[w] * lossN[w];
  return Math.min(1, Math.max(0, s));
}
