/**
 * Tabular and text forms of a Γ design sweep (rows of {@link DeadlineDesign}), for the design
 * command's CSV and its printed summary.
 */
import type { DeadlineDesign } from './gamma.ts';

/** CSV columns for L classes: tmax, scheme, gamma_1..gamma_L, loss, reference_gamma_loss, ratio, grid_loss. */
export function designColumns(L: number): string[] {
  return [
    'tmax',
    'scheme',
    ...Array.from({ length: L }, (_, l) => `gamma_${l + 1}`),
    'loss',
    'reference_loss',
    'reference_over_optimal',
    'grid_loss',
    'evaluations',
  ];
}

/** Ratio reference / optimal loss (Infinity when the optimum is exactly 0 and the reference is not; 1 when both are 0). */
export function lossRatio(reference: number, optimal: number): number {
  if (optimal > 0) return reference / optimal;
  return reference > 0 ? Infinity : 1;
}

/** One CSV record per deadline (keys = {@link designColumns}). */
export function designCsvRows(scheme: string, rows: readonly DeadlineDesign[]): Record<string, number | string>[] {
  return rows.map((r) => ({
    tmax: r.tmax,
    scheme,
    ...Object.fromEntries(r.gamma.map((g, l) => [`gamma_${l + 1}`, round(g, 9)])),
    loss: r.loss,
    reference_loss: r.referenceLoss,
    reference_over_optimal: lossRatio(r.referenceLoss, r.loss),
    grid_loss: r.gridLoss,
    evaluations: r.evaluations,
  }));
}

/** Human-readable lines for one deadline. */
export function describeDesign(scheme: string, r: DeadlineDesign, reference: readonly number[]): string[] {
  const fmt = (g: readonly number[]) => `(${g.map((v) => v.toFixed(4)).join(', ')})`;
  const ratio = lossRatio(r.referenceLoss, r.loss);
  return [
    `${scheme.toUpperCase()} at T_max = ${r.tmax}:`,
    `  optimal Γ      ${fmt(r.gamma)}`,
    `  its loss       ${r.loss.toPrecision(5)}`,
    `  reference Γ    ${fmt(reference)}  loss ${r.referenceLoss.toPrecision(5)}`,
    `  ratio          reference / optimal = ${Number.isFinite(ratio) ? ratio.toFixed(3) : '∞ (optimal loss is 0)'}` +
      ` (gain ${(100 * (1 - r.loss / Math.max(r.referenceLoss, Number.MIN_VALUE))).toFixed(1)}% lower loss)`,
  ];
}

function round(v: number, digits: number): number {
  const s = 10 ** digits;
  return Math.round(v * s) / s;
}
