/**
 * Expected normalised loss of the approximate product (Theorem 1 and its EW/MDS analogues).
 *
 * With class energies E_l = Σ_{blocks (n,p) of class l} E‖C_np‖²_F (E‖C_np‖² = M·U·Q·σ²_{A_n}·σ²_{B_p}),
 * the normalised loss given N received results is
 *   ℓ(N) = Σ_l E_l·(1 − P_{d,l}(N)) / Σ_l E_l                       (Fig. 4)
 * and at deadline t
 *   E[L(t)] / E‖C‖² = Σ_{w=0..W} P_{N(t)}(w)·ℓ(w)                   (eqs. 9–10, Fig. 3).
 * The sum includes w = 0 (nothing received, ℓ = 1 unless some class is empty).
 */
import { decodingTable, type Scheme } from './decoding.ts';
import { logChoose } from './log-math.ts';
import { receivedDistribution, receivedDistributionAtTime } from './received.ts';
import { checkClassSizes, checkFinite, checkInteger, checkNonNegative, checkProbability } from './validate.ts';

/** E‖C_np‖²_F = M·U·Q·σ²_{A_n}·σ²_{B_p} for one U×Q block of C. */
export function blockEnergy(varA: number, varB: number, U: number, M: number, Q: number): number {
  return M * U * Q * varA * varB;
}

/** Inputs to {@link classEnergies}. */
export interface ClassEnergyOptions {
  /** σ²_{A_n} for each of the N row blocks of A (length N). */
  varA: readonly number[];
  /** σ²_{B_p} for each of the P column blocks of B (length P). */
  varB: readonly number[];
  /** Rows per block of A. */
  U: number;
  /** Inner dimension. */
  M: number;
  /** Columns per block of B. */
  Q: number;
  /** classTable[n][p] = 0-based class of block C_np (N rows of P entries). */
  classTable: readonly (readonly number[])[];
  /** Number of classes L; default max class index + 1. */
  L?: number;
}

/**
 * Class energies E_l (length L): sum of E‖C_np‖² over the blocks of each class.
 */
export function classEnergies(opts: ClassEnergyOptions): number[] {
  const { varA, varB, U, M, Q, classTable } = opts;
  const L = checkClassTable(classTable, varA.length, varB.length, opts.L);
  for (const [name, v] of [['U', U], ['M', M], ['Q', Q]] as const) checkInteger(v, name, 1);
  for (const [i, v] of varA.entries()) checkNonNegative(v, `varA[${i}]`);
  for (const [i, v] of varB.entries()) checkNonNegative(v, `varB[${i}]`);
  const E = new Array<number>(L).fill(0);
  classTable.forEach((row, n) => row.forEach((c, p) => (E[c] += blockEnergy(varA[n], varB[p], U, M, Q))));
  return E;
}

/**
 * E‖C‖²_F = Σ_{n,p} E‖C_np‖² of the whole product (the normaliser of the loss): the class
 * energies of a one-class table, summed over the blocks row by row.
 */
export function totalEnergy(opts: Omit<ClassEnergyOptions, 'classTable' | 'L'>): number {
  return classEnergies({ ...opts, classTable: opts.varA.map(() => opts.varB.map(() => 0)) })[0];
}

/**
 * Class sizes k (blocks per class, length L) read off a class table
 * (classTable[n][p] = 0-based class of C_np).
 */
export function classSizesFromTable(classTable: readonly (readonly number[])[], L?: number): number[] {
  const P = classTable[0]?.length ?? 0;
  const count = checkClassTable(classTable, classTable.length, P, L);
  const k = new Array<number>(count).fill(0);
  for (const row of classTable) for (const c of row) k[c]++;
  return k;
}

/**
 * Normalised loss ℓ(N) = Σ_l E_l (1 − P_{d,l}(N)) / Σ_l E_l for N = 0..W (Fig. 4).
 * @param energies E_l per class (length L = k.length), ≥ 0 with a positive sum
 * @returns Float64Array of length W + 1
 */
export function lossVsReceived(
  scheme: Scheme,
  k: readonly number[],
  gamma: readonly number[],
  energies: readonly number[],
  W: number,
): Float64Array {
  checkClassSizes(k);
  checkEnergies(energies, k.length);
  const table = decodingTable(scheme, k, gamma, W);
  return lossFromDecodingTable(table, energies);
}

/**
 * ℓ(N) for each row of a decoding table (`table[N][l]` = P_{d,l+1}(N)).
 * @returns Float64Array with one entry per row
 */
export function lossFromDecodingTable(table: readonly (readonly number[])[], energies: readonly number[]): Float64Array {
  const total = energies.reduce((a, b) => a + b, 0);
  const out = new Float64Array(table.length);
  table.forEach((row, N) => {
    let s = 0;
    for (let l = 0; l < energies.length; l++) s += energies[l] * (1 - row[l]);
    out[N] = Math.max(0, s / total);
  });
  return out;
}

/** Exponential latency: worker times i.i.d. Exp(rate λ·K) (CDF F(K·t), F(t) = 1 − e^{−λt}). */
export interface LatencyOptions {
  /** Number of workers W, integer ≥ 1. */
  W: number;
  /** Rate λ ≥ 0 of one worker. */
  lambda: number;
  /** Time scaling K > 0 (Table III's "W scaling"; 1 in Fig. 3). */
  K: number;
}

/**
 * Expected normalised loss E[L(t)] / E‖C‖² at each deadline in `times` (Fig. 3).
 * @returns array of the same length as `times`
 */
export function expectedLossCurve(
  scheme: Scheme,
  k: readonly number[],
  gamma: readonly number[],
  energies: readonly number[],
  latency: LatencyOptions,
  times: readonly number[],
): number[] {
  checkInteger(latency.W, 'W', 1);
  times.forEach((t, i) => checkFinite(t, `times[${i}]`));
  const lossN = lossVsReceived(scheme, k, gamma, energies, latency.W);
  return times.map((t) => {
    const pw = receivedDistributionAtTime(latency.W, latency.lambda, latency.K, t);
    let s = 0;
    for (let w = 0; w <= latency.W; w++) s += pw[w] * lossN[w];
    return Math.min(1, Math.max(0, s));
  });
}

/** Expected normalised loss at a single deadline t. */
export function expectedLoss(
  scheme: Scheme,
  k: readonly number[],
  gamma: readonly number[],
  energies: readonly number[],
  latency: LatencyOptions,
  t: number,
): number {
  return expectedLossCurve(scheme, k, gamma, energies, latency, [t])[0];
}

/**
 * Expected normalised loss at a deadline for ANY worker-time model: Theorem 1 with the number of
 * results received by then ~ Binomial(W, F), F = P(T_w < T_max) = the model's CDF at K·T_max.
 */
export function expectedLossAtProbability(
  scheme: Scheme,
  k: readonly number[],
  gamma: readonly number[],
  energies: readonly number[],
  W: number,
  F: number,
): number {
  checkInteger(W, 'W', 1);
  checkProbability(F, 'F');
  const lossN = lossVsReceived(scheme, k, gamma, energies, W);
  const pw = receivedDistribution(W, F);
  let s = 0;
  for (let w = 0; w <= W; w++) s += pw[w] * lossN[w];
  return Math.min(1, Math.max(0, s));
}

function checkEnergies(energies: readonly number[], L: number): void {
  if (!Array.isArray(energies) || energies.length !== L) {
    throw new RangeError(`energies: must have ${L} entries (one per class), got ${Array.isArray(energies) ? energies.length : typeof energies}`);
  }
  energies.forEach((e, i) => checkNonNegative(e, `energies[${i}]`));
  if (!(energies.reduce((a, b) => a + b, 0) > 0)) throw new RangeError('energies: must have a positive sum');
}

/** Checks an N×P table of 0-based class indices; returns L. */
function checkClassTable(
  classTable: readonly (readonly number[])[],
  N: number,
  P: number,
  L: number | undefined,
): number {
  if (!Array.isArray(classTable) || classTable.length !== N || N === 0) {
    throw new RangeError(`classTable: must have ${N} rows (one per row block of A, N ≥ 1), got ${Array.isArray(classTable) ? classTable.length : typeof classTable}`);
  }
  let max = -1;
  for (const [n, row] of classTable.entries()) {
    if (!Array.isArray(row) || row.length !== P || P === 0) {
      throw new RangeError(`classTable: row ${n} must have ${P} entries (one per column block of B, P ≥ 1)`);
    }
    for (const c of row) {
      if (!Number.isInteger(c) || c < 0) throw new RangeError(`classTable: entries must be 0-based class indices (integers ≥ 0), got ${c}`);
      max = Math.max(max, c);
    }
  }
  if (L === undefined) return max + 1;
  checkInteger(L, 'L', 1);
  if (max >= L) throw new RangeError(`classTable: class index ${max} out of range for L = ${L} (valid 0..${L - 1})`);
  return L;
}

/**
 * The schemes that compute every block whole on r = W/blocks workers (its copies): uncoded
 * (r = 1, W = blocks) and block repetition (r ≥ 1). With i.i.d. worker times the copies of a
 * block are independent of the other blocks', so ℓ does not depend on the class energies:
 *   - after N of the W results (a uniform N-subset of the workers), a block is missing iff its r
 *     copies are all among the W − N late ones: ℓ(N) = C(W − r, N)/C(W, N) (uncoded: 1 − N/W);
 *   - at a deadline with P(a worker is in) = F (= F(K·t)): ℓ = (1 − F)^r, the same as
 *     Σ_N Bin(W, F)(N)·ℓ(N).
 */
export const COPY_SCHEMES = ['uncoded', 'rep'] as const;
export type CopyScheme = (typeof COPY_SCHEMES)[number];

/** Copies r = W/blocks of each block; RangeError naming `name` unless W is a positive multiple of blocks. */
export function copiesPerBlock(blocks: number, W: number, name = 'W'): number {
  checkInteger(blocks, 'blocks', 1);
  checkInteger(W, name, 1);
  if (W % blocks !== 0) throw new RangeError(`${name}: uncoded / repetition need a positive multiple of the ${blocks} blocks (one worker per copy), got ${W}`);
  return W / blocks;
}

/** ℓ(N) = C(W − r, N)/C(W, N) for N = 0..W (Float64Array of length W + 1), r = W/blocks. */
export function copiesLossVsReceived(blocks: number, W: number): Float64Array {
  const r = copiesPerBlock(blocks, W);
  const out = new Float64Array(W + 1);
  for (let N = 0; N <= W - r; N++) out[N] = Math.exp(logChoose(W - r, N) - logChoose(W, N));
  return out;
}

/** E[L]/E‖C‖² = (1 − F)^r when each worker is in with probability F. */
export function copiesLossAtProbability(blocks: number, W: number, F: number): number {
  checkProbability(F, 'F');
  return (1 - F) ** copiesPerBlock(blocks, W);
}
