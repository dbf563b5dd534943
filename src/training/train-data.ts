/**
 * The data of a training run, loaded once from the resolved configuration: the first `limit`
 * training and `testLimit` test examples of its dataset (src/data/registry.ts; from `dataDir`,
 * or the dataset's own source).
 */
import { batchesPerEpoch } from '../data/batches.ts';
import type { MnistSplit } from '../data/mnist.ts';
import { OptionError } from '../config/index.ts';
import { datasetOf, type TrainConfig } from './train-config.ts';

export interface TrainData {
  train: MnistSplit;
  test: MnistSplit;
}

/**
 * Loads the splits and checks the batch size against the training set.
 * @throws OptionError naming `limit`, `testLimit` or `batch`, or `dataDir` for a missing or
 *   malformed file (the message names the file)
 */
export function loadTrainData(cfg: TrainConfig): TrainData {
  const dataDir = cfg.dataDir ?? undefined;
  const dataset = datasetOf(cfg);
  let data: TrainData;
  try {
    data = {
      train: dataset.loadSplit('train', { dataDir, limit: cfg.limit ?? undefined, limitKey: 'limit' }),
      test: dataset.loadSplit('test', { dataDir, limit: cfg.testLimit ?? undefined, limitKey: 'testLimit' }),
    };
  } catch (err) {
    if (err instanceof OptionError || !(err instanceof Error)) throw err;
    throw new OptionError('dataDir', err.message);
  }
  if (cfg.batch > data.train.count) {
    throw new OptionError('batch', `${cfg.batch} is larger than the ${data.train.count} training examples`);
  }
  return data;
}

/** Iterations a run makes. */
export function totalIterations(cfg: Pick<TrainConfig, 'epochs' | 'batch'>, trainCount: number): number {
  return cfg.epochs * batchesPerEpoch(trainCount, cfg.batch);
}
