/**
 * Where the energy of a product sits (issue 12, data-fitted design): for C = A·B cut into the
 * engine's block grid under its ordering (A's rows and B's columns ranked by norm, linspace cut
 * points), the energy ‖C_ij‖²_F of each block and Σ over each class. Permuting rows and columns
 * does not change entries, so the class energies sum to ‖C‖²_F exactly (up to rounding).
 * These are the E_l the design objective (objective.ts) takes.
 */
import { layoutOf, resolveCodedOptions, type BlockLayout } from '../coded-backprop/plan-api.ts';
import { matmul, type Matrix } from '../util/matrix.ts';

/** Energies of one product. */
export interface ProductEnergies {
  /** ‖C_ij‖² at index i·P + j (length N·P). */
  block: Float64Array;
  /** Σ of `block` over each class (length L, class 0 most important). */
  byClass: number[];
  /** ‖C‖²_F. */
  total: number;
  /** byClass / total (zeros if C = 0). */
  fractions: number[];
  layout: BlockLayout;
}

/** Block grid of {@link productEnergies}: the engine's defaults (3×3 blocks, 3 levels, l2 ordering). */
export interface EnergyGrid {
  rowBlocks?: number;
  colBlocks?: number;
  levels?: number;
  ordering?: 'l2' | 'mean-abs' | 'none';
}

/**
 * Block and class energies of C = A·B (A: m×n, B: n×p, row-major float64) on the engine's grid.
 */
export function productEnergies(A: Matrix, B: Matrix, grid: EnergyGrid = {}): ProductEnergies {
  if (A.cols !== B.rows) throw new RangeError(`productEnergies: inner dimensions differ (${A.rows}×${A.cols} · ${B.rows}×${B.cols})`);
  // Only the layout of the resolved options is used (scheme, deadline and workers do not matter).
  const opts = resolveCodedOptions({
    scheme: 'uncoded',
    tmax: Infinity,
    rowBlocks: grid.rowBlocks ?? 3,
    colBlocks: grid.colBlocks ?? 3,
    levels: grid.levels ?? 3,
    ordering: grid.ordering ?? 'l2',
  });
  const layout = layoutOf(A, B, opts);
  const C = matmul(A, B);
  const block = new Float64Array(layout.N * layout.P);
  const { rows, cols } = layout;
  for (let i = 0; i < layout.N; i++) {
    for (let k = rows.bounds[i]; k < rows.bounds[i + 1]; k++) {
      const base = rows.order[k] * C.cols;
      for (let j = 0; j < layout.P; j++) {
        let s = 0;
        for (let q = cols.bounds[j]; q < cols.bounds[j + 1]; q++) {
          const v = C.data[base + cols.order[q]];
          s += v * v;
        }
        block[i * layout.P + j] += s;
      }
    }
  }
  const L = layout.classSizes.length;
  const byClass = new Array<number>(L).fill(0);
  block.forEach((e, b) => (byClass[layout.blockClass[b]] += e));
  const total = byClass.reduce((a, b) => a + b, 0);
  return { block, byClass, total, fractions: byClass.map((e) => (total > 0 ? e / total : 0)), layout };
}
