/**
 * Product code (r×c, 2-D parity): the N·P block products A_i·B_j (worker i·P + j), one parity per
 * block row A_i·(Σ_j B_j) (worker N·P + i; g = e_i ⊗ 1), one per block column (Σ_i A_i)·B_j
 * (worker N·P + N + j; g = 1 ⊗ e_j) and one global parity (Σ_i A_i)·(Σ_j B_j) (the last worker;
 * g = 1 ⊗ 1). Every task is rank one, so each is one worker product: W = N·P + N + P + 1
 * (16 on 3×3). The shared decoder finds every block the received set determines (a superset of
 * what peeling finds: theory/product-code.ts compares the two).
 * Needs N ≥ 2 and P ≥ 2: on an N×1 or 1×P grid the row (column) parities repeat the blocks.
 */
import { type Code, singleBlockTask } from './code.ts';
import { OptionError } from '../../util/option-error.ts';

/** W = N·P + N + P + 1. */
export function productCodeWorkers(N: number, P: number): number {
  return N * P + N + P + 1;
}

export const productCode: Code = {
  name: 'product',
  summary: 'product code: N·P block products, N row parities, P column parities and one global parity (W = N·P + N + P + 1)',
  usesWindows: false,
  defaultWorkers: ({ N, P }) => productCodeWorkers(N, P),
  check({ workers }, { N, P }) {
    if (N < 2 || P < 2) {
      throw new OptionError('scheme', `the product code needs at least 2 row blocks and 2 column blocks (--row-blocks, --col-blocks; got ${N}×${P}); on a 1-D grid use sysmds, mds, uncoded or rep`);
    }
    const W = productCodeWorkers(N, P);
    if (workers !== W) throw new OptionError('workers', `the product code needs exactly N·P + N + P + 1 = ${W} workers on the ${N}×${P} grid (got ${workers})`);
  },
  encode(layout) {
    const { N, P } = layout;
    const ones = (n: number) => new Float64Array(n).fill(1);
    const unit = (n: number, k: number) => {
      const v = new Float64Array(n);
      v[k] = 1;
      return v;
    };
    const tasks = Array.from({ length: N * P }, (_, w) => singleBlockTask(Math.floor(w / P), w % P, N, P));
    for (let i = 0; i < N; i++) tasks.push({ terms: [{ a: unit(N, i), b: ones(P) }] });
    for (let j = 0; j < P; j++) tasks.push({ terms: [{ a: ones(N), b: unit(P, j) }] });
    tasks.push({ terms: [{ a: ones(N), b: ones(P) }] });
    return tasks;
  },
};
