/** A resolved Monte Carlo figure run (Figs. 3–4): what the commands hand to the figure builders. */
import type { LineSpec, MonteCarloSetup } from '../montecarlo/index.ts';
import type { FileToWrite } from '../util/atomic-write.ts';

/** Everything a figure needs besides its own axis (times for Fig. 3). */
export interface McFigureRun {
  setup: MonteCarloSetup;
  lines: LineSpec[];
  trials: number;
  seed: number;
  threads: number;
  /** Confidence level of the intervals, in (0, 1), and its normal quantile z. */
  confidence: number;
  z: number;
  yScale: 'linear' | 'log';
  /** Called after every chunk with (trials done, trials). */
  onProgress?: (done: number, total: number) => void;
}

/** The files of a figure (not yet written) and the Monte Carlo's wall time. */
export interface FigureFiles {
  files: FileToWrite[];
  elapsedSeconds: number;
}

/**
 * Extra content a figure builder merges in before rendering (e.g. Fig. 3's designed codes from
 * src/design): rows for the figure's CSV (its columns), chart lines and points (the chart's row
 * shape), subtitle lines, a sidecar section and further files.
 */
export interface FigureExtras {
  csvRows: Record<string, string | number | null>[];
  lines: Record<string, string | number>[];
  points: Record<string, string | number>[];
  /** Legend entries of the extra line styles (dash) and point shapes, in order. */
  lineStyles: string[];
  pointShapes: string[];
  subtitle: string[];
  /** Merged into the sidecar under this key. */
  sidecarKey: string;
  sidecar: Record<string, unknown>;
  files: FileToWrite[];
}
