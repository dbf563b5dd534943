/**
 * BACC, Berrut approximated coded computing (Jahani-Nezhad & Maddah-Ali, "Berrut Approximated
 * Coded Computing: Straggler Resistance Beyond Polynomial Computing"), on the 1-D N×1 grid:
 * A: (N·U)×M cut into N row blocks A_j, B: M×Q whole, f(X) = X·B.
 *
 * Nodes: data α_j = cos((2j + 1)π/(2N)) (Chebyshev points of the first kind), workers
 * z_i = cos((i + ¾)π/W) (the quarter-step rotated Chebyshev grid of mds.ts). They must be
 * disjoint (a shared node divides by zero): two symmetric odd-sized Chebyshev grids both hold 0
 * (N = 9, W = 15 with first- or second-kind worker nodes), the rotated grid does not; `check`
 * refuses any N, W where they meet.
 *
 * Encoder: worker i gets Ã_i = r_A(z_i), Berrut's rational interpolant through (α_j, A_j):
 *   Ã_i = Σ_j [(−1)^j/(z_i − α_j)] A_j / Σ_j [(−1)^j/(z_i − α_j)]
 * (signs alternate along the nodes in increasing order; α_j decreases in j, so (−1)^j is that
 * alternation up to one common sign, which cancels), and returns Ã_i·B.
 * Decoder, from the received set F: Berrut's interpolant through (z_i, Ã_i·B), i ∈ F, read at the
 * data nodes: Ĉ_j = Σ_{i∈F} [(−1)^{rank(i)}/(α_j − z_i)] R_i / Σ_{i∈F} [(−1)^{rank(i)}/(α_j − z_i)],
 * rank(i): position of z_i among the received nodes in increasing order. Every block gets an
 * estimate from any number ≥ 1 of results, never exact.
 */
import { type Code, type CodeParams } from './code.ts';
import type { DecodeResult } from '../decode.ts';
import type { BlockLayout } from '../partition.ts';
import { OptionError } from '../../util/option-error.ts';
import { mdsPoints } from './mds.ts';

/** Data nodes α_j = cos((2j + 1)π/(2N)), j < N. */
export function baccDataNodes(N: number): Float64Array {
  return Float64Array.from({ length: N }, (_, j) => Math.cos(((2 * j + 1) * Math.PI) / (2 * N)));
}

/** Worker nodes z_i = cos((i + ¾)π/W), i < W. */
export function baccWorkerNodes(W: number): Float64Array {
  return mdsPoints(W);
}

/** Smallest |α_j − z_i| over data and worker nodes (0: they share a node). */
export function baccNodeGap(N: number, W: number): number {
  const a = baccDataNodes(N);
  let gap = Infinity;
  for (const z of baccWorkerNodes(W)) for (const x of a) gap = Math.min(gap, Math.abs(z - x));
  return gap;
}

/**
 * Weights of Berrut's interpolant through `nodes` evaluated at x: r(x) = Σ_k w[k]·f_k, Σ w = 1.
 * Signs alternate along the nodes in increasing order. x must not be a node.
 */
export function berrutWeights(nodes: ArrayLike<number>, x: number): Float64Array {
  const n = nodes.length;
  const order = Array.from({ length: n }, (_, k) => k).sort((p, q) => nodes[p] - nodes[q]);
  const w = new Float64Array(n);
  let sum = 0;
  order.forEach((k, rank) => {
    w[k] = (rank % 2 === 0 ? 1 : -1) / (x - nodes[k]);
    sum += w[k];
  });
  for (let k = 0; k < n; k++) w[k] /= sum;
  return w;
}

/** Node gap below which two nodes count as shared (relative to the interval [−1, 1]). */
const MIN_NODE_GAP = 1e-9;

export const bacc: Code = {
  name: 'bacc',
  summary: "Berrut approximated coded computing (N×1 grid only): every block estimated from any number of results, never exact",
  usesWindows: false,
  defaultGrid: { N: 9, P: 1 },
  interchangeableTasks: true,
  defaultWorkers: ({ N }) => Math.round((5 / 3) * N),
  check({ workers }: CodeParams, { N, P }) {
    if (P !== 1) {
      throw new OptionError('colBlocks', `BACC is defined on the 1-D N×1 grid (A's row blocks, B whole): use --col-blocks 1 (got a ${N}×${P} grid)`);
    }
    if (workers < 1) throw new OptionError('workers', `BACC needs at least 1 worker (got ${workers})`);
    if (baccNodeGap(N, workers) < MIN_NODE_GAP) {
      throw new OptionError('workers', `BACC's data nodes (N = ${N}) and worker nodes (W = ${workers}) share a point; choose another W`);
    }
  },
  encode(layout, { workers }) {
    // the weights depend on (N, W) only: computed once, each call given its own copies
    return baccTable(layout.N, workers).encode.map((a) => ({ terms: [{ a: a.slice(), b: Float64Array.of(1) }] }));
  },
  estimate(received, { workers }, layout) {
    return baccEstimate(received, workers, layout);
  },
};

/** What BACC's encode and decode read of (N, W): the nodes and the reciprocal differences. */
interface BaccTable {
  /** Worker i's encoding weights, berrutWeights(α, z_i) (length N each). */
  encode: Float64Array[];
  /** inv[j·W + i] = 1/(α_j − z_i). */
  inv: Float64Array;
}

/** Tables by `N,W`: few distinct grids per process; bounded anyway (cleared when full). */
const tables = new Map<string, BaccTable>();
const MAX_TABLES = 16;

function baccTable(N: number, W: number): BaccTable {
  const key = `${N},${W}`;
  let t = tables.get(key);
  if (!t) {
    const alpha = baccDataNodes(N);
    const z = baccWorkerNodes(W);
    const inv = new Float64Array(N * W);
    for (let j = 0; j < N; j++) for (let i = 0; i < W; i++) inv[j * W + i] = 1 / (alpha[j] - z[i]);
    t = { encode: Array.from(z, (zi) => berrutWeights(alpha, zi)), inv };
    if (tables.size >= MAX_TABLES) tables.clear();
    tables.set(key, t);
  }
  return t;
}

/**
 * BACC's decode of the received workers (arrival order): every block estimated when any arrived.
 * The same numbers as berrutWeights(z_received, α_j) for each j, bit for bit: (−1)^rank/(α_j − z_i)
 * is ±(1/(α_j − z_i)) exactly, and the normalising sum is taken in the same (increasing node) order.
 * The received nodes are ranked once per call, not once per block.
 */
export function baccEstimate(received: readonly number[], workers: number, layout: Pick<BlockLayout, 'N' | 'P'>): DecodeResult {
  const { N } = layout;
  const R = received.length;
  const matrix = new Float64Array(N * R);
  if (R > 0) {
    const { inv } = baccTable(N, workers);
    // z_i decreases in i: increasing node order is decreasing worker index (ties impossible)
    const byNode = Array.from({ length: R }, (_, k) => k).sort((p, q) => received[q] - received[p]);
    const sign = new Float64Array(R);
    byNode.forEach((k, rank) => (sign[k] = rank % 2 === 0 ? 1 : -1));
    for (let j = 0; j < N; j++) {
      const row = matrix.subarray(j * R, (j + 1) * R);
      let sum = 0;
      for (const k of byNode) {
        row[k] = sign[k] * inv[j * workers + received[k]];
        sum += row[k];
      }
      for (let k = 0; k < R; k++) row[k] /= sum;
    }
  }
  const any = new Array<boolean>(N).fill(R > 0);
  return { determined: any, estimated: [...any], matrix };
}
