/**
 * What a worker computes: the product W_A·W_B of its task, in plain JS float32 (no tfjs, so a
 * worker thread or process starts in milliseconds and never has to load a backend).
 */

/** W_A: U×K times W_B: K×Q (row-major) → U×Q row-major float32 (i-k-j loop order, row of B streamed). */
export function multiplyTask(wa: Float32Array, wb: Float32Array, U: number, K: number, Q: number): Float32Array {
  const out = new Float32Array(U * Q);
  const row = new Float64Array(Q);
  for (let u = 0; u < U; u++) {
    row.fill(0);
    const aBase = u * K;
    for (let k = 0; k < K; k++) {
      const a = wa[aBase + k];
      if (a === 0) continue;
      const bBase = k * Q;
      for (let q = 0; q < Q; q++) row[q] += a * wb[bBase + q];
    }
    out.set(row, u * Q);
  }
  return out;
}
