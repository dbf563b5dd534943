/**
 * Systematic MDS (r×c): workers 0..N·P−1 compute the uncoded block products A_i·B_j (worker
 * i·P + j; coefficient row e_{i·P+j}), workers N·P..W−1 compute parities
 *   W_A = Σ_i a_w[i]·A_i,  W_B = Σ_j b_w[j]·B_j   (coefficient row g_w = a_w ⊗ b_w, rank one)
 * with a_w, b_w i.i.d. standard Gaussian from the call's seeded rng.
 *
 * Why Gaussian and not Vandermonde parities: parities x^{i+jN} at positive points are MDS in exact
 * arithmetic but their N·P-subsets reach condition numbers 1e12–1e14 (past the decoder's 1e10
 * amplification limit); Gaussian rank-one parities make any N·P of the W rows independent with
 * probability 1 and well conditioned (docs/field.md reports the condition numbers).
 *
 * Decoding (the shared decoder): before N·P results, each arrived systematic worker gives its
 * block; from any N·P results, every block.
 */
import { type Code, singleBlockTask } from './code.ts';
import { OptionError } from '../../util/option-error.ts';

export const systematicMds: Code = {
  name: 'sysmds',
  summary: 'systematic MDS: N·P uncoded block products plus W − N·P Gaussian rank-one parities; any N·P results give the whole product',
  usesWindows: false,
  defaultWorkers: ({ N, P }) => Math.round((5 / 3) * N * P),
  check({ workers }, { N, P }) {
    if (workers < N * P) {
      throw new OptionError('workers', `the systematic MDS code needs at least N·P = ${N * P} workers (got ${workers})`);
    }
  },
  encode(layout, { workers }, rng) {
    const { N, P } = layout;
    return Array.from({ length: workers }, (_, w) => {
      if (w < N * P) return singleBlockTask(Math.floor(w / P), w % P, N, P);
      const a = Float64Array.from({ length: N }, () => rng.normal());
      const b = Float64Array.from({ length: P }, () => rng.normal());
      return { terms: [{ a, b }] };
    });
  },
};
