/**
 * Fashion-MNIST (Zalando): MNIST's format and sizes, ten kinds of clothing. Read from Debian's
 * dataset-fashion-mnist package, whose gzip'd IDX files are inflated in memory (never unpacked
 * to disk), or from any folder of the four files, plain or gzip'd (--data-dir).
 */
import { existsSync } from 'node:fs';
import { OptionError } from '../../util/option-error.ts';
import type { DatasetEntry } from '../dataset.ts';
import { loadMnistSplit } from '../mnist.ts';

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const fashionMnist: DatasetEntry = {
  name: 'fashion-mnist',
  summary: `Fashion-MNIST, 60 000 + 10 000 28×28 grey images of clothing (Debian's dataset-fashion-mnist, ${FASHION_MNIST_DIR})`,
  shape: { height: 28, width: 28, channels: 1 },
  classes: 10,
  defaultSource: FASHION_MNIST_DIR,
  loadSplit(split, opts) {
    const dir = opts.dataDir ?? FASHION_MNIST_DIR;
    if (opts.dataDir === undefined && !existsSync(dir)) {
      throw new OptionError('dataset', `fashion-mnist: ${dir} not found; install it with \`apt-get install dataset-fashion-mnist\` (as root), or give --data-dir`);
    }
    return loadMnistSplit(split, { ...opts, dataDir: dir });
  },
};
