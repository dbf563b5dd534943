/**
 * Public types of the coded approximate matrix-multiplication engine.
 * C = A·B with A: m×n and B: n×p; A's rows are cut into N row blocks and B's columns into
 * P column blocks (after ordering by norm); block (i, j) of C is C_ij = A_i·B_j.
 */

/** Registered code names (see codes/registry.ts). */
export type SchemeName = 'uncoded' | 'rep' | 'mds' | 'now' | 'ew' | 'sysmds' | 'product' | 'bacc';

/** How A·B is cut: rxc = row blocks of A × column blocks of B; cxr = inner-dimension packets (cxr/). */
export type Partition = 'rxc' | 'cxr';

/** UEP window granularity: windows over C-block classes, or independent A-level × B-level windows (eq. 5). */
export type Granularity = 'class' | 'product';

/** How rows of A / columns of B are ranked before blocking. */
export type Ordering = 'l2' | 'mean-abs' | 'none';

/** Per-call outcome of one coded multiplication. */
export interface CodedMatMulStats {
  /** Workers the code used. */
  workers: number;
  /** Workers whose product arrived before the deadline. */
  workersReceived: number;
  /** Number of C blocks (N·P). */
  blocksTotal: number;
  /** C blocks recovered by the decoder (determined by the received set and precise enough). */
  blocksRecovered: number;
  /**
   * C blocks the received set determines but the executor withheld (left at zero) because their
   * decode could carry too much rounding for their own size (precision.ts); not in blocksRecovered.
   */
  blocksWithheld: number;
  /** Withheld blocks per class. */
  classWithheld: number[];
  /** For each C block (same indexing as `recovered`): determined but withheld for precision. */
  withheld: boolean[];
  /** For each C block (row-major i·P + j, in sorted block order): recovered or not. */
  recovered: boolean[];
  /** Class of each C block (same indexing as `recovered`). */
  blockClass: number[];
  /** Number of blocks in each class. */
  classSizes: number[];
  /** Number of recovered blocks in each class. */
  classRecovered: number[];
  /**
   * Only when requested: max over recovered blocks of ‖Ĉ_ij − C_ij‖_F / max(‖C_ij‖_F, 1e-4·‖C‖_F),
   * with C computed exactly (float64 path) or by one exact product (tensor path).
   */
  decodeRelError?: number;
  /**
   * Only when requested: per class, max over its recovered blocks of ‖Ĉ_b − C_b‖_F / ‖C_b‖_F
   * against the exact block's own norm (no floor; 0 for a class with no recovered block).
   */
  classRelError?: number[];
  /** Approximate codes (BACC) only: blocks given an estimate (not exact; not in blocksRecovered). */
  blocksEstimated?: number;
  /** Approximate codes only: for each C block, an estimate was written (same indexing as `recovered`). */
  estimated?: boolean[];
  /** Partition cxr only (then "blocks" are the K packets): packets determined one by one, and whether the sum of the others was determined. */
  cxr?: { packetDetermined: boolean[]; restSum: boolean };
}
