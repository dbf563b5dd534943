/**
 * Decoding probabilities P_{d,l}(N): the probability that class l (1-based in the paper,
 * index l − 1 here) can be decoded from N received coded results, for the window codes of
 * ref. [16] and for an MDS code.
 *
 * Model (DESIGN.md §5): each received result picked its window independently with
 * distribution Γ over the L classes, so the window counts are n ~ Multinomial(N, Γ). Class l
 * has k_l blocks; K_j = k_1 + … + k_j.
 * - NOW (eqs. 7–8): class l is decoded iff n_l ≥ k_l, i.e. P(Bin(N, Γ_l) ≥ k_l).
 * - EW: R_0 = 0, R_j = min(R_{j−1} + n_j, K_j); class l is decoded iff some j ≥ l has R_j = K_j.
 * - MDS: every class is decoded iff N ≥ Σ k (Γ is ignored).
 *
 * The EW probabilities come from an exact dynamic program over the classes that never
 * enumerates count vectors: after processing classes 1..j the state is (m = results that
 * chose one of windows 1..j, R_j), carrying the conditional probability of R_j given m.
 * Adding class j + 1 splits a total m' as n_{j+1} ~ Bin(m', Γ_{j+1} / (Γ_1 + … + Γ_{j+1})),
 * the multinomial written as a product of binomial conditionals. After class L the state's m
 * is the total N, so one pass gives every N = 0..W at once. Work: O(L²·W²·K_L) at worst.
 */
import { binomialPmfRowLog, binomialUpperTail } from './log-math.ts';
import { checkClassSizes, checkGamma, checkInteger } from './validate.ts';

/** The coding schemes the theory covers. */
export const SCHEMES = ['now', 'ew', 'mds'] as const;
export type Scheme = (typeof SCHEMES)[number];

/**
 * Decoding probability of each class from N received results.
 * @param scheme 'now' | 'ew' | 'mds'
 * @param k class sizes (blocks per class), L ≥ 1 non-negative integers, most important first
 * @param gamma window-selection distribution Γ, length L, entries ≥ 0 summing to 1 (ignored for 'mds')
 * @param N number of received results, integer ≥ 0
 * @returns array of length L; entry l − 1 is P_{d,l}(N)
 */
export function decodingProbabilities(
  scheme: Scheme,
  k: readonly number[],
  gamma: readonly number[],
  N: number,
): number[] {
  checkInteger(N, 'N', 0);
  return decodingTable(scheme, k, gamma, N)[N];
}

/**
 * Decoding probabilities for every N = 0..W.
 * @returns table of W + 1 rows; `table[N][l − 1]` = P_{d,l}(N)
 */
export function decodingTable(
  scheme: Scheme,
  k: readonly number[],
  gamma: readonly number[],
  W: number,
): number[][] {
  checkScheme(scheme);
  checkClassSizes(k);
  checkInteger(W, 'W', 0);
  if (scheme !== 'mds') checkGamma(gamma, k.length);
  switch (scheme) {
    case 'now':
      return nowTable(k, gamma, W);
    case 'ew':
      return ewTable(k, gamma, W);
    case 'mds':
      return mdsTable(k, W);
  }
}

/** Throws a RangeError unless `scheme` is one of SCHEMES. */
export function checkScheme(scheme: string, name = 'scheme'): asserts scheme is Scheme {
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw new RangeError(`${name}: must be one of ${SCHEMES.join(', ')}, got ${JSON.stringify(scheme)}`);
  }
}

function nowTable(k: readonly number[], gamma: readonly number[], W: number): number[][] {
  const table: number[][] = [];
  for (let N = 0; N <= W; N++) {
    table.push(k.map((kl, l) => binomialUpperTail(N, Math.min(1, gamma[l]), kl)));
  }
  return table;
}

function mdsTable(k: readonly number[], W: number): number[][] {
  const total = k.reduce((a, b) => a + b, 0);
  const table: number[][] = [];
  for (let N = 0; N <= W; N++) table.push(k.map(() => (N >= total ? 1 : 0)));
  return table;
}

/**
 * EW dynamic program. State arrays are (W + 1) × (K_j + 1), row-major in m, holding
 * P(R_j = R | m results chose windows 1..j); `done[m]` holds the probability that class l
 * has already been decoded (some i in l..j with R_i = K_i), an absorbing state.
 */
function ewTable(k: readonly number[], gamma: readonly number[], W: number): number[][] {
  const L = k.length;
  const Kc = [0];
  for (const kl of k) Kc.push(Kc[Kc.length - 1] + kl);
  const G = [0];
  for (const g of gamma) G.push(G[G.length - 1] + g);

  // pmf[j][m'] = Bin(m', Γ_j / G_j) row, for class j = 1..L.
  const pmf: Float64Array[][] = [[]];
  for (let j = 1; j <= L; j++) {
    const logP = G[j] > 0 && gamma[j - 1] > 0 ? Math.log(gamma[j - 1]) - Math.log(G[j]) : -Infinity;
    const logQ = G[j] > 0 ? (G[j - 1] > 0 ? Math.log(G[j - 1]) - Math.log(G[j]) : -Infinity) : 0;
    const rows: Float64Array[] = [];
    for (let m = 0; m <= W; m++) rows.push(binomialPmfRowLog(m, logP, logQ));
    pmf.push(rows);
  }

  // Unkilled states u_0..u_{L−1}; u_0: R = 0 with probability 1 for every m.
  const plain: Float64Array[] = [new Float64Array(W + 1).fill(1)];
  for (let j = 1; j < L; j++) plain.push(step(plain[j - 1], null, j).u);

  const result = new Float64Array((W + 1) * L);
  for (let l = 1; l <= L; l++) {
    let u = plain[l - 1];
    let done: Float64Array | null = new Float64Array(W + 1);
    for (let j = l; j <= L; j++) {
      const next = step(u, done, j);
      u = next.u;
      done = next.done!;
      const width = Kc[j] + 1;
      for (let m = 0; m <= W; m++) {
        done[m] += u[m * width + Kc[j]];
        u[m * width + Kc[j]] = 0;
      }
    }
    for (let N = 0; N <= W; N++) result[N * L + (l - 1)] = Math.min(1, Math.max(0, done![N]));
  }

  const table: number[][] = [];
  for (let N = 0; N <= W; N++) table.push(Array.from(result.subarray(N * L, N * L + L)));
  return table;

  /** Adds class j to the state (u over classes 1..j−1) and propagates `done` if given. */
  function step(u: Float64Array, done: Float64Array | null, j: number) {
    const wPrev = Kc[j - 1] + 1;
    const wNext = Kc[j] + 1;
    const cap = Kc[j];
    const out = new Float64Array((W + 1) * wNext);
    const outDone = done ? new Float64Array(W + 1) : null;
    for (let m2 = 0; m2 <= W; m2++) {
      const row = pmf[j][m2];
      const base2 = m2 * wNext;
      let d = 0;
      for (let n = 0; n <= m2; n++) {
        const b = row[n];
        if (b === 0) continue;
        const m = m2 - n;
        if (done) d += b * done[m];
        const base = m * wPrev;
        const rMax = Math.min(m, wPrev - 1);
        for (let R = 0; R <= rMax; R++) {
          const v = u[base + R];
          if (v === 0) continue;
          const R2 = R + n < cap ? R + n : cap;
          out[base2 + R2] += v * b;
        }
      }
      if (outDone) outDone[m2] = d;
    }
    return { u: out, done: outDone };
  }
}
