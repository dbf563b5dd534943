/**
 * MDS: the polynomial code (Yu, Maddah-Ali, Avestimehr). Worker w evaluates at a real point x_w
 *   W_A = Σ_n A_n x^n,  W_B = Σ_p B_p x^{pN}   (n < N, p < P)
 * and returns Σ_{n,p} A_n B_p x^{n + pN}: a degree N·P − 1 polynomial whose coefficients are the
 * blocks, so any N·P results determine all of them.
 * Points: the quarter-step rotated Chebyshev grid x_w = cos((w + ¾)π/W). It has no pair ±x
 * (a symmetric pair would let some sets of fewer than N·P results determine the odd-power blocks).
 */
import type { Code } from './code.ts';
import { OptionError } from '../../util/option-error.ts';
import { cxrMatDot } from '../cxr/matdot.ts';

/** Evaluation points of the polynomial code for W workers. */
export function mdsPoints(workers: number): Float64Array {
  return Float64Array.from({ length: workers }, (_, w) => Math.cos(((w + 0.75) * Math.PI) / workers));
}

export const mds: Code = {
  name: 'mds',
  packets: cxrMatDot,
  summary: 'polynomial code: any N·P results give the whole product, fewer give nothing',
  usesWindows: false,
  interchangeableTasks: true,
  defaultWorkers: () => 15,
  check({ workers }, { N, P }) {
    if (workers < N * P) {
      throw new OptionError('workers', `the MDS (polynomial) code needs at least N·P = ${N * P} workers (got ${workers})`);
    }
  },
  encode(layout, { workers }) {
    const { N, P } = layout;
    return Array.from(mdsPoints(workers), (x) => {
      const a = Float64Array.from({ length: N }, (_, n) => x ** n);
      const b = Float64Array.from({ length: P }, (_, p) => x ** (p * N));
      return { terms: [{ a, b }] };
    });
  },
};
