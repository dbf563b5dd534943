/**
 * What the Monte Carlo figure commands (fig3, fig4) share: their catalogue options
 * (src/config), the {@link McFigureRun} built from the resolved values, and a progress
 * reporter. Not a command itself (like cli-common.ts).
 */
import { OptionError, type Values } from '../src/config/index.ts';
import type { Granularity, Ordering } from '../src/coded-backprop/index.ts';
import type { McFigureRun } from '../src/figures/run.ts';
import { checkSetup, linesFor, zForConfidence, type McScheme, type MonteCarloSetup } from '../src/montecarlo/index.ts';

/** The catalogue options Figs. 3 and 4 share (their starting values: the `fig3` preset and the catalogue). */
export const MC_FIGURE_KEYS = [
  'trials',
  'seed',
  'workers',
  'gamma',
  'variances',
  'U',
  'M',
  'Q',
  'paperSchemes',
  'granularities',
  'ordering',
  'confidence',
  'threads',
  'progress',
  'yScale',
  'out',
] as const;

/**
 * The run of a Monte Carlo figure from resolved catalogue values ({@link MC_FIGURE_KEYS} plus
 * `lambda` and `K`); the checks between options (Γ's length, MDS's workers) as OptionError.
 */
export function mcFigureRun(v: Values, label: string): McFigureRun {
  const variances = v.variances as number[];
  const workers = v.workers as number;
  const gamma = v.gamma as number[];
  const schemes = v.paperSchemes as McScheme[];
  const S = variances.length;
  if (gamma.length !== S) {
    throw new OptionError('gamma', `must have ${S} entries (one per importance level / class, as many as --variances), got ${gamma.length}`);
  }
  if (schemes.includes('mds') && workers < S * S) {
    throw new OptionError('workers', `MDS needs at least N·P = ${S * S} workers (S = ${S} levels from --variances), got ${workers}`);
  }
  const setup: MonteCarloSetup = {
    U: v.U as number,
    M: v.M as number,
    Q: v.Q as number,
    variances,
    workers,
    gamma,
    ordering: v.ordering as Ordering,
    lambda: v.lambda as number,
    K: v.K as number,
  };
  checkSetup(setup); // every check above and in the catalogue: cannot fail here
  const confidence = v.confidence as number;
  return {
    setup,
    lines: linesFor(schemes, v.granularities as Granularity[]),
    trials: v.trials as number,
    seed: v.seed as number,
    threads: v.threads as number,
    confidence,
    z: zForConfidence(confidence),
    yScale: v.yScale as McFigureRun['yScale'],
    ...(v.progress ? { onProgress: progressReporter(`${label} Monte Carlo`) } : {}),
  };
}

/** A progress reporter writing to stderr: an updating line on a terminal, else every ~10%. */
export function progressReporter(label: string): (done: number, total: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastTenth = -1;
  const start = Date.now();
  return (done, total) => {
    const pct = Math.floor((100 * done) / total);
    const secs = ((Date.now() - start) / 1000).toFixed(1);
    const text = `${label}: ${done}/${total} trials (${pct}%, ${secs} s)`;
    if (tty) {
      process.stderr.write(`\r${text}${done === total ? '\n' : ''}`);
    } else if (Math.floor(pct / 10) > lastTenth || done === total) {
      lastTenth = Math.floor(pct / 10);
      process.stderr.write(`${text}\n`);
    }
  };
}
