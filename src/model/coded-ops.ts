/**
 * Differentiable tfjs ops whose forward pass is exact and whose backward matrix products go
 * through an injected {@link Multiply} (tf.customGrad), so that tfjs's own autodiff (tf.grads,
 * optimizers, tf.LayersModel.fit) runs coded backprop through them:
 *
 *   codedDense(x, W, b):  x: B×in, W: in×out, b: out → x·W + b  (B×out)
 *     grad input   dX = dY·Wᵀ   multiply(dY, Wᵀ, { layer, kind: 'grad-input' })   (B×out)(out×in)
 *     grad weight  dW = Xᵀ·dY   multiply(Xᵀ, dY, { layer, kind: 'grad-weight' })  (in×B)(B×out)
 *     grad bias    db = Σ_rows dY (exact)
 *
 *   codedConv2d(x, K, b):  x: B×H×W×C (NHWC), K: k×k×C×F, b: F, stride 1, 'same' or 'valid'
 *     → conv2d(x, K) + b  (B×Ho×Wo×F). With P = im2col(x): (B·Ho·Wo)×(k·k·C), whose column
 *     (i·k + j)·C + c holds input channel c at offset (i, j) (so that K reshaped to (k·k·C)×F
 *     is the conv as P·K), and dY as (B·Ho·Wo)×F:
 *     grad weight  dK = Pᵀ·dY                  (k·k·C × B·Ho·Wo)(B·Ho·Wo × F)
 *     grad input   dX = col2im((dY·Kᵀ)ᵀ) = col2im(K·dYᵀ)   (k·k·C × F)(F × B·Ho·Wo), summed back
 *                  per pixel (computed as K·dYᵀ, the transpose of dY·Kᵀ, because that layout is
 *                  the fast one for col2im on wasm)
 *
 * The multiply is called synchronously inside the backward pass, so it must be synchronous (the
 * simulator's coded multiply, or the exact one). Nothing assumes it is exact.
 */
import * as tf from '@tensorflow/tfjs';
import type { Multiply } from './backprop.ts';

/** tf.customGrad's argument type (its inputs are typed as a union with the save function). */
export type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/**
 * x·W + b with coded backward products tagged with `layer` (x: B×in, W: in×out, b: out → B×out).
 * With `inputGrad: false` the grad input is not computed and returned as zeros: for a layer
 * whose input is the data, whose gradient nothing uses.
 */
export function codedDense(x: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, multiply: Multiply, layer: number, inputGrad = true): tf.Tensor2D {
  const op = tf.customGrad(((xi: tf.Tensor, Wi: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xi, Wi]);
    return {
      value: tf.add(tf.matMul(xi as tf.Tensor2D, Wi as tf.Tensor2D), bi),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const d = dy as tf.Tensor2D;
        const [xs, Ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dX = inputGrad ? multiply(d, tf.transpose(Ws), { layer, kind: 'grad-input' }) : tf.zerosLike(xs);
        const dW = multiply(tf.transpose(xs), d, { layer, kind: 'grad-weight' });
        return [dX, dW, tf.sum(d, 0)];
      },
    };
  }) as CustomGradFn);
  return op(x, W, b) as tf.Tensor2D;
}

/** Zero padding of a 'same' k×k convolution (stride 1, odd k): (k − 1)/2 on each side. */
function samePad(k: number): number {
  return (k - 1) / 2;
}

/**
 * im2col, transposed: x: B×H×W×C → Pᵀ: (k·k·C)×(B·Ho·Wo), row (i·k + j)·C + c = channel c at
 * offset (i, j) of every output pixel. Built channel-first so that every piece is a contiguous
 * block of rows (strided column slices and 5-D slices are 10–100× slower on wasm).
 */
export function im2colT(x: tf.Tensor4D, k: number, padding: 'same' | 'valid'): tf.Tensor2D {
  return tf.tidy(() => {
    const p = padding === 'same' ? samePad(k) : 0;
    const xc = tf.transpose(x, [3, 0, 1, 2]); // C×B×H×W
    const xp = p > 0 ? tf.pad(xc, [[0, 0], [0, 0], [p, p], [p, p]]) : xc;
    const [C, B, Hp, Wp] = xp.shape;
    const Ho = Hp - k + 1;
    const Wo = Wp - k + 1;
    const rows: tf.Tensor2D[] = [];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) rows.push(tf.reshape(tf.slice(xp, [0, 0, i, j], [C, B, Ho, Wo]), [C, B * Ho * Wo]));
    return tf.concat(rows, 0);
  });
}

/**
 * col2im from the transposed layout: the adjoint of {@link im2colT}, (k·k·C)×(B·Ho·Wo) →
 * B×H×W×C (each patch entry added back to its pixel).
 */
export function col2imT(colsT: tf.Tensor2D, shape: [number, number, number, number], k: number, padding: 'same' | 'valid'): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, H, W, C] = shape;
    const p = padding === 'same' ? samePad(k) : 0;
    const Hp = H + 2 * p;
    const Wp = W + 2 * p;
    const Ho = Hp - k + 1;
    const Wo = Wp - k + 1;
    let acc: tf.Tensor4D | null = null; // C×B×Hp×Wp
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const s = tf.reshape(tf.slice(colsT, [(i * k + j) * C, 0], [C, B * Ho * Wo]), [C, B, Ho, Wo]);
        const placed = tf.pad(s, [[0, 0], [0, 0], [i, Hp - Ho - i], [j, Wp - Wo - j]]) as tf.Tensor4D;
        acc = acc ? (tf.add(acc, placed) as tf.Tensor4D) : placed;
      }
    }
    const full = acc as tf.Tensor4D;
    const cropped = p > 0 ? (tf.slice(full, [0, 0, p, p], [C, B, H, W]) as tf.Tensor4D) : full;
    return tf.transpose(cropped, [1, 2, 3, 0]);
  });
}

/**
 * conv2d(x, K) + b, stride 1, with coded backward products tagged with `layer` (shapes in the
 * module comment). With `inputGrad: false` the grad input is not computed (zeros): for the
 * first layer, whose input is the data.
 */
export function codedConv2d(
  x: tf.Tensor4D,
  K: tf.Tensor4D,
  b: tf.Tensor1D,
  padding: 'same' | 'valid',
  multiply: Multiply,
  layer: number,
  inputGrad = true,
): tf.Tensor4D {
  const op = tf.customGrad(((xi: tf.Tensor, Ki: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xi, Ki]);
    return {
      value: tf.add(tf.conv2d(xi as tf.Tensor4D, Ki as tf.Tensor4D, 1, padding), bi),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, Ks] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [k, , C, F] = Ks.shape;
        const d = dy as tf.Tensor4D;
        const [B, Ho, Wo] = d.shape;
        const dY = tf.reshape(d, [B * Ho * Wo, F]) as tf.Tensor2D;
        const PT = im2colT(xs, k, padding);
        const dK = tf.reshape(multiply(PT, dY, { layer, kind: 'grad-weight' }), [k, k, C, F]);
        // grad input as its transpose Kmat·dYᵀ, (k·k·C × F)(F × B·Ho·Wo): col2imT's layout
        const dX = inputGrad
          ? col2imT(multiply(tf.reshape(Ks, [k * k * C, F]) as tf.Tensor2D, tf.transpose(dY), { layer, kind: 'grad-input' }), xs.shape, k, padding)
          : tf.zerosLike(xs);
        return [dX, dK, tf.sum(dY, 0)];
      },
    };
  }) as CustomGradFn);
  return op(x, K, b) as tf.Tensor4D;
}
