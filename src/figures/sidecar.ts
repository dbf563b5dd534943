/**
 * What the Figs. 3–4 sidecars (.json) and subtitles say about a Monte Carlo run: its parameters,
 * each line's decoding diagnostics, and warnings for catastrophic decodes.
 */
import {
  CHUNK_TRIALS,
  ERROR_THRESHOLDS,
  classEnergiesOfSetup,
  classSizesOfSetup,
  gridOf,
  levelsOf,
  lineKey,
  resolveLine,
  type LineResult,
  type SimulationResult,
} from '../montecarlo/index.ts';
import { SCHEME_LABELS } from './loss-chart.ts';
import type { McFigureRun } from './run.ts';

/**
 * Subtitle lines for lines with trials in which a decoded block came out worse than no estimate
 * (relative decode error > 1). None with the paper's setup; in float64 it happens to the
 * smallest blocks of the MDS code when the level variances span many orders of magnitude
 * (e.g. --variances 1e4,1,1e-4), whatever it does to the energy-weighted loss.
 */
export function warningLines(sim: SimulationResult): string[] {
  return sim.lines
    .filter((r) => r.diagnostics.catastrophicTrials > 0)
    .map((r) => {
      const d = r.diagnostics;
      return (
        `⚠ ${SCHEME_LABELS[r.line.scheme]}: ${d.catastrophicTrials}/${d.trials} trials decode a block worse than no estimate ` +
        `(float64; relative error ≤ ${d.maxRelError.toPrecision(2)}, worst trial loss ${d.maxFinalLoss.toPrecision(2)}·E‖C‖²)`
      );
    });
}

/** The JSON-friendly diagnostics of one line (NP: number of blocks). */
export function diagnosticsJson(r: LineResult, NP: number) {
  const d = r.diagnostics;
  return {
    trials: d.trials,
    fullyDecodedAfterArrivals: Object.fromEntries(d.fullAt.map((v, k) => [k === d.fullAt.length - 1 ? 'never' : String(k), v]).filter(([, v]) => v !== 0)),
    trialsNotFullyDecodedAfterNP: d.notFullAtNP,
    NP,
    blocksDecoded: d.blocksDecoded,
    maxRelativeDecodeError: d.maxRelError,
    decodedBlocksWithRelativeErrorAbove: Object.fromEntries(ERROR_THRESHOLDS.map((th, i) => [`>${th.toExponential(0)}`, d.errorsAbove[i]])),
    trialsWithABlockWorseThanNoEstimate: d.catastrophicTrials,
    trialsWhereLossIncreased: d.nonMonotoneTrials,
    maxTrialLossAfterAllResults: d.maxFinalLoss,
    maxDecodeResidual: d.maxResidual,
  };
}

/** Parameters common to both sidecars. */
export function sidecarBase(command: string, args: readonly string[], run: McFigureRun, sim: SimulationResult) {
  const { setup } = run;
  const S = levelsOf(setup);
  const { N, P } = gridOf(setup);
  const opts = resolveLine(setup, run.lines[0]);
  return {
    command,
    args: [...args],
    seed: run.seed,
    trials: run.trials,
    threads: run.threads,
    chunkTrials: CHUNK_TRIALS,
    confidence: run.confidence,
    z: run.z,
    setup: {
      ...setup,
      N,
      P,
      levels: S,
      A: `${N * setup.U}×${setup.M}`,
      B: `${setup.M}×${P * setup.Q}`,
      classTable: setup.classTable ?? 'class(i, j) = min(i + j, S − 1), 0-based',
      classSizes: classSizesOfSetup(setup),
      classEnergies: classEnergiesOfSetup(setup),
      decoderTolerance: opts.tolerance,
    },
    normaliser: { expectedEnergy: sim.expectedEnergy, meanEnergyRatio: sim.energy },
    lines: run.lines.map(lineKey),
  };
}
