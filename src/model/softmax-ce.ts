/**
 * Softmax cross-entropy of a batch from its logits, in float64 JS: the loss the MLP trains on,
 * the minibatch accuracy, and ∂loss/∂logits that the backward pass starts from.
 */

/** Loss, accuracy and ∂loss/∂logits for a batch, from its logits (float64 arithmetic). */
export interface SoftmaxCeResult {
  /** Mean over the batch of −log softmax(z)[y]. */
  loss: number;
  /** Rows whose argmax logit (first index on ties) equals the label. */
  correct: number;
  /** (softmax(z) − onehot(y)) / B, row-major B×C. */
  dLogits: Float32Array;
}

/** Softmax cross-entropy (batch mean) on row-major B×C logits with integer labels. */
export function softmaxCrossEntropy(logits: ArrayLike<number>, labels: ArrayLike<number>, B: number, C: number): SoftmaxCeResult {
  if (logits.length !== B * C || labels.length !== B) {
    throw new RangeError(`logits: expected ${B}×${C} values and ${B} labels, got ${logits.length} and ${labels.length}`);
  }
  const dLogits = new Float32Array(B * C);
  const p = new Float64Array(C);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < B; i++) {
    const o = i * C;
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) {
      const z = logits[o + c];
      if (z > max) {
        max = z;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < C; c++) {
      p[c] = Math.exp(logits[o + c] - max);
      sum += p[c];
    }
    const y = labels[i];
    if (!(y >= 0 && y < C)) throw new RangeError(`labels: label ${y} at row ${i} is outside 0..${C - 1}`);
    lossSum += Math.log(sum) - (logits[o + y] - max);
    if (arg === y) correct++;
    for (let c = 0; c < C; c++) dLogits[o + c] = (p[c] / sum - (c === y ? 1 : 0)) / B;
  }
  return { loss: lossSum / B, correct, dLogits };
}
