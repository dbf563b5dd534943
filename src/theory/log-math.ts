/**
 * Small numerically careful helpers for binomial probabilities, in log space so that
 * counts in the thousands neither overflow nor underflow prematurely.
 */

let logFactTable = new Float64Array([0, 0]);

/** ln(n!) for a non-negative integer n (exact summation table, grown on demand). */
export function logFactorial(n: number): number {
  if (n >= logFactTable.length) {
    const size = Math.max(n + 1, logFactTable.length * 2);
    const next = new Float64Array(size);
    next.set(logFactTable);
    for (let i = logFactTable.length; i < size; i++) next[i] = next[i - 1] + Math.log(i);
    logFactTable = next;
  }
  return logFactTable[n];
}

/** ln C(n, r) for integers 0 ≤ r ≤ n. */
export function logChoose(n: number, r: number): number {
  return logFactorial(n) - logFactorial(r) - logFactorial(n - r);
}

/**
 * Binomial pmf P(Bin(n, p) = r) for r = 0..n, as a Float64Array of length n + 1.
 * `logP` = ln p and `logQ` = ln(1 − p) are passed separately so callers can supply
 * them without cancellation; p = 0 or 1 (log = −∞) is handled exactly.
 */
export function binomialPmfRowLog(n: number, logP: number, logQ: number): Float64Array {
  const row = new Float64Array(n + 1);
  if (logP === -Infinity) {
    row[0] = 1;
    return row;
  }
  if (logQ === -Infinity) {
    row[n] = 1;
    return row;
  }
  for (let r = 0; r <= n; r++) row[r] = Math.exp(logChoose(n, r) + r * logP + (n - r) * logQ);
  return row;
}

/** Binomial pmf P(Bin(n, p) = r) for r = 0..n. */
export function binomialPmfRow(n: number, p: number): Float64Array {
  return binomialPmfRowLog(n, Math.log(p), Math.log1p(-p));
}

/** Upper tail P(Bin(n, p) ≥ r) (sum of non-negative terms, no cancellation). */
export function binomialUpperTail(n: number, p: number, r: number): number {
  if (r <= 0) return 1;
  if (r > n) return 0;
  const row = binomialPmfRow(n, p);
  let s = 0;
  for (let i = n; i >= r; i--) s += row[i];
  return Math.min(1, s);
}
