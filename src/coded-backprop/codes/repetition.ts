/** Block repetition: every A_i·B_j on r = W/(N·P) workers; a block is recovered if any copy arrives. */
import { type Code, singleBlockTask } from './code.ts';
import { OptionError } from '../../util/option-error.ts';
import { cxrRepetition } from '../cxr/codes.ts';

export const repetition: Code = {
  name: 'rep',
  packets: cxrRepetition,
  summary: 'every block product on r = W/(N·P) workers (paper: r = 2, W = 18)',
  usesWindows: false,
  defaultWorkers: ({ N, P }) => 2 * N * P,
  check({ workers }, { N, P }) {
    if (workers < N * P || workers % (N * P) !== 0) {
      throw new OptionError('workers', `block repetition needs a positive multiple of N·P = ${N * P} workers (r copies of each block; got ${workers})`,
      );
    }
  },
  encode(layout, { workers }) {
    const blocks = layout.N * layout.P;
    // copy c of block k goes to worker c·NP + k
    return Array.from({ length: workers }, (_, w) => {
      const k = w % blocks;
      return singleBlockTask(Math.floor(k / layout.P), k % layout.P, layout.N, layout.P);
    });
  },
};
