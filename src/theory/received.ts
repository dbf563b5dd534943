/**
 * How many of the W workers have returned by time t (eq. 6).
 *
 * Worker times are i.i.d. with CDF F(K·t), F(t) = 1 − e^{−λt} (exponential latency; K is the
 * "W scaling" of Table III). The number received, N(t), is then Bin(W, F(K·t)).
 */
import { exponentialCdf as expCdf } from '../util/exponential.ts';
import { binomialPmfRowLog } from './log-math.ts';
import { checkFinite, checkInteger, checkNonNegative, checkProbability } from './validate.ts';

/**
 * Exponential latency CDF evaluated at scaled time: F(K·t) = 1 − e^{−λ·K·t}.
 * Returns 0 for t ≤ 0.
 * @param lambda rate λ ≥ 0 of one worker
 * @param K time scaling K > 0 (1 in Fig. 3)
 * @param t time (deadline) — any finite number
 */
export function exponentialCdf(lambda: number, K: number, t: number): number {
  checkNonNegative(lambda, 'lambda');
  checkPositive(K, 'K');
  checkFinite(t, 't');
  return expCdf(lambda * K, t);
}

/**
 * P_{N(t)}(w) = C(W, w)·F^w·(1 − F)^{W−w} for w = 0..W (eq. 6), computed in log space.
 * @param W number of workers, integer ≥ 1
 * @param F probability that one worker has finished, in [0, 1]
 * @returns Float64Array of length W + 1; entry w is the probability that exactly w results arrived
 */
export function receivedDistribution(W: number, F: number): Float64Array {
  checkInteger(W, 'W', 1);
  checkProbability(F, 'F');
  return binomialPmfRowLog(W, Math.log(F), Math.log1p(-F));
}

/**
 * P_{N(t)}(w) for w = 0..W under the exponential latency model, without forming 1 − F by
 * subtraction (accurate also when F is tiny or very close to 1).
 * @returns Float64Array of length W + 1
 */
export function receivedDistributionAtTime(W: number, lambda: number, K: number, t: number): Float64Array {
  checkInteger(W, 'W', 1);
  checkNonNegative(lambda, 'lambda');
  checkPositive(K, 'K');
  checkFinite(t, 't');
  const x = t <= 0 ? 0 : lambda * K * t; // −ln(1 − F)
  const logQ = -x;
  const logP = x === 0 ? -Infinity : Math.log(-Math.expm1(-x));
  return binomialPmfRowLog(W, logP, logQ);
}

function checkPositive(value: number, name: string): void {
  checkFinite(value, name);
  if (value <= 0) throw new RangeError(`${name}: must be > 0, got ${value}`);
}
