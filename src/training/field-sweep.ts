/**
 * The training sweep of `npm run field` (issue 22): the field's codes beside UEP on MNIST, each at
 * every T_max and seed, as variants of the Fig. 6 sweep (src/training/sweep.ts) in one output
 * folder, so they are resumable and go to the queue alike. A variant is a training scheme plus
 * the options that make it (EW with designed Γ: --design auto; EW unbiased: --estimate unbiased);
 * its runs are named `<variant>-tmax<T>-seed<s>`.
 */
import type { TrainingScheme } from '../coded-backprop/index.ts';
import { planSweep, type PlannedRun, type SweepOptions } from './sweep.ts';
import type { TrainConfigInput } from './train-config.ts';

/** One line of the training figure. */
export interface FieldVariant {
  /** Run-name prefix and CSV key. */
  key: string;
  /** Legend label (with W and the per-worker load K added by the figure). */
  label: string;
  scheme: TrainingScheme;
  /** Options that make the variant (added to every run's common options). */
  extra: Omit<TrainConfigInput, 'scheme' | 'tmax' | 'seed' | 'sites'>;
}

/** The training comparison: uncoded, systematic MDS, product, NOW, EW, EW designed Γ, BACC, EW unbiased. */
export const FIELD_VARIANTS: readonly FieldVariant[] = [
  { key: 'uncoded', label: 'uncoded', scheme: 'uncoded', extra: {} },
  { key: 'sysmds', label: 'systematic MDS', scheme: 'sysmds', extra: {} },
  { key: 'product', label: 'product code', scheme: 'product', extra: {} },
  { key: 'now', label: 'NOW-UEP', scheme: 'now', extra: {} },
  { key: 'ew', label: 'EW-UEP', scheme: 'ew', extra: {} },
  { key: 'ew-design', label: 'EW-UEP, designed Γ', scheme: 'ew', extra: { trainDesign: 'auto' } },
  { key: 'bacc', label: 'BACC (9×1)', scheme: 'bacc', extra: {} },
  { key: 'ew-unbiased', label: 'EW-UEP, unbiased', scheme: 'ew', extra: { estimate: 'unbiased' } },
];

/** Every run of the field sweep, seed-major (whole seeds first, as fig6), variants in order. */
export function planFieldSweep(variants: readonly FieldVariant[], o: Omit<SweepOptions, 'schemes'>): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const seed of o.seeds) {
    for (const v of variants) {
      for (const r of planSweep({ schemes: [v.scheme], tmaxes: o.tmaxes, seeds: [seed], common: { ...o.common, ...v.extra } })) {
        runs.push({ ...r, name: `${v.key}-tmax${r.tmax === Infinity ? 'inf' : String(r.tmax)}-seed${r.seed}` });
      }
    }
  }
  return runs;
}

/** The variant a run name belongs to (the longest key that prefixes it), or undefined. */
export function variantOfRun(name: string, variants: readonly FieldVariant[] = FIELD_VARIANTS): FieldVariant | undefined {
  return [...variants].sort((a, b) => b.key.length - a.key.length).find((v) => name.startsWith(`${v.key}-tmax`));
}
