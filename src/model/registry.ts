/**
 * The models (--model): one file each under src/model/models/, one line each here. The
 * conformance suite (test/models-conformance.test.ts) runs over this list.
 */
import type { ModelEntry } from './model-entry.ts';
import type { NetworkPlan } from './plan.ts';
import { mlp } from './models/mlp.ts';
import { mlpWidths } from './models/mlp-widths.ts';
import { cnn } from './models/cnn.ts';
import { cnnAuthors } from './models/cnn-authors.ts';

export const MODELS: readonly ModelEntry[] = [
  mlp,
  mlpWidths,
  cnn,
  cnnAuthors,
];

/** The valid values, as --help and errors list them. */
export const MODEL_SYNTAX: string = MODELS.map((m) => m.syntax).join(', ');

/** The plan `text` names, or a message saying what is wrong (naming the valid values). */
export function parseModel(text: string): NetworkPlan | string {
  for (const m of MODELS) {
    const r = m.parse(text);
    if (typeof r === 'string') return `${r} (valid: ${MODEL_SYNTAX})`;
    if (r !== undefined) return r;
  }
  return `unknown model '${text}' (valid: ${MODEL_SYNTAX})`;
}
