/**
 * A coded dense layer for any tfjs model: `codedDenseLayer({ units, multiply })` is a
 * tf.layers.Layer computing the exact y = activation(x·W + b) (x: B×in, W: in×units, b: units)
 * whose two backward products, grad input dY·Wᵀ and grad weight Xᵀ·dY, go through its own
 * multiply (coded-ops.ts codedDense), e.g. the simulator's coded multiply with this layer's
 * options: `makeCodedMultiply(resolveCodedOptions({ scheme: 'ew', tmax: 1 }), new Rng(seed)).multiply`
 * (src/coded-backprop/index.ts). It goes into a user's tf.sequential / tf.model and trains with
 * any tfjs optimizer (model.fit, optimizer.minimize): tfjs's autodiff calls the multiply.
 *
 * Runtimes: the multiply runs inside tfjs's synchronous backward pass, so it must be synchronous:
 * the simulator (`--runtime sim`'s makeCodedMultiply) or the exact product. The real runtimes
 * (threads, nats) return promises; they would need a training step that awaits the products,
 * i.e. a hand-written backward pass like src/model/backprop.ts's computeGradientsAsync, not
 * tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import { exactMultiply, type Multiply } from './backprop.ts';
import { codedDense } from './coded-ops.ts';

export interface CodedDenseArgs {
  units: number;
  /** The backward products' multiply (synchronous); default exact. */
  multiply?: Multiply;
  /** 'relu' or none (linear). */
  activation?: 'relu' | 'linear';
  /** Product-site tag of this layer's calls (stats, traces); default 1. */
  site?: number;
  /** Seed of the Glorot-uniform kernel initialiser (tfjs's own initialiser). */
  seed?: number;
  inputShape?: number[];
  name?: string;
}

export class CodedDense extends tf.layers.Layer {
  static className = 'CodedDense';
  private readonly units: number;
  private readonly multiply: Multiply;
  private readonly activation: 'relu' | 'linear';
  private readonly site: number;
  private readonly seed: number | undefined;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: CodedDenseArgs) {
    super({ name: args.name, inputShape: args.inputShape });
    if (!(Number.isInteger(args.units) && args.units > 0)) throw new RangeError(`units: must be a positive integer, got ${args.units}`);
    this.units = args.units;
    this.multiply = args.multiply ?? exactMultiply;
    this.activation = args.activation ?? 'linear';
    this.site = args.site ?? 1;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inDim = shape[shape.length - 1] as number;
    this.kernel = this.addWeight('kernel', [inDim, this.units], 'float32', tf.initializers.glorotUniform({ seed: this.seed }));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const y = codedDense(x, this.kernel!.read() as tf.Tensor2D, this.bias!.read() as tf.Tensor1D, this.multiply, this.site);
      return this.activation === 'relu' ? tf.relu(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, site: this.site };
  }
}

/** A {@link CodedDense} layer (as tf.layers.dense). */
export function codedDenseLayer(args: CodedDenseArgs): CodedDense {
  return new CodedDense(args);
}
