/**
 * Expected loss on the c×r partition. C = Σ_k A_k·B_k with A_k: U×n_k, B_k: n_k×Q; with
 * independent zero-mean entries the packets are uncorrelated, so a set of missing packets costs
 * E‖Σ_missing A_k B_k‖² = Σ_missing E_k, E_k = E‖A_k B_k‖²_F = U·n_k·Q·σ²_{A_k}·σ²_{B_k}
 * (blockEnergy with inner dimension n_k). Hence, as for r×c,
 *   ℓ(N) = Σ_classes E_l·P(class l not decoded | N results) / Σ_l E_l,
 *   E[L]/E‖C‖² = Σ_N P(N received)·ℓ(N),  N ~ Binomial(W, F), F = P(T_w < T_max).
 * Per scheme, with K packets and W workers:
 *   now / ew: the r×c decoding probabilities with the packet class sizes (decoding.ts): a class
 *     decodes exactly as a class of C blocks does, since a window result is Σ c_k·(packet k);
 *   uncoded (W = K): the N received workers are a uniform N-subset, so P(packet missing) = 1 − N/K;
 *   rep (W = r·K): packet missing iff its r copies are all among the W − N late: C(W−r, N)/C(W, N);
 *   mds (MatDot): C from any 2K − 1 results, nothing before: ℓ(N) = 1[N < 2K − 1].
 */
import { blockEnergy, lossVsReceived } from './expected-loss.ts';
import { logChoose } from './log-math.ts';
import { receivedDistribution } from './received.ts';
import { checkClassSizes, checkInteger, checkProbability } from './validate.ts';

export const CXR_SCHEMES = ['uncoded', 'rep', 'mds', 'now', 'ew'] as const;
export type CxrScheme = (typeof CXR_SCHEMES)[number];

/** Class energies E_l = Σ_{k in class l} U·n_k·Q·σ²_{A_k}·σ²_{B_k} (all arrays of length K). */
export function cxrClassEnergies(varA: readonly number[], varB: readonly number[], sizes: readonly number[], U: number, Q: number, classOf: readonly number[]): number[] {
  const L = Math.max(...classOf) + 1;
  const E = new Array<number>(L).fill(0);
  classOf.forEach((c, k) => (E[c] += blockEnergy(varA[k], varB[k], U, sizes[k], Q)));
  return E;
}

/** Normalised loss ℓ(N) for N = 0..W results received (Float64Array of length W + 1). */
export function cxrLossVsReceived(scheme: CxrScheme, classSizes: readonly number[], gamma: readonly number[], energies: readonly number[], W: number): Float64Array {
  checkClassSizes(classSizes, 'classSizes');
  checkInteger(W, 'W', 1);
  const K = classSizes.reduce((a, b) => a + b, 0);
  const out = new Float64Array(W + 1);
  switch (scheme) {
    case 'now':
    case 'ew':
      return lossVsReceived(scheme, classSizes, gamma, energies, W);
    case 'uncoded':
      if (W !== K) throw new RangeError(`W: the uncoded scheme has one worker per packet, W = K = ${K} (got ${W})`);
      for (let N = 0; N <= W; N++) out[N] = 1 - N / K;
      return out;
    case 'rep': {
      if (W % K !== 0) throw new RangeError(`W: repetition needs a multiple of K = ${K} workers (got ${W})`);
      const r = W / K;
      for (let N = 0; N <= W; N++) out[N] = N <= W - r ? Math.exp(logChoose(W - r, N) - logChoose(W, N)) : 0;
      return out;
    }
    case 'mds':
      for (let N = 0; N <= W; N++) out[N] = N < 2 * K - 1 ? 1 : 0;
      return out;
  }
}

/** E[L]/E‖C‖² when each worker is in by the deadline with probability F (any latency model). */
export function cxrExpectedLossAtProbability(
  scheme: CxrScheme,
  classSizes: readonly number[],
  gamma: readonly number[],
  energies: readonly number[],
  W: number,
  F: number,
): number {
  checkProbability(F, 'F');
  const lossN = cxrLossVsReceived(scheme, classSizes, gamma, energies, W);
  const pw = receivedDistribution(W, F);
  let s = 0;
  for (let N = 0; N <= W; N++) s += pw[N] * lossN[N];
  return Math.min(1, Math.max(0, s));
}
