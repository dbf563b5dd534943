/**
 * Hand-written backward pass of the MLP with every backward matrix product sent through an
 * injected multiply (the paper codes them, Table II), plus the SGD step.
 *
 * For dense layer l (Y = X·W + b) with dY = ∂loss/∂Y:
 *   grad input   dX = dY · Wᵀ   → multiply(dY, transpose(W), { layer: l, kind: 'grad-input' })
 *   grad weight  dW = Xᵀ · dY   → multiply(transpose(X), dY, { layer: l, kind: 'grad-weight' })
 *   bias         db = Σ_rows dY  (exact, not through the multiply)
 * Transposes are explicit tf.transpose calls (matMul's transpose flags are 12–17× slower on wasm).
 * Layer 1's grad input is not needed for the update, but Table II lists it and the paper codes it,
 * so it is computed through the multiply too (then dropped): six products per step, in the order
 * layer 3 (grad-input, grad-weight), layer 2 (…), layer 1 (…), at batch 64 with shapes
 *   (64×10)(10×200), (200×64)(64×10), (64×200)(200×100), (100×64)(64×200), (64×100)(100×784), (784×64)(64×100).
 * ReLU backward masks the (possibly approximate) dH with the exact forward activation (h > 0).
 * Nothing assumes the multiply is exact: its result is only used as the gradient it stands for.
 *
 * The loss (softmax cross-entropy, batch mean), the minibatch accuracy and ∂loss/∂logits
 * = (softmax − onehot)/B are computed in float64 JS from the logits, which are downloaded once
 * per step (the step's only dataSync), and ∂loss/∂logits is uploaded back.
 */
import * as tf from '@tensorflow/tfjs';
import type { Mlp } from './mlp.ts';
import { softmaxCrossEntropy } from './softmax-ce.ts';

export type LayerIndex = 1 | 2 | 3;
export type ProductKind = 'grad-input' | 'grad-weight';

/** Which of the six backward products a multiply call computes. */
export interface ProductSite {
  /** The layer with parameters, numbered from the input: 1..3 in the paper's MLP, 1..L in a layer stack (network.ts). */
  layer: number;
  kind: ProductKind;
}

/**
 * a: m×n, b: n×p → (an approximation of) a·b, m×p.
 * Contract: called inside tf.tidy; must not dispose `a` or `b`; returns a new tensor (which the
 * tidy then owns). Tensors it wants to keep across calls must be tf.keep()'d by the multiply.
 */
export type Multiply = (a: tf.Tensor2D, b: tf.Tensor2D, site: ProductSite) => tf.Tensor2D;

/**
 * The asynchronous form of {@link Multiply}, for runtimes whose workers are real (threads,
 * processes): the step awaits it. Contract: `a` and `b` stay alive until the promise settles;
 * the result is a new tensor created in the caller's scope (the step owns and frees it). The
 * two products of one layer (grad input, grad weight) are requested together, so they may be
 * in flight at the same time.
 */
export type AsyncMultiply = (a: tf.Tensor2D, b: tf.Tensor2D, site: ProductSite) => Promise<tf.Tensor2D>;

/** The exact multiply (the paper's baseline). */
export const exactMultiply: Multiply = (a, b) => tf.matMul(a, b);

/** A site's name, e.g. '3:grad-input' (the key of per-site coded options). */
export type SiteKey = `${LayerIndex}:${ProductKind}`;

export function siteKey(site: ProductSite): SiteKey {
  // layers past 3 (network.ts) have keys outside SiteKey: per-site options never name them
  return `${site.layer}:${site.kind}` as SiteKey;
}

/** The six sites in the order the backward pass calls them. */
export const PRODUCT_SITES: readonly ProductSite[] = [
  { layer: 3, kind: 'grad-input' },
  { layer: 3, kind: 'grad-weight' },
  { layer: 2, kind: 'grad-input' },
  { layer: 2, kind: 'grad-weight' },
  { layer: 1, kind: 'grad-input' },
  { layer: 1, kind: 'grad-weight' },
];

/**
 * A site's index in PRODUCT_SITES: the `product` tag of its calls in a run (real runtimes, traces).
 * Layers 4, 5, … of a deeper network (network.ts) continue after the six: 6 + 2·(layer − 4) + (0 grad input, 1 grad weight).
 */
export function siteIndex(site: ProductSite): number {
  const i = PRODUCT_SITES.findIndex((s) => s.layer === site.layer && s.kind === site.kind);
  if (i >= 0) return i;
  if (Number.isInteger(site.layer) && site.layer > 3 && (site.kind === 'grad-input' || site.kind === 'grad-weight')) {
    return 6 + 2 * (site.layer - 4) + (site.kind === 'grad-weight' ? 1 : 0);
  }
  throw new RangeError(`multiply: unknown product site layer ${site.layer} ${site.kind}`);
}

export { softmaxCrossEntropy, type SoftmaxCeResult } from './softmax-ce.ts';

/** Gradients of one batch (tensors owned by the caller unless created inside a tidy). */
export interface Gradients {
  dW: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  db: [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  /** Layer 1's grad input (∂loss/∂x), only when `keepInputGrad` is set. */
  dX?: tf.Tensor2D;
  /** Batch-mean loss and minibatch correct count, from the forward pass before any update. */
  loss: number;
  correct: number;
  size: number;
}

/** One backward product the pass needs: a: m×n times b: n×p → m×p, for `site`. */
interface ProductRequest {
  a: tf.Tensor2D;
  b: tf.Tensor2D;
  site: ProductSite;
}

function checked(out: tf.Tensor2D, q: ProductRequest): tf.Tensor2D {
  const m = q.a.shape[0];
  const p = q.b.shape[1];
  if (!out || out.rank !== 2 || out.shape[0] !== m || out.shape[1] !== p) {
    throw new Error(
      `multiply at layer ${q.site.layer} ${q.site.kind}: expected a ${m}×${p} result for ` +
        `(${q.a.shape.join('×')})·(${q.b.shape.join('×')}), got [${out?.shape?.join(', ')}]`,
    );
  }
  return out;
}

type GradTensors = Record<string, tf.Tensor>;
interface LossOut {
  loss: number;
  correct: number;
}

/**
 * The forward pass and the hand-written backward pass, as a generator: it yields the two
 * backward products of each layer (grad input, grad weight) and receives their results, so one
 * body serves the synchronous driver (inside tf.tidy) and the asynchronous one (awaiting
 * workers). Returns the gradient tensors; every other tensor it makes belongs to the caller's
 * scope.
 */
function* backwardPass(
  model: Mlp,
  x: tf.Tensor2D,
  labels: ArrayLike<number>,
  keepInputGrad: boolean,
  lossOut: LossOut,
): Generator<ProductRequest[], GradTensors, tf.Tensor2D[]> {
  const B = x.shape[0];
  const C = model.sizes[3];
  const { h1, h2, logits } = model.forward(x);
  const ce = softmaxCrossEntropy(logits.dataSync(), labels, B, C);
  lossOut.loss = ce.loss;
  lossOut.correct = ce.correct;
  const dZ3 = tf.tensor2d(ce.dLogits, [B, C]);
  const inputs = [x, h1, h2];
  const dW: tf.Tensor2D[] = [];
  const db: tf.Tensor1D[] = [];
  let dY: tf.Tensor2D = dZ3;
  let dX: tf.Tensor2D | undefined;
  for (const l of [3, 2, 1] as const) {
    const X = inputs[l - 1];
    const W = model.weights[l - 1];
    const [dIn, dWl] = yield [
      { a: dY, b: tf.transpose(W), site: { layer: l, kind: 'grad-input' } },
      { a: tf.transpose(X), b: dY, site: { layer: l, kind: 'grad-weight' } },
    ];
    dW[l - 1] = dWl;
    db[l - 1] = tf.sum(dY, 0);
    if (l > 1) {
      // ReLU backward: the layer below's output X = relu(Z) > 0 exactly where Z > 0.
      dY = tf.mul(dIn, tf.step(X));
    } else {
      dX = dIn;
    }
  }
  const kept: GradTensors = { dW1: dW[0], dW2: dW[1], dW3: dW[2], db1: db[0], db2: db[1], db3: db[2] };
  if (keepInputGrad && dX) kept.dX = dX;
  return kept;
}

function asGradients(out: GradTensors, lossOut: LossOut, B: number): Gradients {
  return {
    dW: [out.dW1 as tf.Tensor2D, out.dW2 as tf.Tensor2D, out.dW3 as tf.Tensor2D],
    db: [out.db1 as tf.Tensor1D, out.db2 as tf.Tensor1D, out.db3 as tf.Tensor1D],
    dX: out.dX as tf.Tensor2D | undefined,
    loss: lossOut.loss,
    correct: lossOut.correct,
    size: B,
  };
}

/**
 * Forward (exact) and hand-written backward through `multiply` for the batch x (B×in tensor,
 * not disposed) with `labels`. Returns new gradient tensors; all intermediates are freed.
 */
export function computeGradients(
  model: Mlp,
  x: tf.Tensor2D,
  labels: ArrayLike<number>,
  multiply: Multiply = exactMultiply,
  opts: { keepInputGrad?: boolean } = {},
): Gradients {
  const lossOut: LossOut = { loss: NaN, correct: 0 };
  const out = tf.tidy(() => {
    const pass = backwardPass(model, x, labels, opts.keepInputGrad ?? false, lossOut);
    let r = pass.next();
    while (!r.done) r = pass.next(r.value.map((q) => checked(multiply(q.a, q.b, q.site), q)));
    return r.value;
  });
  return asGradients(out, lossOut, x.shape[0]);
}

/**
 * {@link computeGradients} with an asynchronous multiply: the two products of a layer are
 * requested together and awaited. Intermediates live in an engine scope (tf.tidy cannot span an
 * await) that is closed, keeping only the gradients, whether the pass succeeds or throws.
 */
export async function computeGradientsAsync(
  model: Mlp,
  x: tf.Tensor2D,
  labels: ArrayLike<number>,
  multiply: AsyncMultiply,
  opts: { keepInputGrad?: boolean } = {},
): Promise<Gradients> {
  const lossOut: LossOut = { loss: NaN, correct: 0 };
  const engine = tf.engine();
  engine.startScope('computeGradientsAsync');
  let out: GradTensors | undefined;
  try {
    const pass = backwardPass(model, x, labels, opts.keepInputGrad ?? false, lossOut);
    let r = pass.next();
    while (!r.done) {
      const results = await Promise.all(r.value.map(async (q) => checked(await multiply(q.a, q.b, q.site), q)));
      r = pass.next(results);
    }
    out = r.value;
  } finally {
    engine.endScope(out);
  }
  return asGradients(out, lossOut, x.shape[0]);
}

/** Outcome of one SGD step, measured on the batch before the update. */
export interface StepOutcome {
  loss: number;
  correct: number;
  size: number;
}

/**
 * One SGD step on the batch (images: B×in row-major floats, labels): gradients through
 * `multiply`, then W ← W − lr·dW, b ← b − lr·db (old parameter tensors are disposed).
 * Leaves the number of live tensors unchanged.
 */
export function sgdStep(
  model: Mlp,
  images: Float32Array,
  labels: ArrayLike<number>,
  lr: number,
  multiply: Multiply = exactMultiply,
): StepOutcome {
  const B = checkBatch(model, images, labels);
  let stats: StepOutcome = { loss: NaN, correct: 0, size: B };
  const next = tf.tidy(() => {
    const x = tf.tensor2d(images, [B, model.sizes[0]]);
    const g = computeGradients(model, x, labels, multiply);
    stats = { loss: g.loss, correct: g.correct, size: g.size };
    return updated(model, g, lr);
  });
  replaceParameters(model, next);
  return stats;
}

/** {@link sgdStep} with an asynchronous multiply (real workers): awaits the backward products. */
export async function sgdStepAsync(
  model: Mlp,
  images: Float32Array,
  labels: ArrayLike<number>,
  lr: number,
  multiply: AsyncMultiply,
): Promise<StepOutcome> {
  const B = checkBatch(model, images, labels);
  const x = tf.tensor2d(images, [B, model.sizes[0]]);
  let g: Gradients;
  try {
    g = await computeGradientsAsync(model, x, labels, multiply);
  } finally {
    x.dispose();
  }
  const grads = g;
  const next = tf.tidy(() => updated(model, grads, lr));
  for (const t of [...grads.dW, ...grads.db]) t.dispose();
  replaceParameters(model, next);
  return { loss: g.loss, correct: g.correct, size: g.size };
}

function checkBatch(model: Mlp, images: Float32Array, labels: ArrayLike<number>): number {
  const B = labels.length;
  const inDim = model.sizes[0];
  if (images.length !== B * inDim) {
    throw new RangeError(`images: expected ${B}×${inDim} values for ${B} labels, got ${images.length}`);
  }
  return B;
}

/** W ← W − lr·dW, b ← b − lr·db, as new tensors (call inside a tidy). */
function updated(model: Mlp, g: Gradients, lr: number): tf.Tensor[] {
  const lrT = tf.scalar(lr);
  const W = model.weights.map((w, l) => tf.sub(w, tf.mul(g.dW[l], lrT)));
  const b = model.biases.map((bb, l) => tf.sub(bb, tf.mul(g.db[l], lrT)));
  return [...W, ...b];
}

function replaceParameters(model: Mlp, next: tf.Tensor[]): void {
  const old = [...model.weights, ...model.biases];
  model.weights = [next[0] as tf.Tensor2D, next[1] as tf.Tensor2D, next[2] as tf.Tensor2D];
  model.biases = [next[3] as tf.Tensor1D, next[4] as tf.Tensor1D, next[5] as tf.Tensor1D];
  for (const t of old) t.dispose();
}
