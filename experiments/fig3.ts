/**
 * Fig. 3: normalised loss E‖C − Ĉ‖²/E‖C‖² versus the deadline t, for NOW-UEP, EW-UEP (class and
 * product window granularity) and MDS: the formula of Sec. IV (lines; class granularity and MDS
 * only: product granularity has none) and the Monte Carlo of the real codes (points with
 * confidence intervals; src/montecarlo).
 *
 * Writes, all validated before anything is computed and written together at the end:
 *   <out>/fig3.csv   t,scheme,granularity,method,normalized_loss,ci_low,ci_high
 *   <out>/fig3.json  seed, every parameter, decoding diagnostics, agreement with the formula
 *   <out>/fig3.svg, <out>/fig3.png
 *
 * Also exports the flags and helpers that Fig. 4 shares.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import {
  MC_GRANULARITIES,
  MC_ORDERINGS,
  MC_SCHEMES,
  PAPER_MC_SETUP,
  checkSetup,
  classEnergiesOfSetup,
  classSizesOfSetup,
  confidenceInterval,
  CHUNK_TRIALS,
  ERROR_THRESHOLDS,
  hasTheory,
  levelsOf,
  lineKey,
  linesFor,
  resolveLine,
  defaultThreads,
  simulateParallel,
  theoryVsTime,
  zForConfidence,
  type LineResult,
  type LineSpec,
  type McScheme,
  type MeanEstimate,
  type MonteCarloSetup,
  type SimulationResult,
} from '../src/montecarlo/index.ts';
import type { Granularity, Ordering } from '../src/coded-backprop/types.ts';
import { lineChart, renderSpecFiles, type Row } from '../src/plot/index.ts';
import { writeFilesAtomic, type FileToWrite } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import {
  commandLine,
  isMainModule,
  outDir,
  parseChoiceList,
  parseInteger,
  parseNumberList,
  parseNumbersOrRanges,
  reportWritten,
  runCommand,
  FLOAT64_BACKEND,
  reportBackend,
} from './cli-common.ts';

export const FIG3_COLUMNS = ['t', 'scheme', 'granularity', 'method', 'normalized_loss', 'ci_low', 'ci_high'] as const;

/** Legend names of the schemes. */
export const SCHEME_LABELS: Record<McScheme, string> = { now: 'NOW-UEP', ew: 'EW-UEP', mds: 'MDS (polynomial code)' };

/** Legend names of the granularities. */
export const GRANULARITY_LABELS: Record<Granularity, string> = { class: 'class windows', product: 'product windows (eq. 5)' };

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
    out: { type: 'string', default: defaultOut, describe: 'output directory' },
  } as const;
}

/** The parsed, validated common flags. */
export interface CommonFlags {
  trials: number;
  seed: number;
  threads: number;
  progress: boolean;
  confidence: number;
  z: number;
  schemes: McScheme[];
  granularities: Granularity[];
  lines: LineSpec[];
  dir: string;
  /** Setup without the latency fields (filled in by the command). */
  base: Omit<MonteCarloSetup, 'lambda' | 'K'>;
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

/** Parses and checks the flags of {@link commonFlags}; RangeError naming the flag otherwise. */
export function parseCommonFlags(argv: Record<string, unknown>): CommonFlags {
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
  const S = variances.length;
  if (schemes.includes('mds') && workers < S * S) {
    throw new RangeError(`--workers: MDS needs at least N·P = ${S * S} workers (S = ${S} levels from --variances), got ${workers}`);
  }
  const base = { U, M, Q, variances, workers, gamma, ordering };
  // Γ and the rest, with flag names in the messages (λ and K are checked by the command).
  checkSetup({ ...base, lambda: 1, K: 1 }, { gamma: '--gamma', variances: '--variances', workers: '--workers', ordering: '--ordering' });
  const lines = linesFor(schemes, granularities);
  const dir = outDir(argv.out, '--out');
  const progress = argv.progress !== false;
  return { trials, seed, threads, progress, confidence, z: zForConfidence(confidence), schemes, granularities, lines, dir, base };
}

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

/** Agreement of Monte Carlo and formula over a grid. */
export interface Agreement {
  points: number;
  /** Grid points whose formula value lies inside the Monte Carlo interval. */
  inside: number;
  /**
   * Points outside the interval where formula and MC mean are both below the resolution 3/n of
   * n trials (rule of three: an event of probability ≲ 3/n, e.g. fewer than N·P arrivals by a late
   * deadline, is likely absent from all n trials, and the normal interval then collapses).
   */
  outsideBelowResolution: number;
  resolution: number;
  /** Largest |MC − formula|. */
  maxAbsDiff: number;
  /** Largest |MC − formula| / (sd/√n) over points with sd > 0, except those below resolution. */
  maxAbsZ: number;
}

/** Compares estimates with formula values point by point. */
export function agreement(est: readonly MeanEstimate[], theory: ArrayLike<number>, z: number): Agreement {
  let inside = 0;
  let outsideBelowResolution = 0;
  let maxAbsDiff = 0;
  let maxAbsZ = 0;
  const resolution = est.length > 0 ? 3 / est[0].n : 0;
  est.forEach((e, i) => {
    const ci = confidenceInterval(e, z);
    const th = theory[i];
    const diff = Math.abs(e.mean - th);
    maxAbsDiff = Math.max(maxAbsDiff, diff);
    if (th >= ci.low && th <= ci.high) inside++;
    else if (th < resolution && e.mean < resolution) {
      outsideBelowResolution++;
      return; // z means nothing where the interval has collapsed
    }
    if (e.sd > 0) maxAbsZ = Math.max(maxAbsZ, diff / (e.sd / Math.sqrt(e.n)));
  });
  return { points: est.length, inside, outsideBelowResolution, resolution, maxAbsDiff, maxAbsZ };
}

/** The JSON-friendly diagnostics of one line. */
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
export function sidecarBase(command: string, args: string[], flags: CommonFlags, setup: MonteCarloSetup, sim: SimulationResult) {
  const S = levelsOf(setup);
  const opts = resolveLine(setup, flags.lines[0]);
  return {
    command,
    args,
    seed: flags.seed,
    trials: flags.trials,
    threads: flags.threads,
    chunkTrials: CHUNK_TRIALS,
    confidence: flags.confidence,
    z: flags.z,
    setup: {
      ...setup,
      N: S,
      P: S,
      levels: S,
      A: `${S * setup.U}×${setup.M}`,
      B: `${setup.M}×${S * setup.Q}`,
      classTable: 'class(i, j) = min(i + j, S − 1), 0-based',
      classSizes: classSizesOfSetup(setup),
      classEnergies: classEnergiesOfSetup(setup),
      decoderTolerance: opts.tolerance,
    },
    normaliser: { expectedEnergy: sim.expectedEnergy, meanEnergyRatio: sim.energy },
    lines: flags.lines.map(lineKey),
  };
}

/** Rows for the chart: theory as lines (plus product-granularity MC means as dashed lines), MC as points. */
export interface ChartRows {
  lines: Row[];
  points: Row[];
}

/** Legend of the line styles. */
export const STYLE_FORMULA = 'formula (Sec. IV)';
export const STYLE_PRODUCT_MC = 'Monte Carlo mean (no formula)';

/**
 * Fig. 3 with the given args (argv without node and script): validates every flag, runs the
 * Monte Carlo, renders and writes the four files as a group.
 * @returns the paths written (CSV, JSON, SVG, PNG)
 * @throws RangeError / UsageError naming the flag on bad input, before anything is computed or written
 */
export async function fig3(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = commandLine('Fig. 3: normalised loss vs deadline t — formula and Monte Carlo of the real codes.', args)
    .options(commonFlags('results/fig3'))
    .option('times', { type: 'string', default: '0:5:0.05', describe: 'deadlines t: numbers and start:stop:step ranges, comma-separated' })
    .option('lambda', { type: 'string', default: String(PAPER_MC_SETUP.lambda), describe: 'exponential rate λ of one worker' })
    .option('K', { type: 'string', default: String(PAPER_MC_SETUP.K), describe: 'time scaling K: worker times ~ Exp(λ·K) (CDF F(K·t))' })
    .option('y-scale', { type: 'string', default: 'linear', describe: 'y axis of the plot: linear or log' })
    .parseSync();

  const flags = parseCommonFlags(argv as Record<string, unknown>);
  const times = parseNumbersOrRanges(argv.times, '--times', { min: 0 });
  if (times.length === 0) throw new RangeError('--times: the time grid is empty');
  if (times.length > 100_000) throw new RangeError(`--times: at most 100000 deadlines, got ${times.length}`);
  const lambda = parsePositive(argv.lambda, '--lambda');
  const K = parsePositive(argv.K, '--K');
  const yScale = parseChoice(argv['y-scale'], '--y-scale', ['linear', 'log'] as const);
  const setup: MonteCarloSetup = { ...flags.base, lambda, K };
  checkSetup(setup, { lambda: '--lambda', K: '--K' });

  log(
    `fig3: ${flags.trials} trials, seed ${flags.seed}, lines ${flags.lines.map(lineKey).join(', ')}, ` +
      `${times.length} deadlines, ${flags.threads} thread(s)`,
  );
  const started = Date.now();
  const sim = await simulateParallel(setup, flags.lines, {
    trials: flags.trials,
    seed: flags.seed,
    times,
    threads: flags.threads,
    ...(flags.progress ? { onProgress: progressReporter('fig3 Monte Carlo') } : {}),
  });
  const elapsed = (Date.now() - started) / 1000;

  const csvRows: Row[] = [];
  const chart: ChartRows = { lines: [], points: [] };
  const pointStride = Math.max(1, Math.ceil(times.length / 26));
  const agreements: Record<string, Agreement> = {};
  for (const r of sim.lines) {
    const { scheme, granularity } = r.line;
    const theory = theoryVsTime(setup, r.line, times);
    const label = SCHEME_LABELS[scheme];
    const gran = GRANULARITY_LABELS[granularity];
    if (theory) {
      times.forEach((t, g) => {
        csvRows.push({ t, scheme, granularity, method: 'theory', normalized_loss: theory[g] });
        chart.lines.push({ t, loss: theory[g], scheme: label, style: STYLE_FORMULA, key: `${lineKey(r.line)}/theory` });
      });
      agreements[lineKey(r.line)] = agreement(r.byTime, theory, flags.z);
    }
    r.byTime.forEach((e, g) => {
      const ci = confidenceInterval(e, flags.z);
      const t = times[g];
      csvRows.push({ t, scheme, granularity, method: 'montecarlo', normalized_loss: e.mean, ci_low: ci.low, ci_high: ci.high });
      if (!hasTheory(r.line)) chart.lines.push({ t, loss: e.mean, scheme: label, style: STYLE_PRODUCT_MC, key: `${lineKey(r.line)}/mc` });
      if (g % pointStride === 0 || g === times.length - 1) {
        chart.points.push({ t, loss: e.mean, lo: ci.low, hi: ci.high, scheme: label, granularity: gran });
      }
    });
  }

  const spec = lossChart({
    title: 'Normalised loss vs deadline t',
    subtitle: [
      `W = ${setup.workers}, λ = ${lambda}, K = ${K}, Γ = (${setup.gamma.join(', ')}), σ² = (${setup.variances.join(', ')}), ` +
        `A ${levelsOf(setup) * setup.U}×${setup.M}, B ${setup.M}×${levelsOf(setup) * setup.Q}`,
      `lines: formula; points: Monte Carlo of the real codes, ${flags.trials} trials, ${Math.round(flags.confidence * 100)}% CI` +
        (pointStride > 1 ? ` (every ${pointStride}th t shown)` : ''),
      ...warningLines(sim),
    ],
    x: { field: 't', title: 'deadline t' },
    yScale,
    rows: chart,
    lines: flags.lines,
  });

  const base = join(flags.dir, 'fig3');
  const sidecar = {
    ...sidecarBase('fig3', args, flags, setup, sim),
    times,
    elapsedSeconds: elapsed,
    agreementWithFormula: agreements,
    diagnostics: Object.fromEntries(sim.lines.map((r) => [lineKey(r.line), diagnosticsJson(r, levelsOf(setup) ** 2)])),
  };
  const files: FileToWrite[] = [
    { path: `${base}.csv`, data: formatCsv(csvRows, FIG3_COLUMNS) },
    { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
    ...(await renderSpecFiles(spec, base)),
  ];
  const written = await writeFilesAtomic(files);
  log(`fig3: Monte Carlo took ${elapsed.toFixed(1)} s`);
  return written;
}

/** Options of {@link lossChart}. */
export interface LossChartOptions {
  title: string;
  subtitle: string[];
  x: { field: string; title: string };
  yScale: 'linear' | 'log';
  rows: ChartRows;
  /** The lines shown (fix the legend order). */
  lines: readonly LineSpec[];
  /** Interpolation of the lines (e.g. 'step-after' for functions of an integer). */
  interpolate?: string;
}

/** The Figs. 3–4 chart: one colour per scheme, line style formula vs MC mean, point shape per granularity. */
export function lossChart(o: LossChartOptions) {
  const log = o.yScale === 'log';
  // On a log axis, zero and tiny values (MDS after N·P results) are clipped at the floor.
  const floor = 1e-4;
  const clamp = (v: Row[string]): Row[string] => (typeof v === 'number' && log ? Math.max(v, floor) : v);
  const fix = (rows: Row[]): Row[] => rows.map((r) => ({ ...r, loss: clamp(r.loss), lo: clamp(r.lo), hi: clamp(r.hi) }));
  const schemes = [...new Set(o.lines.map((l) => l.scheme))];
  const granularities = [...new Set(o.lines.map((l) => l.granularity))].sort();
  const styles = [STYLE_FORMULA, STYLE_PRODUCT_MC].filter((s) => o.rows.lines.some((r) => r.style === s));
  const spec = lineChart({
    title: o.title,
    subtitle: log ? [...o.subtitle, `log y axis: values below ${floor} are drawn at ${floor}`] : o.subtitle,
    x: { ...o.x },
    y: log
      ? { field: 'loss', title: 'normalised loss E‖C − Ĉ‖² / E‖C‖² (log)', scale: 'log', domain: [floor, 1] }
      : { field: 'loss', title: 'normalised loss E‖C − Ĉ‖² / E‖C‖²', domain: [0, 1.05] },
    color: { field: 'scheme', title: 'Scheme', sort: schemes.map((s) => SCHEME_LABELS[s]) },
    dash: { field: 'style', title: 'Line', sort: styles },
    shape: { field: 'granularity', title: 'Monte Carlo (points, CI bars)', sort: granularities.map((g) => GRANULARITY_LABELS[g]) },
    detail: 'key',
    lines: fix(o.rows.lines),
    points: { rows: fix(o.rows.points), yLow: 'lo', yHigh: 'hi' },
    width: 620,
    height: 380,
  });
  // Room for the full legend labels (vega-lite truncates at 160 px by default).
  const config = (spec as { config?: Record<string, Record<string, unknown>> }).config;
  if (config) config.legend = { ...config.legend, labelLimit: 320, titleLimit: 320 };
  if (o.interpolate) {
    for (const layer of (spec as { layer?: { mark?: { type?: string; interpolate?: string } }[] }).layer ?? []) {
      if (layer.mark?.type === 'line') layer.mark.interpolate = o.interpolate;
    }
  }
  return spec;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportBackend(FLOAT64_BACKEND);
    reportWritten(await fig3(hideBin(process.argv)));
  });
}
