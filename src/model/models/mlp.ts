/** The paper's MLP (Table II): in → 100 → 200 → classes, hand-written backward pass (src/model/backprop.ts). */
import type { ModelEntry } from '../model-entry.ts';

export const mlp: ModelEntry = {
  name: 'mlp',
  syntax: 'mlp',
  summary: "the paper's MLP, dense 100-200-classes (784-100-200-10 on MNIST), the default",
  parse: (text) => (text === 'mlp' ? { kind: 'paper-mlp', hidden: [100, 200] } : undefined),
};
