/**
 * Independence and conditioning of the k-subsets of a code's coefficient rows (k = N·P): the
 * systematic MDS code's claim "any N·P results decode, well conditioned" checked subset by subset.
 */

/** Every k-subset of 0..n−1, in lexicographic order (callers keep C(n, k) small). */
export function* subsets(n: number, k: number): Generator<number[]> {
  const idx = Array.from({ length: k }, (_, i) => i);
  if (k > n) return;
  for (;;) {
    yield [...idx];
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

/** Eigenvalues of a symmetric n×n matrix (row-major, copied) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(S: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(S);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30 * Math.max(1e-300, diagNorm(a, n))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tt * tt + 1);
        const s = tt * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]);
}

function diagNorm(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i] ** 2;
  return s;
}

/**
 * 2-norm condition number σ_max/σ_min of the square matrix whose rows are `rows` (k rows of
 * length k), from the eigenvalues of GᵀG (fine up to condition ~1e7; Infinity when singular).
 */
export function conditionNumber(rows: readonly ArrayLike<number>[]): number {
  const k = rows.length;
  const S = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    let s = 0;
    for (const r of rows) s += r[i] * r[j];
    S[i * k + j] = s;
  }
  const ev = symmetricEigenvalues(S, k);
  let lo = Infinity;
  let hi = 0;
  for (const e of ev) {
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
  }
  return lo <= hi * 1e-28 ? Infinity : Math.sqrt(hi / lo);
}

/** Rank of the rows (Gaussian elimination with partial pivoting, relative tolerance `tol`). */
export function rank(rows: readonly ArrayLike<number>[], tol = 1e-10): number {
  const m = rows.map((r) => Float64Array.from(r));
  const n = m[0]?.length ?? 0;
  let scale = 0;
  for (const r of m) for (const v of r) scale = Math.max(scale, Math.abs(v));
  let r = 0;
  for (let c = 0; c < n && r < m.length; c++) {
    let best = r;
    for (let i = r + 1; i < m.length; i++) if (Math.abs(m[i][c]) > Math.abs(m[best][c])) best = i;
    if (Math.abs(m[best][c]) <= tol * scale) continue;
    [m[r], m[best]] = [m[best], m[r]];
    for (let i = r + 1; i < m.length; i++) {
      const f = m[i][c] / m[r][c];
      if (f !== 0) for (let j = c; j < n; j++) m[i][j] -= f * m[r][j];
    }
    r++;
  }
  return r;
}

/** Condition numbers of every k-subset of `rows` (sorted ascending) and how many subsets are rank-deficient. */
export function subsetConditionNumbers(rows: readonly ArrayLike<number>[], k: number): { conditions: Float64Array; singular: number } {
  const out: number[] = [];
  let singular = 0;
  for (const s of subsets(rows.length, k)) {
    const sub = s.map((i) => rows[i]);
    if (rank(sub) < k) singular++;
    out.push(conditionNumber(sub));
  }
  return { conditions: Float64Array.from(out).sort(), singular };
}
