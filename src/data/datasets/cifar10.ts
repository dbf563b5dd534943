/**
 * CIFAR-10, binary version (src/data/cifar10.ts). Users bring it: --data-dir is the folder of
 * data_batch_1.bin … data_batch_5.bin and test_batch.bin (or the folder holding the unpacked
 * cifar-10-batches-bin/ of cifar-10-binary.tar.gz).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OptionError } from '../../util/option-error.ts';
import type { DatasetEntry } from '../dataset.ts';
import { CIFAR_TEST_FILES, CIFAR_TRAIN_FILES, readCifarFiles } from '../cifar10.ts';

export const CIFAR_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

export const cifar10: DatasetEntry = {
  name: 'cifar10',
  summary: `CIFAR-10, 50 000 + 10 000 32×32 colour images, binary version (${CIFAR_URL}; needs --data-dir)`,
  shape: { height: 32, width: 32, channels: 3 },
  classes: 10,
  defaultSource: 'none (--data-dir required)',
  loadSplit(split, opts) {
    if (opts.dataDir === undefined) {
      throw new OptionError('dataset', `cifar10 needs --data-dir DIR holding ${CIFAR_TRAIN_FILES[0]} … ${CIFAR_TRAIN_FILES[4]} and ${CIFAR_TEST_FILES[0]} (unpack ${CIFAR_URL})`);
    }
    // the tarball unpacks into cifar-10-batches-bin/: accept its parent too
    const inner = join(opts.dataDir, 'cifar-10-batches-bin');
    const dir = !existsSync(join(opts.dataDir, CIFAR_TEST_FILES[0])) && existsSync(inner) ? inner : opts.dataDir;
    return readCifarFiles(dir, split === 'train' ? CIFAR_TRAIN_FILES : CIFAR_TEST_FILES, { limit: opts.limit, limitKey: opts.limitKey });
  },
};
