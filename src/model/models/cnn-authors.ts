/**
 * The authors' CIFAR-10 CNN (DESIGN §14): Conv(32, 3×3, same) - Conv(32, 3×3, valid) -
 * MaxPool 2 - Dense 512 - Dense 256 - Dense classes, ReLU. At 28×28 its first dense layer has
 * 13·13·32 = 5408 inputs (at CIFAR's 32×32: 15·15·32 = 7200).
 */
import type { ModelEntry } from '../model-entry.ts';

export const cnnAuthors: ModelEntry = {
  name: 'cnn-authors',
  syntax: 'cnn-authors',
  summary: "the authors' CNN: conv32 3×3 same, conv32 3×3 valid, maxpool 2, dense 512, 256, classes",
  parse: (text) =>
    text === 'cnn-authors'
      ? {
          kind: 'layers',
          layers: [
            { type: 'conv', filters: 32, kernel: 3, padding: 'same' },
            { type: 'conv', filters: 32, kernel: 3, padding: 'valid' },
            { type: 'pool', size: 2 },
            { type: 'dense', units: 512 },
            { type: 'dense', units: 256 },
          ],
        }
      : undefined,
};
