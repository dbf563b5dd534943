/**
 * What the HTML report shows, as one JSON-safe value (built by scan.ts, drawn by page/app.js):
 * the figure folders with their vega-lite specs and files, every training run found with its
 * state, configuration and (thinned) curves, and the files that could not be read.
 */

/** A file of a figure folder, linked from the report. */
export interface FigureFile {
  name: string;
  /** Link to the file: relative to the report file, or a server path. */
  href: string;
  kind: 'csv' | 'json' | 'spec' | 'png' | 'svg';
}

/** One interactive chart: a `<name>.vl.json` spec (data inline) as the figure command drew it. */
export interface FigureChart {
  name: string;
  spec: unknown;
}

/** A folder holding figure files (specs, CSVs, sidecars, images). */
export interface FigureFolder {
  /** Folder path as shown (relative to the working directory). */
  path: string;
  charts: FigureChart[];
  files: FigureFile[];
}

export type RunRowState = 'queued' | 'running' | 'done' | 'failed';

/**
 * A run's curves: every test-accuracy measurement, and the per-step columns thinned to at most
 * {@link MAX_STEP_POINTS} points (means over consecutive steps, to 4 significant digits; `it` is
 * the bin's last step).
 */
export interface RunCurve {
  test: Array<[number, number]>;
  it: number[];
  trainAcc: Array<number | null>;
  workers: Array<number | null>;
  blocks: Array<number | null>;
  withheld: Array<number | null>;
  late: Array<number | null>;
  /** Steps in metrics.csv (before thinning). */
  steps: number;
}

export const MAX_STEP_POINTS = 120;

/** One row of the runs table. */
export interface RunRow {
  /** Run folder as shown (unique). */
  id: string;
  /** The sweep (or parent) folder the run belongs to. */
  folder: string;
  name: string;
  state: RunRowState;
  /** Running runs: iterations done and to do. */
  step: number | null;
  totalSteps: number | null;
  updatedAt: string | null;
  dataset: string | null;
  model: string | null;
  scheme: string | null;
  tmax: number | string | null;
  seed: number | null;
  runtime: string | null;
  latency: string | null;
  finalTestAcc: number | null;
  /** Wall-clock seconds of the run. */
  time: number | null;
  /** Mean blocks recovered per step in each class (null for the baseline). */
  classRecovered: number[] | null;
  /** config.json flattened to (key path, value) pairs; null when not written yet. */
  config: Array<[string, string]> | null;
  curve: RunCurve | null;
  /** Failed runs: why, and the last lines of the log. */
  message: string | null;
  logTail: string[] | null;
}

/** A file the report could not read, with why. */
export interface Unreadable {
  path: string;
  reason: string;
}

export interface ReportModel {
  title: string;
  generatedAt: string;
  /** The folders scanned, as given. */
  roots: string[];
  figures: FigureFolder[];
  runs: RunRow[];
  unreadable: Unreadable[];
}
