/**
 * Library training loop (no argv, no process exit, no option defaults): SGD over minibatches
 * with the backward products sent through an injected multiply, for the paper's MLP (mlp.ts,
 * backprop.ts; the default) or a layer stack (network.ts; `cfg.network`, synchronous multiplies). It takes an
 * already-resolved configuration (src/training/train-config.ts resolves and checks it once) and
 * already-loaded data, and trusts both.
 *
 * Per iteration it reports a record: iteration (1-based, over all epochs), epoch (1-based),
 * train_acc and train_loss of the minibatch measured BEFORE its update (as the authors log),
 * test_acc on the test set every `evalEvery` iterations and after each epoch's last iteration
 * (undefined otherwise), step_ms (wall-clock milliseconds of the step), plus whatever
 * `extraFields()` returns (called right after each step).
 *
 * The tfjs backend is whatever is active: call initBackend() first. Randomness: the weight
 * initialisation and the shuffle each have their own stream, named from the seed
 * (`streamSeed(seed, 'init')`, `streamSeed(seed, 'shuffle')`).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, streamSeed } from '../util/rng.ts';
import { minibatches, batchesPerEpoch } from '../data/batches.ts';
import type { MnistSplit } from '../data/mnist.ts';
import { Mlp, MNIST_MLP_SIZES, type LayerSizes, type MlpArrays } from './mlp.ts';
import { TestEvaluator } from './test-evaluator.ts';
import { sgdStep, sgdStepAsync, type AsyncMultiply, type Multiply, type StepOutcome } from './backprop.ts';
import { Network, type NetworkArrays } from './network.ts';
import type { NetworkPlan } from './plan.ts';
import { imageSize, type ImageShape } from '../data/dataset.ts';
import { OptionError } from '../util/option-error.ts';

/** One iteration's log line. Extra fields from `extraFields` are merged in. */
export interface IterationRecord {
  iteration: number;
  epoch: number;
  train_acc: number;
  train_loss: number;
  test_acc: number | undefined;
  /** Wall-clock milliseconds of the step (upload, forward, backward with its products, update). */
  step_ms: number;
  [extra: string]: number | undefined;
}

/** The loop's resolved settings. */
export interface LoopConfig {
  /** Passes over the training data. */
  epochs: number;
  /** Minibatch size; the last partial batch of an epoch is kept. */
  batch: number;
  lr: number;
  /** Seed of the named streams 'init' (weights) and 'shuffle'. */
  seed: number;
  shuffle: boolean;
  /** Evaluate on the test set every `evalEvery` iterations (0: only at epoch ends). */
  evalEvery: number;
  /** Layer sizes (default 784-100-200-10); ignored when `network` is given. */
  sizes?: LayerSizes;
  /**
   * The network and the data's image shape (src/model/registry.ts): the paper's MLP class for a
   * 'paper-mlp' plan, else a layer stack (network.ts). Absent: the paper's MLP at `sizes`.
   */
  network?: { plan: NetworkPlan; shape: ImageShape; classes: number; codeConv: boolean };
}

/** The backward products' multiply: synchronous (the simulator, exact) or asynchronous (real workers). */
export type StepMultiply = { sync: Multiply } | { async: AsyncMultiply };

export interface LoopHooks {
  /** Called with every iteration's record (awaited if it returns a promise). */
  onIteration?: (record: IterationRecord) => void | Promise<void>;
  /** Called after each step; its fields are merged into the record (e.g. workers_received). */
  extraFields?: () => Record<string, number>;
}

export interface TrainResult<W = MlpArrays> {
  /** Test accuracy after the last iteration. */
  testAccuracy: number;
  /** Final parameters (plain arrays; the trainer frees its tensors): the MLP's, or a layer stack's. */
  weights: W;
  /** Iterations run. */
  iterations: number;
  /** Mean wall-clock milliseconds of one training step (upload, forward, backward, update). */
  msPerStep: number;
  /** Total milliseconds spent in test evaluations. */
  evalMs: number;
  /** Milliseconds from the call to the first step (weights initialised, test set uploaded). */
  setupMs: number;
  /** Backend that ran. */
  backend: string;
}

const CORE_FIELDS = new Set(['iteration', 'epoch', 'train_acc', 'train_loss', 'test_acc', 'step_ms']);

/** The model a loop trains: one SGD step, test accuracy, final parameters. */
interface Trainee<W> {
  step(images: Float32Array, labels: ArrayLike<number>): StepOutcome | Promise<StepOutcome>;
  testAccuracy(): number;
  toArrays(): W;
  dispose(): void;
}

/** The paper's MLP with its hand-written backward pass and packed test evaluator. */
function mlpTrainee(cfg: LoopConfig, sizes: LayerSizes, testSet: MnistSplit, multiply: StepMultiply): Trainee<MlpArrays> {
  const model = Mlp.init(new Rng(streamSeed(cfg.seed, 'init')), sizes);
  const evaluator = new TestEvaluator(testSet);
  return {
    step: (images, labels) =>
      'sync' in multiply ? sgdStep(model, images, labels, cfg.lr, multiply.sync) : sgdStepAsync(model, images, labels, cfg.lr, multiply.async),
    testAccuracy: () => evaluator.accuracy(model),
    toArrays: () => model.toArrays(),
    dispose: () => {
      model.dispose();
      evaluator.dispose();
    },
  };
}

/** A layer stack (network.ts): synchronous multiplies only (its backward runs inside tf.grads). */
function networkTrainee(cfg: LoopConfig, net: NonNullable<LoopConfig['network']>, testSet: MnistSplit, multiply: StepMultiply): Trainee<NetworkArrays> {
  if (!('sync' in multiply)) {
    throw new OptionError('model', 'layer-stack models run their backward pass inside tfjs autodiff, which is synchronous: they run on the simulator only (--runtime sim)');
  }
  if (net.plan.kind !== 'layers') throw new RangeError('network: not a layer stack');
  const model = Network.init(new Rng(streamSeed(cfg.seed, 'init')), net.plan.layers, net.shape, net.classes, net.codeConv);
  return {
    step: (images, labels) => model.sgdStep(images, labels, cfg.lr, multiply.sync),
    testAccuracy: () => model.accuracy(testSet.images, testSet.labels, testSet.count),
    toArrays: () => model.toArrays(),
    dispose: () => model.dispose(),
  };
}

/**
 * Trains the model on `data.train` (images: count×dim row-major in [0, 1]) and evaluates on
 * `data.test`; returns the final test accuracy and weights.
 */
export async function train(cfg: LoopConfig & { network?: undefined }, data: { train: MnistSplit; test: MnistSplit }, multiply: StepMultiply, hooks?: LoopHooks): Promise<TrainResult>;
export async function train(cfg: LoopConfig, data: { train: MnistSplit; test: MnistSplit }, multiply: StepMultiply, hooks?: LoopHooks): Promise<TrainResult<MlpArrays | NetworkArrays>>;
export async function train(
  cfg: LoopConfig,
  data: { train: MnistSplit; test: MnistSplit },
  multiply: StepMultiply,
  hooks: LoopHooks = {},
): Promise<TrainResult<MlpArrays | NetworkArrays>> {
  const called = performance.now();
  await tf.ready();
  const net = cfg.network;
  const sizes: LayerSizes =
    net?.plan.kind === 'paper-mlp' ? [imageSize(net.shape), net.plan.hidden[0], net.plan.hidden[1], net.classes] : (cfg.sizes ?? MNIST_MLP_SIZES);
  const inDim = net ? imageSize(net.shape) : sizes[0];
  const { train: trainSet, test: testSet } = data;
  if (trainSet.dim !== inDim || testSet.dim !== inDim) {
    throw new RangeError(`sizes: input size ${inDim} does not match the data (${trainSet.dim}, ${testSet.dim})`);
  }
  const perEpoch = batchesPerEpoch(trainSet.count, cfg.batch);
  const shuffleRng = new Rng(streamSeed(cfg.seed, 'shuffle'));
  const model: Trainee<MlpArrays | NetworkArrays> =
    net?.plan.kind === 'layers' ? networkTrainee(cfg, net, testSet, multiply) : mlpTrainee(cfg, sizes, testSet, multiply);
  const step = (images: Float32Array, labels: ArrayLike<number>) => model.step(images, labels);
  let iteration = 0;
  let stepMs = 0;
  let evalMs = 0;
  let testAccuracy = NaN;
  let setupMs = NaN;
  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      for (const b of minibatches(trainSet, { batch: cfg.batch, shuffle: cfg.shuffle, rng: shuffleRng })) {
        const t0 = performance.now();
        if (iteration === 0) setupMs = t0 - called;
        const s = await step(b.images, b.labels);
        const ms = performance.now() - t0;
        stepMs += ms;
        iteration++;
        const extra = hooks.extraFields?.() ?? {};
        const lastOfEpoch = b.index === perEpoch - 1;
        let test_acc: number | undefined;
        if (lastOfEpoch || (cfg.evalEvery > 0 && iteration % cfg.evalEvery === 0)) {
          const e0 = performance.now();
          test_acc = model.testAccuracy();
          evalMs += performance.now() - e0;
          testAccuracy = test_acc;
        }
        const record: IterationRecord = { iteration, epoch, train_acc: s.correct / s.size, train_loss: s.loss, test_acc, step_ms: ms };
        for (const [k, v] of Object.entries(extra)) {
          if (CORE_FIELDS.has(k)) throw new Error(`extraFields: '${k}' would overwrite a core record field`);
          record[k] = v;
        }
        if (hooks.onIteration) await hooks.onIteration(record);
      }
    }
    return {
      testAccuracy,
      weights: model.toArrays(),
      iterations: iteration,
      msPerStep: iteration > 0 ? stepMs / iteration : NaN,
      evalMs,
      setupMs: iteration > 0 ? setupMs : performance.now() - called,
      backend: tf.getBackend(),
    };
  } finally {
    model.dispose();
  }
}
