/**
 * Formulas of the field's exact-or-missing codes with i.i.d. worker times (DESIGN §12).
 *
 * Systematic MDS (N·P = `blocks` systematic workers, W − N·P parities, any N·P results decode):
 * a block is lost iff its systematic worker is late and fewer than N·P results arrived. After n
 * results (a uniform n-subset of the W workers) its systematic worker is late with probability
 * (W − n)/W, the same for every block, so the normalised loss is
 *   ℓ(n) = (W − n)/W for n < N·P, 0 otherwise;   E[L(t)]/E‖C‖² = Σ_{n<NP} Bin(W, F(K·t))(n)·(W − n)/W.
 *
 * Product code: exact by enumerating the 2^W arrival sets (theory/product-code.ts).
 */
import { receivedDistribution } from './received.ts';
import { checkInteger, checkProbability } from './validate.ts';

/** ℓ(n) for n = 0..W of the systematic MDS code (Float64Array of length W + 1). */
export function systematicMdsLossVsReceived(blocks: number, W: number): Float64Array {
  checkInteger(blocks, 'blocks', 1);
  checkInteger(W, 'W', blocks);
  return Float64Array.from({ length: W + 1 }, (_, n) => (n < blocks ? (W - n) / W : 0));
}

/** E[L]/E‖C‖² = Σ_{n<NP} Bin(W, F)(n)·(W − n)/W when each worker is in with probability F. */
export function systematicMdsLossAtProbability(blocks: number, W: number, F: number): number {
  checkProbability(F, 'F');
  const pn = receivedDistribution(W, F);
  const l = systematicMdsLossVsReceived(blocks, W);
  let s = 0;
  for (let n = 0; n < blocks; n++) s += pn[n] * l[n];
  return s;
}

/** Σ_n Bin(W, F)(n)·ℓ(n): the loss at a deadline from the loss after n results (i.i.d. workers). */
export function lossAtProbability(lossByReceived: ArrayLike<number>, F: number): number {
  checkProbability(F, 'F');
  const W = lossByReceived.length - 1;
  const pn = receivedDistribution(W, F);
  let s = 0;
  for (let n = 0; n <= W; n++) s += pn[n] * lossByReceived[n];
  return s;
}
