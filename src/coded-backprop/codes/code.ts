/**
 * The one interface every code implements. A code turns the N×P block grid into one task per
 * worker; a task is a sum of terms, each a pair of combinations of blocks:
 *   worker w gets W_A = [Σ_i a_1[i]·A_i, …, Σ_i a_t[i]·A_i]   (U × tM)
 *            and W_B = [Σ_j b_1[j]·B_j; …; Σ_j b_t[j]·B_j]   (tM × Q)
 * and returns W_A·W_B = Σ_{i,j} g[i·P + j]·A_i·B_j with g = Σ_s a_s ⊗ b_s (its coefficient row).
 */
import type { Rng } from '../../util/rng.ts';
import type { BlockLayout } from '../partition.ts';
import type { DecodeResult } from '../decode.ts';
import type { Granularity, SchemeName } from '../types.ts';
import type { PacketLayout, PacketShape } from '../cxr/packets.ts';

export interface Term {
  /** Coefficients on the A row blocks, length N. */
  a: Float64Array;
  /** Coefficients on the B column blocks, length P. */
  b: Float64Array;
}

export interface WorkerTask {
  terms: Term[];
}

/** Code parameters (already validated by resolveCodedOptions). */
export interface CodeParams {
  workers: number;
  granularity: Granularity;
  /** Window selection distribution: over classes (class granularity) or levels (product granularity). */
  gamma: number[];
}

/** What a code may look at before any matrix is seen. */
export interface GridShape {
  N: number;
  P: number;
  levels: number;
  classSizes: number[];
}

export interface Code {
  readonly name: SchemeName;
  /** One line for --help. */
  readonly summary: string;
  /** Whether gamma and granularity mean anything to this code. */
  readonly usesWindows: boolean;
  /** True when any task is as good as any other (MDS-like), so assigning tasks to particular workers means nothing. */
  readonly interchangeableTasks?: boolean;
  /** The block grid the code runs on when none is given (absent: the paper's 3×3); BACC: 9×1. */
  readonly defaultGrid?: { readonly N: number; readonly P: number };
  /** Workers the paper's Table III gives this code on the 3×3 grid. */
  defaultWorkers(grid: GridShape): number;
  /** Throws RangeError naming the option and its valid values when params do not fit. */
  check(params: CodeParams, grid: GridShape): void;
  /** One task per worker (length params.workers); random coefficients from rng. */
  encode(layout: BlockLayout, params: CodeParams, rng: Rng): WorkerTask[];
  /**
   * Approximate codes only (BACC): the decode of the received workers (arrival order), every
   * block it gives an estimate marked in `estimated` (exact-or-missing codes leave this out and
   * use the shared exact decoder, decode.ts).
   */
  estimate?(received: readonly number[], params: CodeParams, layout: BlockLayout): DecodeResult;
  /** The same code on the c×r partition's K packets (cxr/); absent: the code rejects partition cxr. */
  readonly packets?: PacketCode;
}

/**
 * A code on the c×r partition's packets. Its tasks use the same Term form with K-long a and b
 * over the packets: a term returns (Σ_k a[k]·A_k)(Σ_l b[l]·B_l) (blocks zero-padded to one width),
 * so its coefficient row over the K² products A_k·B_l is coefficientRow(task, K, K); packet k is
 * the diagonal unknown k·K + k, and C is the sum of the diagonal.
 */
export interface PacketCode {
  defaultWorkers(shape: PacketShape): number;
  /** Throws OptionError naming the option when params do not fit. */
  check(params: CodeParams, shape: PacketShape): void;
  /** One task per worker (length params.workers). */
  encode(layout: PacketLayout, params: CodeParams, rng: Rng): WorkerTask[];
}

/** Coefficient row g = Σ_s a_s ⊗ b_s of a task, length N·P, index i·P + j. */
export function coefficientRow(task: WorkerTask, N: number, P: number): Float64Array {
  const g = new Float64Array(N * P);
  for (const { a, b } of task.terms) {
    for (let i = 0; i < N; i++) {
      if (a[i] === 0) continue;
      for (let j = 0; j < P; j++) g[i * P + j] += a[i] * b[j];
    }
  }
  return g;
}

/** A task computing exactly one block product A_i·B_j. */
export function singleBlockTask(i: number, j: number, N: number, P: number): WorkerTask {
  const a = new Float64Array(N);
  const b = new Float64Array(P);
  a[i] = 1;
  b[j] = 1;
  return { terms: [{ a, b }] };
}
