/**
 * Backward-stable decode vectors. Given received coefficient rows g_r (length n = N·P) whose span
 * contains e_b, pick a well-conditioned independent subset of them by Householder QR with column
 * pivoting (Businger–Golub: always take the row with the largest remaining norm), then solve the
 * least-squares problem min ‖Σ_s x_s·g_{sel(s)} − e_b‖₂ through that QR. Unlike the transforms of
 * a Gauss–Jordan elimination in arrival order, this stays accurate when some received subsets are
 * ill-conditioned (real polynomial codes with many workers), and it uses later results to replace
 * badly placed early ones.
 */

export interface RowSelection {
  /** Indices (into the rows given) of the selected independent rows, in pivot order. */
  selected: number[];
  /** Householder vectors and R of the QR of the n × k matrix [g_sel(0) … g_sel(k−1)] (scaled rows). */
  solve(b: number): { x: Float64Array; residual: number };
}

/**
 * Selects up to n independent rows (columns of Gᵀ) by pivoted Householder QR.
 * @param rows received rows, each of length n, already scaled to max |g| = 1
 * @param tolerance a remaining column norm below tolerance·(largest initial norm) ends the selection
 */
export function selectRows(rows: readonly Float64Array[], n: number, tolerance: number): RowSelection {
  const R = rows.length;
  // A = Gᵀ, column-major: column c (n values) is row c of G; modified in place
  const A = new Float64Array(n * R);
  rows.forEach((g, c) => A.set(g, c * n));
  const perm = Array.from({ length: R }, (_, c) => c);
  const norms = new Float64Array(R);
  let maxNorm = 0;
  for (let c = 0; c < R; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += A[c * n + i] ** 2;
    norms[c] = s;
    maxNorm = Math.max(maxNorm, s);
  }
  const limit = Math.min(n, R);
  const betas: number[] = [];
  let k = 0;
  for (; k < limit; k++) {
    // pivot: the remaining column with the largest norm below row k (recomputed for accuracy)
    let best = -1;
    let bestNorm = 0;
    for (let c = k; c < R; c++) {
      const col = perm[c] * n;
      let s = 0;
      for (let i = k; i < n; i++) s += A[col + i] ** 2;
      if (s > bestNorm) {
        bestNorm = s;
        best = c;
      }
    }
    if (best < 0 || bestNorm <= tolerance * tolerance * maxNorm) break;
    [perm[k], perm[best]] = [perm[best], perm[k]];
    const col = perm[k] * n;
    const norm = Math.sqrt(bestNorm);
    const alpha = A[col + k] > 0 ? -norm : norm;
    A[col + k] -= alpha;
    // v = A[col + k .. n); vᵀv = 2·norm·(norm + |x_k|)
    let vv = 0;
    for (let i = k; i < n; i++) vv += A[col + i] ** 2;
    const beta = vv > 0 ? 2 / vv : 0;
    betas.push(beta);
    for (let c = k + 1; c < R; c++) {
      const other = perm[c] * n;
      let dot = 0;
      for (let i = k; i < n; i++) dot += A[col + i] * A[other + i];
      const f = beta * dot;
      for (let i = k; i < n; i++) A[other + i] -= f * A[col + i];
    }
    // keep R's diagonal beside the reflector: R[k][k] = alpha
    norms[perm[k]] = alpha;
  }
  const rank = k;
  const selected = perm.slice(0, rank);
  return {
    selected,
    solve(b: number) {
      // y = Qᵀ e_b, applying the reflectors in order
      const y = new Float64Array(n);
      y[b] = 1;
      for (let j = 0; j < rank; j++) {
        const col = perm[j] * n;
        let dot = 0;
        for (let i = j; i < n; i++) dot += A[col + i] * y[i];
        const f = betas[j] * dot;
        for (let i = j; i < n; i++) y[i] -= f * A[col + i];
      }
      // R x = y[0..rank): R[i][j] (i < j) sits in column perm[j] at row i; R[j][j] in norms
      const x = new Float64Array(rank);
      for (let i = rank - 1; i >= 0; i--) {
        let s = y[i];
        for (let j = i + 1; j < rank; j++) s -= A[perm[j] * n + i] * x[j];
        x[i] = s / norms[perm[i]];
      }
      // the part of e_b outside the selected rows' span
      let residual = 0;
      for (let i = rank; i < n; i++) residual += y[i] * y[i];
      return { x, residual: Math.sqrt(residual) };
    },
  };
}
