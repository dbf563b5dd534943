/**
 * The probability simplex Δ_L = {γ ∈ ℝ^L : γ_l ≥ 0, Σ γ_l = 1}: Euclidean projection onto it and
 * the regular grid {γ : γ_l = c_l / n, c_l integers} on it.
 */

/**
 * Euclidean projection of x (length L ≥ 1) onto the simplex (the sort-based algorithm of
 * Held, Wolfe & Crowder / Duchi et al.): γ_l = max(x_l − τ, 0) with τ chosen so Σ γ = 1.
 * @returns a new array of length L, entries ≥ 0 summing to 1 (up to rounding, then renormalised)
 */
export function projectToSimplex(x: readonly number[]): number[] {
  const L = x.length;
  if (L === 0) throw new RangeError('x: must have at least one entry');
  for (const [i, v] of x.entries()) {
    if (!Number.isFinite(v)) throw new RangeError(`x: entries must be finite, got ${v} at position ${i + 1}`);
  }
  const u = [...x].sort((a, b) => b - a);
  let cum = 0;
  let tau = 0;
  for (let j = 0; j < L; j++) {
    cum += u[j];
    const t = (cum - 1) / (j + 1);
    if (u[j] - t > 0) tau = t;
  }
  const g = x.map((v) => Math.max(v - tau, 0));
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

/** Number of points of the grid with step 1/n on Δ_L: C(n + L − 1, L − 1). */
export function simplexGridSize(L: number, n: number): number {
  let c = 1;
  for (let i = 1; i <= L - 1; i++) c = (c * (n + i)) / i;
  return Math.round(c);
}

/**
 * The finest grid step 1/n (n ≤ maxN) whose grid on Δ_L has at most `maxPoints` points.
 * @returns n ≥ 1
 */
export function gridResolutionFor(L: number, maxPoints: number, maxN = 1000): number {
  let n = 1;
  while (n < maxN && simplexGridSize(L, n + 1) <= maxPoints) n++;
  return n;
}

/**
 * Every point of the grid with step 1/n on Δ_L (γ_l = c_l / n, Σ c_l = n), in lexicographic order
 * of the counts c, largest first.
 * @param L dimension ≥ 1; n resolution ≥ 1
 */
export function* simplexGrid(L: number, n: number): Generator<number[]> {
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`L: must be an integer ≥ 1, got ${L}`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n: must be an integer ≥ 1, got ${n}`);
  const c = new Array<number>(L).fill(0);
  function* rec(i: number, left: number): Generator<number[]> {
    if (i === L - 1) {
      c[i] = left;
      yield c.map((v) => v / n);
      return;
    }
    for (let v = left; v >= 0; v--) {
      c[i] = v;
      yield* rec(i + 1, left - v);
    }
  }
  yield* rec(0, n);
}
