/**
 * Random matrices for the c×r partition and repeated coded multiplications of them (`npm run
 * matmul -- --partition cxr`). A: U×n, B: n×Q with n = Σ widths; the inner indices of packet k
 * (floor-rule bounds of n / K, packets in order) have entry variance variances[class of k] in
 * both A's columns and B's rows (the journal's set-up: packets 1–3 high, 4–6 medium, 7–9 low).
 */
import { codedMatMulF64, type ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { cxrClassEnergies } from '../theory/index.ts';
import { gaussian, matmul, type Matrix } from '../util/matrix.ts';
import type { Rng } from '../util/rng.ts';
import { type MatmulTrialsResult, TrialTally } from './trial-tally.ts';

export interface CxrSpec {
  /** Rows of A, inner dimension n, columns of B. */
  U: number;
  n: number;
  Q: number;
  /** Class of each packet (length K). */
  classOf: readonly number[];
  /** Entry variance of each class (length L). */
  variances: readonly number[];
}

/** Inner-index bounds of the K packets: floor(k·n/K). */
export function packetBounds(n: number, K: number): number[] {
  return Array.from({ length: K + 1 }, (_, k) => Math.floor((k * n) / K));
}

/** Per-packet entry variance and width of a spec. */
export function packetVariances(spec: CxrSpec): { variance: number[]; widths: number[] } {
  const b = packetBounds(spec.n, spec.classOf.length);
  return {
    variance: spec.classOf.map((c) => spec.variances[c]),
    widths: spec.classOf.map((_, k) => b[k + 1] - b[k]),
  };
}

/** Class energies E_l (σ² of A and B both variances[class]) and their sum E‖C‖². */
export function cxrEnergies(spec: CxrSpec): { energies: number[]; total: number } {
  const { variance, widths } = packetVariances(spec);
  const energies = cxrClassEnergies(variance, variance, widths, spec.U, spec.Q, spec.classOf);
  return { energies, total: energies.reduce((a, b) => a + b, 0) };
}

/** One draw of A: U×n, B: n×Q. */
export function drawCxrPair(spec: CxrSpec, rng: Rng): { A: Matrix; B: Matrix } {
  const b = packetBounds(spec.n, spec.classOf.length);
  const std = Array.from({ length: spec.n }, (_, t) => Math.sqrt(spec.variances[spec.classOf[b.findIndex((x, k) => t >= x && t < b[k + 1])]]));
  return { A: gaussian(spec.U, spec.n, rng, (_r, c) => std[c]), B: gaussian(spec.n, spec.Q, rng, (r) => std[r]) };
}

/** `trials` float64 coded multiplications on fresh draws (opts must be partition cxr). */
export function runCxrTrials(spec: CxrSpec, opts: ResolvedCodedOptions, trials: number, rng: Rng, onProgress?: (done: number) => void): MatmulTrialsResult {
  // The packet path runs in float64 without a float32 precision check (nothing is withheld) and
  // measures no per-class block error (NaN in the result).
  const tally = new TrialTally(opts.cxr?.shape.classSizes ?? [], cxrEnergies(spec).total, 0, onProgress);
  const measured = { ...opts, measureError: true };
  for (let trial = 0; trial < trials; trial++) {
    const { A, B } = drawCxrPair(spec, rng);
    const { C, stats } = codedMatMulF64(A, B, measured, rng);
    tally.add(C.data, matmul(A, B).data, stats);
  }
  return tally.result();
}
