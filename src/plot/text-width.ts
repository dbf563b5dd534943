/**
 * Text widths for chart layout. Headless vega (no canvas) estimates every string as
 * 0.8·fontSize per character, about a third too wide for DejaVu Sans: long titles and subtitles
 * then reserve far more room than they use, and the canvas grows an empty margin. This installs
 * an estimate from DejaVu Sans' advance widths (in em, per character; bold about 12% wider),
 * rounded up a little so text never overflows what was reserved.
 */
import * as vega from 'vega';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const LOWER_EM = [0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525];
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const UPPER_EM = [0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685];
const OTHER_EM: Record<string, number> = { ' ': 0.318, '.': 0.318, ',': 0.318, ':': 0.337, ';': 0.337, '/': 0.337, '(': 0.39, ')': 0.39, '-': 0.361, '=': 0.838, '+': 0.838, '·': 0.318, '%': 0.95 };

const EM = new Map<string, number>();
[...LOWER].forEach((c, i) => EM.set(c, LOWER_EM[i]));
[...UPPER].forEach((c, i) => EM.set(c, UPPER_EM[i]));
for (const c of '0123456789') EM.set(c, 0.636);
for (const [c, w] of Object.entries(OTHER_EM)) EM.set(c, w);

/** Width in px of `text` at `fontSize` px (bold: about 12% wider); unknown characters count 0.7 em. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const c of text) em += EM.get(c) ?? 0.7;
  return Math.ceil(1.04 * em * fontSize * (bold ? 1.12 : 1));
}

type TextItem = { fontSize?: number; fontWeight?: string | number; limit?: number };

let installed = false;

/** Makes headless vega lay text out with {@link textWidth} (once per process). */
export function installTextWidth(): void {
  if (installed) return;
  installed = true;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: string) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const w = item.fontWeight;
    const bold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
    return textWidth(text == null ? '' : String(text).trim(), size, bold);
  };
}
