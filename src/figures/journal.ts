/**
 * The journal version's set-ups (the authors' numerical_simulations/ scripts) as data, and the
 * r×c vs c×r comparison of their formulas at the same workers and deadlines.
 *   r×c (Figs_8_9_rxc.m): A 900×900 in 3 row blocks of s = 300, inner m = 900, B 900×900 in 3
 *     column blocks; levels H, M, L with σ² = (10, 1, 0.1); classes (3, 3, 3):
 *     {HH, HM, MH}, {MM, HL, LH}, {ML, LM, LL}.
 *   c×r (Figs_8_9_10_cxr.m): A 900×900, B 900×900, the inner dimension in 9 packets of 100,
 *     packets 1–3 high, 4–6 medium, 7–9 low variance; classes (3, 3, 3) of packets.
 *   Both: W = 30 workers, Exp(λ = 1) times, Γ = (0.40, 0.35, 0.25), t = 0..1.05.
 * The energies are computed here from the variances (E_k = U·n_k·Q·σ⁴ per packet); the authors'
 * c×r energy script uses the medium-class matrix where the low class's belongs, which we do not copy.
 */
import { JOURNAL_CXR_SETUP, cxrTheoryVsTime, theoryVsTime, type CxrMcScheme, type McScheme, type MonteCarloSetup } from '../montecarlo/index.ts';

/** The journal's r×c class table (levels H, M, L; rows: A's blocks, columns: B's blocks). */
export const JOURNAL_CLASS_TABLE: readonly (readonly number[])[] = Object.freeze([
  [0, 0, 1],
  [0, 1, 2],
  [1, 2, 2],
]);

/** The journal's r×c setup at full size (s = 300, m = 900). */
export const JOURNAL_RXC_SETUP: Readonly<MonteCarloSetup> = Object.freeze({
  U: 300,
  M: 900,
  Q: 300,
  variances: [10, 1, 0.1],
  workers: 30,
  lambda: 1,
  K: 1,
  gamma: [0.4, 0.35, 0.25],
  ordering: 'none',
  classTable: JOURNAL_CLASS_TABLE,
});

export { JOURNAL_CXR_SETUP };

/** One row of the comparison: the formula of each partition and scheme at deadline t. */
export interface PartitionRow {
  t: number;
  rxc: Record<'now' | 'ew' | 'mds', number>;
  cxr: Record<'now' | 'ew' | 'mds', number>;
}

/** The formulas of both partitions at full size, at the same W, λ, Γ and deadlines. */
export function partitionComparison(times: readonly number[], rxc: MonteCarloSetup = JOURNAL_RXC_SETUP, cxr = JOURNAL_CXR_SETUP): PartitionRow[] {
  const schemes: McScheme[] = ['now', 'ew', 'mds'];
  const r = Object.fromEntries(schemes.map((s) => [s, theoryVsTime(rxc, { scheme: s, granularity: 'class' }, times) ?? []]));
  const c = Object.fromEntries(schemes.map((s) => [s, cxrTheoryVsTime(cxr, s as CxrMcScheme, times)]));
  return times.map((t, g) => ({
    t,
    rxc: { now: r.now[g], ew: r.ew[g], mds: r.mds[g] },
    cxr: { now: c.now[g], ew: c.ew[g], mds: c.mds[g] },
  }));
}

/** The comparison as printable lines (a header and one line per deadline). */
export function comparisonLines(rows: readonly PartitionRow[]): string[] {
  const f = (x: number) => x.toExponential(2).padStart(9);
  return [
    '     t |  r×c NOW    r×c EW  r×c MDS |  c×r NOW    c×r EW  c×r MatDot',
    ...rows.map((r) => `${r.t.toFixed(2).padStart(6)} | ${f(r.rxc.now)} ${f(r.rxc.ew)} ${f(r.rxc.mds)} | ${f(r.cxr.now)} ${f(r.cxr.ew)} ${f(r.cxr.mds)}`),
  ];
}
