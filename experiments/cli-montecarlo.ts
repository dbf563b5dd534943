/**
 * Flags shared by the Monte Carlo figure commands (fig3, fig4): their definitions, their parsing
 * into a {@link McFigureRun}, and a progress reporter. Not a command itself (like cli-common.ts).
 */
import {
  MC_GRANULARITIES,
  MC_ORDERINGS,
  MC_SCHEMES,
  PAPER_MC_SETUP,
  checkSetup,
  defaultThreads,
  linesFor,
  zForConfidence,
  type MonteCarloSetup,
} from '../src/montecarlo/index.ts';
import type { Ordering } from '../src/coded-backprop/index.ts';
import type { McFigureRun } from '../src/figures/run.ts';
import { outDir, parseChoiceList, parseInteger, parseNumberList } from './cli-common.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';

/** Largest number of trials a command accepts. */
export const MAX_TRIALS = 100_000_000;

/** The flags Figs. 3 and 4 share (all strings, parsed and checked by {@link parseCommonFlags}). */
export function commonFlags(defaultOut: string) {
  const s = PAPER_MC_SETUP;
  return {
    trials: { type: 'string', default: '10000', describe: 'Monte Carlo trials (each: new A, B, codes and worker times)' },
    seed: { type: 'string', default: '1', describe: 'seed of all randomness (recorded in the .json sidecar)' },
    workers: { type: 'string', default: String(s.workers), describe: 'number of workers W' },
    gamma: {
      type: 'string',
      default: s.gamma.map((g) => g.toFixed(2)).join(','),
      describe: 'window-selection probabilities Γ, one per class (class windows) or level (product windows), summing to 1',
    },
    variances: {
      type: 'string',
      default: s.variances.join(','),
      describe: 'entry variance of each importance level (H, M, L, …) of A row blocks and B column blocks; N = P = S = their number',
    },
    U: { type: 'string', default: String(s.U), describe: 'rows per row block of A' },
    M: { type: 'string', default: String(s.M), describe: 'inner dimension (columns of A, rows of B)' },
    Q: { type: 'string', default: String(s.Q), describe: 'columns per column block of B' },
    schemes: { type: 'string', default: MC_SCHEMES.join(','), describe: `schemes, comma-separated (${MC_SCHEMES.join(', ')})` },
    granularities: {
      type: 'string',
      default: MC_GRANULARITIES.join(','),
      describe: `UEP window granularities (${MC_GRANULARITIES.join(', ')}); MDS is always one line`,
    },
    ordering: { type: 'string', default: s.ordering, describe: `ordering of A rows / B columns before blocking (${MC_ORDERINGS.join(', ')})` },
    confidence: { type: 'string', default: '0.95', describe: 'confidence level of the Monte Carlo intervals (ci_low, ci_high)' },
    threads: {
      type: 'string',
      default: 'auto',
      describe: 'worker threads for the Monte Carlo ("auto" = available cores); the numbers do not depend on it',
    },
    progress: { type: 'boolean', default: true, describe: 'print progress to stderr (--no-progress: quiet)' },
    'y-scale': { type: 'string', default: 'linear', describe: 'y axis of the plot: linear or log' },
    out: { type: 'string', default: defaultOut, describe: 'output directory' },
  } as const;
}

/** One number from a flag. */
export function parseNumber(value: unknown, flag: string): number {
  return parseNumberList(value, flag, { length: 1 })[0];
}

/** One of `choices` from a flag. */
export function parseChoice<T extends string>(value: unknown, flag: string, choices: readonly T[]): T {
  const list = parseChoiceList(value, flag, choices);
  if (list.length !== 1) throw new RangeError(`${flag}: give one of ${choices.join(', ')}, got ${list.length} values`);
  return list[0];
}

/** A number > 0 from a flag. */
export function parsePositive(value: unknown, flag: string): number {
  const v = parseNumber(value, flag);
  if (!(v > 0)) throw new RangeError(`${flag}: must be > 0, got ${v}`);
  return v;
}

/**
 * Parses and checks the flags of {@link commonFlags} with the latency parameters (λ, K) the
 * command chose; RangeError naming the flag otherwise.
 * @returns the run (progress reporting on unless --no-progress) and the output directory
 */
export function parseCommonFlags(
  argv: Record<string, unknown>,
  label: string,
  latency: Pick<MonteCarloSetup, 'lambda' | 'K'>,
): { run: McFigureRun; dir: string } {
  const trials = parseInteger(argv.trials, '--trials', 1, MAX_TRIALS);
  const threads = argv.threads === 'auto' ? defaultThreads() : parseInteger(argv.threads, '--threads', 1, 256);
  const seed = parseInteger(argv.seed, '--seed', -(2 ** 31), 2 ** 32 - 1);
  const workers = parseInteger(argv.workers, '--workers', 1, 100_000);
  const variances = parseNumberList(argv.variances, '--variances', { min: 0 });
  if (!variances.some((v) => v > 0)) throw new RangeError('--variances: at least one variance must be > 0');
  if (variances.length > 10) throw new RangeError(`--variances: at most 10 levels, got ${variances.length}`);
  const gamma = parseNumberList(argv.gamma, '--gamma');
  const U = parseInteger(argv.U, '--U', 1, 10_000);
  const M = parseInteger(argv.M, '--M', 1, 100_000);
  const Q = parseInteger(argv.Q, '--Q', 1, 10_000);
  const schemes = parseChoiceList(argv.schemes, '--schemes', MC_SCHEMES);
  const granularities = parseChoiceList(argv.granularities, '--granularities', MC_GRANULARITIES);
  const ordering = parseChoice(argv.ordering, '--ordering', MC_ORDERINGS) as Ordering;
  const confidence = parseNumber(argv.confidence, '--confidence');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`--confidence: must be in (0, 1), e.g. 0.95, got ${confidence}`);
  const yScale = parseChoice(argv['y-scale'], '--y-scale', ['linear', 'log'] as const);
  const S = variances.length;
  if (schemes.includes('mds') && workers < S * S) {
    throw new RangeError(`--workers: MDS needs at least N·P = ${S * S} workers (S = ${S} levels from --variances), got ${workers}`);
  }
  const setup: MonteCarloSetup = { U, M, Q, variances, workers, gamma, ordering, ...latency };
  checkSetup(setup, {
    gamma: '--gamma',
    variances: '--variances',
    workers: '--workers',
    ordering: '--ordering',
    lambda: '--lambda',
    K: '--K',
  });
  const lines = linesFor(schemes, granularities);
  const dir = checkOutputDir(outDir(argv.out, '--out'));
  const run: McFigureRun = {
    setup,
    lines,
    trials,
    seed,
    threads,
    confidence,
    z: zForConfidence(confidence),
    yScale,
    ...(argv.progress !== false ? { onProgress: progressReporter(`${label} Monte Carlo`) } : {}),
  };
  return { run, dir };
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
