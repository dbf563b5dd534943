/** Uncoded: W = N·P workers, worker i·P + j computes A_i·B_j; a block is lost if its worker is late. */
import { type Code, singleBlockTask } from './code.ts';
import { OptionError } from '../../util/option-error.ts';
import { cxrUncoded } from '../cxr/codes.ts';

export const uncoded: Code = {
  name: 'uncoded',
  packets: cxrUncoded,
  summary: 'one worker per block product A_i·B_j (W = N·P)',
  usesWindows: false,
  defaultWorkers: ({ N, P }) => N * P,
  check({ workers }, { N, P }) {
    if (workers !== N * P) {
      throw new OptionError('workers', `the uncoded scheme needs exactly N·P = ${N * P} workers (got ${workers})`);
    }
  },
  encode(layout, { workers }) {
    return Array.from({ length: workers }, (_, w) => singleBlockTask(Math.floor(w / layout.P), w % layout.P, layout.N, layout.P));
  },
};
