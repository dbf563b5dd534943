/**
 * Decoding diagnostics of the Monte Carlo: what one trial records per line and how trials are
 * counted (full decode after how many arrivals, decode errors, residuals, catastrophic decodes).
 */

/** Thresholds of relative decode error ‖Ĉ_b − C_b‖/‖C_b‖ that the diagnostics count. */
export const ERROR_THRESHOLDS = [1e-9, 1e-6, 1e-3, 1] as const;

/** What happened in one trial (values normalised by E‖C‖²). */
export interface TrialOutcome {
  /** Arrival times sorted ascending (length W). */
  sortedTimes: Float64Array;
  /** Workers in order of arrival (arrivalOrder[k] arrived k-th). */
  arrivalOrder: Int32Array;
  /** ‖C‖² / E‖C‖² of this trial. */
  energy: number;
  /** Per line: normalised loss after k = 0..W arrivals (length W + 1). */
  lossAfter: Float64Array[];
  /** Per line: number of arrivals after which every block was decoded, or −1 if never. */
  fullAt: number[];
  /** Per line: the relative decode error ‖Ĉ_b − C_b‖/‖C_b‖ of each block (NaN if never decoded). */
  relError: Float64Array[];
  /** Per line: the decode residual ‖d_b·G − e_b‖∞ of each decoded block (NaN if never). */
  residual: Float64Array[];
}

/** Decoding diagnostics of one line over all trials. */
export interface LineDiagnostics {
  trials: number;
  /** fullAt[k] = trials in which all blocks were first decoded after exactly k arrivals; fullAt[W + 1] = never. */
  fullAt: number[];
  /**
   * Trials in which the first N·P results did not decode every block (for MDS any N·P results
   * determine them; a block also waits while its decode would be numerically unstable).
   */
  notFullAtNP: number;
  /** Decoded blocks in total. */
  blocksDecoded: number;
  /** Largest relative decode error of a decoded block. */
  maxRelError: number;
  /** errorsAbove[i] = decoded blocks with relative error > ERROR_THRESHOLDS[i]. */
  errorsAbove: number[];
  /** Trials whose loss went up at some arrival (a decoded block worse than the zero estimate). */
  nonMonotoneTrials: number;
  /** Largest decode residual ‖d_b·G − e_b‖∞ of a decoded block. */
  maxResidual: number;
  /** Largest normalised loss of one trial after all W results (a catastrophic decode shows here). */
  maxFinalLoss: number;
  /** Trials with a decoded block worse than no estimate (relative decode error > 1). */
  catastrophicTrials: number;
}

export function emptyDiagnostics(W: number): LineDiagnostics {
  return {
    trials: 0,
    fullAt: new Array<number>(W + 2).fill(0),
    notFullAtNP: 0,
    blocksDecoded: 0,
    maxRelError: 0,
    errorsAbove: ERROR_THRESHOLDS.map(() => 0),
    nonMonotoneTrials: 0,
    maxResidual: 0,
    maxFinalLoss: 0,
    catastrophicTrials: 0,
  };
}

export function recordDiagnostics(d: LineDiagnostics, o: TrialOutcome, li: number, NP: number): void {
  const W = o.sortedTimes.length;
  d.trials++;
  const full = o.fullAt[li];
  d.fullAt[full < 0 ? W + 1 : full]++;
  if (full < 0 || full > NP) d.notFullAtNP++;
  let catastrophic = false;
  for (const e of o.relError[li]) {
    if (Number.isNaN(e)) continue;
    if (e > 1) catastrophic = true;
    d.blocksDecoded++;
    if (e > d.maxRelError) d.maxRelError = e;
    ERROR_THRESHOLDS.forEach((th, i) => {
      if (e > th) d.errorsAbove[i]++;
    });
  }
  for (const r of o.residual[li]) if (r > d.maxResidual) d.maxResidual = r;
  if (catastrophic) d.catastrophicTrials++;
  const lossAfter = o.lossAfter[li];
  d.maxFinalLoss = Math.max(d.maxFinalLoss, lossAfter[lossAfter.length - 1]);
  for (let k = 1; k < lossAfter.length; k++) {
    if (lossAfter[k] > lossAfter[k - 1]) {
      d.nonMonotoneTrials++;
      break;
    }
  }
}

export function mergeDiagnostics(into: LineDiagnostics, from: LineDiagnostics): void {
  into.trials += from.trials;
  from.fullAt.forEach((v, i) => (into.fullAt[i] += v));
  into.notFullAtNP += from.notFullAtNP;
  into.blocksDecoded += from.blocksDecoded;
  into.maxRelError = Math.max(into.maxRelError, from.maxRelError);
  from.errorsAbove.forEach((v, i) => (into.errorsAbove[i] += v));
  into.nonMonotoneTrials += from.nonMonotoneTrials;
  into.maxResidual = Math.max(into.maxResidual, from.maxResidual);
  into.maxFinalLoss = Math.max(into.maxFinalLoss, from.maxFinalLoss);
  into.catastrophicTrials += from.catastrophicTrials;
}
