/**
 * Measuring the block energies of the six backward products during training: a Multiply that
 * computes the exact product (the baseline) and, every `every` iterations, downloads both factors
 * and records the class energies of C under the engine's norm ordering (energy.ts).
 * Rows: one per (iteration, site, class).
 * Not re-exported from index.ts: it loads tfjs, which the formula commands never need.
 */
import * as tf from '@tensorflow/tfjs';
import type { Multiply, ProductSite } from '../model/backprop.ts';
import type { Matrix } from '../util/matrix.ts';
import { productEnergies, type EnergyGrid } from './energy.ts';

/** One measured class of one product. */
export interface EnergyRow {
  iteration: number;
  layer: number;
  kind: string;
  /** Class 1..L (1 = most important). */
  class: number;
  /** Σ ‖C_ij‖² over the class's blocks. */
  energy: number;
  /** energy / ‖C‖². */
  fraction: number;
  /** ‖C‖²_F of the product. */
  total: number;
}

export const ENERGY_COLUMNS = ['iteration', 'layer', 'kind', 'class', 'energy', 'fraction', 'total'] as const;

/** Products per training step (the backward pass calls the multiply six times, in a fixed order). */
export const PRODUCTS_PER_STEP = 6;

function toMatrix(t: tf.Tensor2D): Matrix {
  const [rows, cols] = t.shape;
  return { rows, cols, data: Float64Array.from(t.dataSync()) };
}

/**
 * An exact Multiply that records energies at iterations 1, 1 + every, 1 + 2·every, … (1-based).
 * @param rows receives the rows (appended)
 */
export function energyRecordingMultiply(every: number, rows: EnergyRow[], grid: EnergyGrid = {}): Multiply {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every: must be an integer ≥ 1, got ${every}`);
  let calls = 0;
  return (a: tf.Tensor2D, b: tf.Tensor2D, site: ProductSite) => {
    const iteration = Math.floor(calls / PRODUCTS_PER_STEP) + 1;
    calls++;
    if ((iteration - 1) % every === 0) {
      const e = productEnergies(toMatrix(a), toMatrix(b), grid);
      e.byClass.forEach((energy, l) =>
        rows.push({ iteration, layer: site.layer, kind: site.kind, class: l + 1, energy, fraction: e.fractions[l], total: e.total }),
      );
    }
    return tf.matMul(a, b);
  };
}
