/**
 * What a --model value describes, before any tensor exists: either the paper's three-layer MLP
 * (src/model/mlp.ts, with its hand-written backward pass) with two hidden widths, or a stack of
 * layers run by src/model/network.ts. Pure data; no tfjs.
 *
 * In a layer stack every convolution and every dense layer but the last is followed by a ReLU;
 * the first dense layer after a convolution or pooling flattens its input (HWC order); the last
 * dense layer has one unit per class (added from the dataset, not written in the plan).
 */

/** 2-D convolution, stride 1, square `kernel`, `filters` output channels. */
export interface ConvSpec {
  type: 'conv';
  filters: number;
  kernel: number;
  /** 'same': zero padding keeps the size (odd kernels); 'valid': no padding (size − kernel + 1). */
  padding: 'same' | 'valid';
}

/** Max-pooling over `size`×`size` windows with stride `size` ('valid': a ragged border is dropped). */
export interface PoolSpec {
  type: 'pool';
  size: number;
}

/** Dense layer with `units` outputs (its backward products are coded). */
export interface DenseSpec {
  type: 'dense';
  units: number;
}

export type LayerSpec = ConvSpec | PoolSpec | DenseSpec;

export type NetworkPlan =
  /** The paper's MLP class with hidden widths [h1, h2]: in → h1 → h2 → classes. */
  | { kind: 'paper-mlp'; hidden: [number, number] }
  /** A layer stack; the output layer (classes units) is appended by the network. */
  | { kind: 'layers'; layers: LayerSpec[] };

/** Whether a plan has convolutions (whose backward products --code-conv codes). */
export function hasConvolutions(plan: NetworkPlan): boolean {
  return plan.kind === 'layers' && plan.layers.some((l) => l.type === 'conv');
}
