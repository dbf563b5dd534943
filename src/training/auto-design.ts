/**
 * `train --design auto`: the window distribution Γ of each of the six backward products designed
 * from the data during training. At iteration `warmup` (and every `every` iterations after it,
 * when every > 0) each product's operands are downloaded, the class energies of its exact product
 * under the engine's norm ordering and grid are measured in float64 (design/energy.ts), and the Γ
 * minimising the expected normalised loss at the site's T_max (Theorem 1, class windows;
 * design/gamma.ts) replaces the site's Γ from that product on. Before the first design every site
 * uses the configured Γ. The coded multiply reads the per-site options at each call, so a new Γ
 * takes effect at once; the code's random stream is not touched (designing draws nothing).
 * Each design is recorded (iteration, site, energy fractions, Γ, its expected loss and the
 * configured Γ's), written by the run as design.csv and summarised in config.json.
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import type { ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { designGamma, designLoss, productEnergies, receivedAtDeadline, type DesignProblem } from '../design/index.ts';
import { PRODUCT_SITES, siteKey, type ProductSite, type SiteKey } from '../model/backprop.ts';
import type { Matrix } from '../util/matrix.ts';

/** When to design. */
export interface AutoDesignSchedule {
  /** 1-based iteration whose products the first design measures. */
  warmup: number;
  /** Re-design every this many iterations after the warm-up (0: once). */
  every: number;
}

/** One design of one product site. */
export interface DesignRecord {
  iteration: number;
  site: SiteKey;
  /** Share of ‖C‖² in each class (class 1 first). */
  fractions: number[];
  /** The Γ chosen. */
  gamma: number[];
  /** Its expected normalised loss at the site's T_max, and that of the configured Γ. */
  loss: number;
  referenceLoss: number;
}

export const DESIGN_COLUMNS = ['iteration', 'layer', 'kind', 'fractions', 'gamma', 'loss', 'reference_loss'] as const;

/** Rows of design.csv (lists joined with ';'). */
export function designRows(records: readonly DesignRecord[]): Record<(typeof DESIGN_COLUMNS)[number], string | number>[] {
  return records.map((r) => {
    const [layer, kind] = r.site.split(':');
    const fmt = (xs: number[]) => xs.map((x) => Number(x.toPrecision(6))).join(';');
    return { iteration: r.iteration, layer: Number(layer), kind, fractions: fmt(r.fractions), gamma: fmt(r.gamma), loss: Number(r.loss.toPrecision(6)), reference_loss: Number(r.referenceLoss.toPrecision(6)) };
  });
}

function toMatrix(t: Tensor2D): Matrix {
  const [rows, cols] = t.shape;
  return { rows, cols, data: Float64Array.from(t.dataSync()) };
}

/** True when `iteration` (1-based) is a design iteration of `s`. */
export function isDesignIteration(s: AutoDesignSchedule, iteration: number): boolean {
  if (iteration === s.warmup) return true;
  return s.every > 0 && iteration > s.warmup && (iteration - s.warmup) % s.every === 0;
}

/**
 * The Γ of `opts` designed for measured class energies (null when the product is zero).
 * @param current starting point besides the optimiser's grid (the site's Γ in use)
 */
export function designForEnergies(opts: ResolvedCodedOptions, byClass: readonly number[], current: readonly number[]): { gamma: number[]; loss: number; referenceLoss: number } | null {
  if (!(byClass.reduce((a, b) => a + b, 0) > 0)) return null;
  const p: DesignProblem = {
    scheme: opts.scheme as 'now' | 'ew',
    k: opts.grid.classSizes,
    energies: byClass,
    received: receivedAtDeadline({ spec: opts.latencySpec, K: opts.K }, opts.workers, opts.tmax),
  };
  const d = designGamma(p, { extraStarts: [current] });
  return { gamma: d.gamma, loss: d.loss, referenceLoss: designLoss(p, opts.gamma) };
}

/**
 * An observer for the multiply: call it with every product's operands before the product
 * (six per step, in the backward pass's order). At design iterations it writes a designed
 * Γ into `sites` (the per-site options the coded multiply reads) and appends to `records`.
 * @param base the run's coded options (Γ configured for every site without its own)
 */
export function autoDesigner(
  base: ResolvedCodedOptions,
  sites: Partial<Record<SiteKey, ResolvedCodedOptions>>,
  schedule: AutoDesignSchedule,
  records: DesignRecord[],
): (a: Tensor2D, b: Tensor2D, site: ProductSite) => void {
  let calls = 0;
  const configured = Object.fromEntries(PRODUCT_SITES.map((s) => [siteKey(s), sites[siteKey(s)] ?? base])) as Record<SiteKey, ResolvedCodedOptions>;
  return (a, b, site) => {
    const iteration = Math.floor(calls / PRODUCT_SITES.length) + 1;
    calls++;
    if (!isDesignIteration(schedule, iteration)) return;
    const key = siteKey(site);
    const opts = configured[key];
    const e = productEnergies(toMatrix(a), toMatrix(b), { rowBlocks: opts.grid.N, colBlocks: opts.grid.P, levels: opts.grid.levels, ordering: opts.ordering });
    const current = (sites[key] ?? opts).gamma;
    const d = designForEnergies(opts, e.byClass, current);
    if (!d) return;
    sites[key] = { ...opts, gamma: d.gamma };
    records.push({ iteration, site: key, fractions: e.fractions, gamma: d.gamma, loss: d.loss, referenceLoss: d.referenceLoss });
  };
}
