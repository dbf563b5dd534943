/**
 * An MLP of any hidden widths: mlp:W1,W2,… (ReLU after each; the output layer has one unit per
 * class). Two widths use the paper's MLP code (mlp:100,200 is `mlp`); any other depth runs as a
 * layer stack (src/model/network.ts) whose dense layers are coded the same way.
 */
import type { ModelEntry } from '../model-entry.ts';

/** Largest hidden width accepted (bounds memory: a W×W float32 weight is 4·W² bytes). */
export const MAX_WIDTH = 16384;

export const mlpWidths: ModelEntry = {
  name: 'mlp:',
  syntax: 'mlp:W1,W2,…',
  summary: 'an MLP with hidden widths W1, W2, … (e.g. mlp:256,128)',
  parse(text) {
    if (!text.startsWith('mlp:')) return undefined;
    const parts = text.slice(4).split(',');
    const widths = parts.map((p) => (/^\d+$/.test(p.trim()) ? Number(p.trim()) : NaN));
    const bad = parts.findIndex((_, i) => !(Number.isInteger(widths[i]) && widths[i] >= 1 && widths[i] <= MAX_WIDTH));
    if (bad >= 0) return `mlp:W1,W2,… needs widths that are integers 1..${MAX_WIDTH}, got '${parts[bad]}' in '${text}'`;
    if (widths.length === 2) return { kind: 'paper-mlp', hidden: [widths[0], widths[1]] };
    return { kind: 'layers', layers: widths.map((units) => ({ type: 'dense' as const, units })) };
  },
};
