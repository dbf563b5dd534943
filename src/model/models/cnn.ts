/**
 * The default CNN: the authors' architecture (models/cnn-authors.ts) at a quarter of its width,
 * Conv(8, 3×3, same) - Conv(8, 3×3, valid) - MaxPool 2 - Dense 128 - Dense 64 - Dense classes,
 * ReLU. Chosen from measured step times (BENCHMARKS.md): the authors' network is too slow for a
 * Fig. 6 grid on 2 cores.
 */
import type { ModelEntry } from '../model-entry.ts';

export const cnn: ModelEntry = {
  name: 'cnn',
  syntax: 'cnn',
  summary: "a quarter-width copy of the authors' CNN: conv8 3×3 same, conv8 3×3 valid, maxpool 2, dense 128, 64, classes",
  parse: (text) =>
    text === 'cnn'
      ? {
          kind: 'layers',
          layers: [
            { type: 'conv', filters: 8, kernel: 3, padding: 'same' },
            { type: 'conv', filters: 8, kernel: 3, padding: 'valid' },
            { type: 'pool', size: 2 },
            { type: 'dense', units: 128 },
            { type: 'dense', units: 64 },
          ],
        }
      : undefined,
};
