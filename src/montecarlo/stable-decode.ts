/**
 * A backward-stable decode vector, for the Monte Carlo's opt-in `decode: 'qr'` experiment (the
 * engine's IncrementalDecoder is untouched). Given r linearly independent coefficient rows g_1..g_r
 * (length n = N·P) whose span contains e_b, find d with Σ_i d_i·g_i = e_b by least squares,
 * min ‖Gᵀd − e_b‖₂ with Gᵀ the n×r matrix whose columns are the rows, through Householder QR.
 * Householder least squares is backward stable, so the residual ‖d·G − e_b‖ stays at the level of
 * u·‖d‖·‖G‖ even when G is ill-conditioned (the Gauss–Jordan transforms can be far worse; see
 * docs/figures-2-4.md).
 */

/**
 * Least-squares weights d (length r) with Σ_i d_i·rows[i] ≈ e_b.
 * @param rows r linearly independent rows, each of length n ≥ r
 * @param b index of the unit vector e_b (0 ≤ b < n)
 */
export function stableDecodeVector(rows: readonly ArrayLike<number>[], b: number): Float64Array {
  const r = rows.length;
  if (r === 0) throw new RangeError('rows: need at least one row');
  const n = rows[0].length;
  if (r > n) throw new RangeError(`rows: at most ${n} independent rows of length ${n}, got ${r}`);
  if (!(Number.isInteger(b) && b >= 0 && b < n)) throw new RangeError(`b: must be in 0..${n - 1}, got ${b}`);
  // A = Gᵀ (n × r), column j = rows[j]; stored column-major.
  const A = new Float64Array(n * r);
  for (let j = 0; j < r; j++) {
    const g = rows[j];
    if (g.length !== n) throw new RangeError(`rows: every row must have length ${n}`);
    for (let i = 0; i < n; i++) A[j * n + i] = g[i];
  }
  const y = new Float64Array(n);
  y[b] = 1;
  const diag = new Float64Array(r);
  // Householder QR, applying each reflector to y as well: A = QR, y ← Qᵀy. Reflector k is
  // v = x − α·e_k stored in place in column k (rows k..n−1); R above the diagonal stays in A.
  for (let k = 0; k < r; k++) {
    const col = k * n;
    let norm = 0;
    for (let i = k; i < n; i++) norm = Math.hypot(norm, A[col + i]);
    if (norm === 0) throw new RangeError('rows: linearly dependent');
    const alpha = A[col + k] > 0 ? -norm : norm;
    A[col + k] -= alpha;
    diag[k] = alpha;
    let vNorm2 = 0;
    for (let i = k; i < n; i++) vNorm2 += A[col + i] * A[col + i];
    if (vNorm2 === 0) continue;
    for (let j = k + 1; j < r; j++) {
      const base = j * n;
      let dot = 0;
      for (let i = k; i < n; i++) dot += A[col + i] * A[base + i];
      const f = (2 * dot) / vNorm2;
      for (let i = k; i < n; i++) A[base + i] -= f * A[col + i];
    }
    let dot = 0;
    for (let i = k; i < n; i++) dot += A[col + i] * y[i];
    const f = (2 * dot) / vNorm2;
    for (let i = k; i < n; i++) y[i] -= f * A[col + i];
  }
  // Back-substitution R·d = (Qᵀy)[0..r): R[i][j] (j > i) sits at A[j·n + i], R[i][i] = diag[i].
  const d = new Float64Array(r);
  for (let i = r - 1; i >= 0; i--) {
    let s = y[i];
    for (let j = i + 1; j < r; j++) s -= A[j * n + i] * d[j];
    d[i] = s / diag[i];
  }
  return d;
}
