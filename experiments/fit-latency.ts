/**
 * `npm run fit-latency -- --trace FILE [--out DIR]`: fits the exponential, shifted exponential,
 * Pareto and Gamma latency models by maximum likelihood to a recorded arrival trace's task times
 * (single-worker model time: (replied − dispatched)/time unit × recorded K, as `--latency
 * trace-pool:FILE` pools them; src/coded-backprop/latency/trace.ts), prints each fit's parameters
 * (as the flags that select it), log-likelihood and Kolmogorov–Smirnov distance, marks the best
 * (smallest KS), and prints the theory's expected normalised loss (Theorem 1, the Fig. 3 setup:
 * preset fig3, W = 40, K = 1, Γ = (0.35, 0.35, 0.30), k = (1, 2, 6)) under the best fit beside the
 * loss under the trace's own empirical CDF. Writes
 *   <out>/fit-latency.csv          model, parameters, log_likelihood, ks, best
 *   <out>/fit-latency-theory.csv   tmax, scheme, F and loss under the trace's ECDF and the best fit
 *   <out>/fit-latency.json         the command, the trace summary (time unit, K and their sources)
 *   <out>/fit-latency.svg|png      the trace's ECDF (points) against the fitted CDFs (lines)
 * Censoring: the fits observe the in-time replies exactly; every other task (late, or never
 * replied) is known only to have taken longer than its call's deadline c (the trace's deadline_ms;
 * for older traces without it, the largest in-time time, which no in-time reply exceeds), and
 * enters the likelihood as P(T > c) (src/coded-backprop/latency/fit.ts). The KS distance compares
 * the fitted CDF with the empirical CDF of all tasks over the in-time range. The trace's own empirical CDF (trace-pool) counts late replies at
 * their times and never-replied tasks as never arriving. Nothing is random.
 */
import { basename, join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { bestFit, burstTraceTimes, isBurstFile, FITTED_MODELS, fitLatencyModels, readTraceTimes, traceTaskCount, tracePool, type LatencyFit } from '../src/coded-backprop/index.ts';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { classEnergiesOfSetup, classSizesOfSetup, PAPER_MC_SETUP } from '../src/montecarlo/index.ts';
import { lineChart, renderSpecFiles, type Row } from '../src/plot/index.ts';
import { expectedLossAtProbability, SCHEMES, type Scheme } from '../src/theory/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import { OptionError } from '../src/util/option-error.ts';
import { FLOAT64_BACKEND, commandLine, isMainModule, reportBackend, reportWritten, runCommand } from './cli-common.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { PRESETS } from '../src/util/presets.ts';

/** Catalogue options (src/config) of the theory setup, preset fig3. */
const FIT_KEYS = ['workers', 'K', 'gamma', 'tmaxes', 'out'] as const;

/** The deadline of the Fig. 3 reading (as `npm run matmul`). */
/** The Fig. 3 setup, the deadline of the loss comparison (T_max = 1) and the output folder. */
const FIT_VALUES = { ...PRESETS.fig3, tmaxes: [1], out: 'results/fit-latency' };

export const FIT_COLUMNS = ['model', 'lambda', 'shift', 'pareto_scale', 'pareto_shape', 'gamma_shape', 'log_likelihood', 'ks', 'best', 'times', 'censored', 'censored_at_min', 'censored_at_max', 'note'] as const;
export const FIT_THEORY_COLUMNS = ['tmax', 'scheme', 'workers', 'K', 'F_trace', 'loss_trace', 'best_model', 'F_best_fit', 'loss_best_fit'] as const;

/** The flags that select a fit, e.g. `--latency gamma --gamma-shape 2.1 --lambda 0.5`. */
export function fitFlags(f: LatencyFit): string {
  const p = f.params;
  const n = (x: number | undefined) => Number((x as number).toPrecision(6));
  switch (f.model) {
    case 'exponential':
      return `--latency exponential --lambda ${n(p.lambda)}`;
    case 'shifted-exponential':
      return `--latency shifted-exponential --lambda ${n(p.lambda)} --shift ${n(p.shift)}`;
    case 'pareto':
      return `--latency pareto --pareto-scale ${n(p.paretoScale)} --pareto-shape ${n(p.paretoShape)}`;
    case 'gamma':
      return `--latency gamma --gamma-shape ${n(p.gammaShape)} --lambda ${n(p.lambda)}`;
  }
}

/**
 * The fit-latency command with `args` (argv without node and script); prints to `log`.
 * @returns the paths written
 */
export async function fitLatency(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine(
      'Fit exponential, shifted exponential, Pareto and Gamma worker-time models by maximum likelihood to an arrival trace ' +
        '(--trace, as written by matmul/train --runtime threads|nats --trace), compare them by Kolmogorov–Smirnov distance, and ' +
        'give the theory\'s expected normalised loss (Fig. 3 setup) under the best fit and under the trace\'s own empirical CDF.',
      args,
    ),
    FIT_KEYS,
    FIT_VALUES,
  )
    .option('trace', { type: 'string', describe: 'the arrival trace CSV (step, product, worker, dispatched_ms, replied_ms, in_time), or a cloud burst CSV (data/traces/*.csv: burst, task_ms; times in seconds) (required)' })
    .option('time-unit-ms', { type: 'number', describe: 'milliseconds per model time unit (default: the run\'s, from a config.json beside the trace, else 50)' })
    .option('k', { type: 'number', describe: 'time scaling K of the recorded run: task times are multiplied by it (default: the run\'s, from config.json, else 1)' })
    .parseSync();
  const given = valuesFromArgv(argv as Record<string, unknown>, FIT_KEYS);
  const v = resolveValues(FIT_KEYS, given, FIT_VALUES);
  const file = argv.trace;
  if (typeof file !== 'string' || file.trim() === '') throw new OptionError('trace', 'required: the arrival trace CSV to fit');
  const positive = (flag: string, x: unknown): number | undefined => {
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new OptionError(flag, `must be a number > 0 (got ${String(x)})`, flag);
    return x;
  };
  const timeUnitMs = positive('time-unit-ms', argv['time-unit-ms']);
  const Krec = positive('k', argv.k);
  const dir = checkOutputDir(v.out as string);
  // a cloud burst CSV (data/traces/*.csv): every invocation's task time, in seconds
  const trace = isBurstFile(file) ? burstTraceTimes(file) : readTraceTimes(file, { ...(timeUnitMs !== undefined ? { timeUnitMs } : {}), ...(Krec !== undefined ? { K: Krec } : {}) }, 'trace');
  const n = traceTaskCount(trace);
  const xs = trace.inTime;
  if (xs.length < 2) throw new OptionError('trace', `${file}: only ${xs.length} task replied in time; a fit needs at least 2`);
  const cens = trace.censoredAt;

  const all = trace.times;
  const q = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
  log(`trace ${basename(file)}: ${n} tasks, ${xs.length} replied in time, ${trace.late} late, ${trace.censored} never replied (never arrive in the trace's empirical CDF)`);
  log(
    `time unit ${trace.timeUnitMs} ms (${trace.timeUnitSource}), recorded K ${trace.K} (${trace.KSource}): single-worker times = task ms / unit × K; ` +
      `replied: min ${all[0].toPrecision(4)}, median ${q(0.5).toPrecision(4)}, 90% ${q(0.9).toPrecision(4)}, max ${all[all.length - 1].toPrecision(4)}`,
  );
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cens) [lo, hi] = [Math.min(lo, c), Math.max(hi, c)];
  if (cens.length > 0) {
    const at = lo === hi ? `c = ${lo.toPrecision(4)}` : `c from ${lo.toPrecision(4)} to ${hi.toPrecision(4)}`;
    log(`fits: ${xs.length} in-time times observed exactly; ${cens.length} late or never-replied tasks right-censored at their deadline (${at}): likelihood P(T > c)`);
  }

  const fits = fitLatencyModels(xs, cens);
  const best = bestFit(fits);
  const pad = (s: string, w: number) => s.padEnd(w);
  log(`${pad('model', 21)}${pad('log-likelihood', 16)}${pad('KS', 10)}flags`);
  for (const f of fits) {
    if (!f.latency) {
      log(`${pad(f.model, 21)}${pad('—', 16)}${pad('—', 10)}(not fitted: ${f.note})`);
      continue;
    }
    log(`${pad(f.model, 21)}${pad(f.logLikelihood.toFixed(3), 16)}${pad(f.ks.toFixed(4), 10)}${fitFlags(f)}${f === best ? '   ← best (smallest KS)' : ''}`);
  }

  // Theory (Th. 1) on the Fig. 3 setup: P(T_w < T_max) = F(K·T_max) under the trace's ECDF and the best fit.
  const W = v.workers as number;
  const K = v.K as number;
  const gamma = v.gamma as number[];
  const setup = { ...PAPER_MC_SETUP, workers: W, K, gamma };
  const k = classSizesOfSetup(setup);
  if (gamma.length !== k.length) throw new OptionError('gamma', `expected ${k.length} probabilities (one per class), got ${gamma.length}`);
  const energies = classEnergiesOfSetup(setup);
  const pool = tracePool(trace);
  const theoryRows: Row[] = [];
  log(`theory (Th. 1, Fig. 3 setup: W = ${W}, K = ${K}, Γ = (${gamma.join(', ')}), k = (${k.join(', ')})): expected normalised loss`);
  log(`${pad('T_max', 8)}${pad('scheme', 8)}${pad('trace ECDF', 22)}best fit (${best.model})`);
  for (const tmax of v.tmaxes as number[]) {
    const Ft = Math.min(1, Math.max(0, pool.cdf(K * tmax)));
    const Ff = Math.min(1, Math.max(0, best.latency!.cdf(K * tmax)));
    for (const scheme of SCHEMES as readonly Scheme[]) {
      const lt = expectedLossAtProbability(scheme, k, gamma, energies, W, Ft);
      const lf = expectedLossAtProbability(scheme, k, gamma, energies, W, Ff);
      theoryRows.push({ tmax, scheme, workers: W, K, F_trace: Ft, loss_trace: lt, best_model: best.model, F_best_fit: Ff, loss_best_fit: lf });
      log(`${pad(String(tmax), 8)}${pad(scheme, 8)}${pad(`${lt.toFixed(4)} (F = ${Ft.toFixed(3)})`, 22)}${lf.toFixed(4)} (F = ${Ff.toFixed(3)})`);
    }
  }

  const fitRows = fits.map((f) => ({
    model: f.model,
    lambda: f.params.lambda,
    shift: f.params.shift,
    pareto_scale: f.params.paretoScale,
    pareto_shape: f.params.paretoShape,
    gamma_shape: f.params.gammaShape,
    log_likelihood: f.latency ? f.logLikelihood : null,
    ks: f.latency ? f.ks : null,
    best: f === best ? 1 : 0,
    times: xs.length,
    censored: cens.length,
    censored_at_min: cens.length ? lo : null,
    censored_at_max: cens.length ? hi : null,
    note: f.note ?? '',
  }));
  const spec = lineChart({
    title: 'Worker times of the trace: empirical CDF and fitted models',
    subtitle: [
      `${basename(file)}: ${n} tasks, ${xs.length} in time, ${trace.late} late, ${trace.censored} never replied; unit ${trace.timeUnitMs} ms, ×K ${trace.K}`,
      `best by KS: ${best.model} (${best.ks.toFixed(4)})`,
    ],
    x: { field: 't', title: 'single-worker time (model units)', zero: true },
    y: { field: 'F', title: 'CDF (all tasks; never replied = never)', domain: [0, 1] },
    color: { field: 'series', title: 'distribution', sort: ['trace ECDF', ...FITTED_MODELS.filter((m) => fits.find((f) => f.model === m)?.latency)] },
    dash: { field: 'kind', title: 'curve', sort: ['empirical', 'maximum likelihood'] },
    detail: 'series',
    lines: [...ecdfPoints(all, n), ...cdfLines(fits, all[all.length - 1])],
  });
  const base = join(dir, 'fit-latency');
  const sidecar = {
    command: 'fit-latency',
    args,
    randomness: 'none (closed-form and Newton maximum likelihood, exact theory)',
    trace: { file: basename(file), tasks: n, replied: xs.length, late: trace.late, censored: trace.censored, timeUnitMs: trace.timeUnitMs, timeUnitSource: trace.timeUnitSource, K: trace.K, KSource: trace.KSource },
    censoring: {
      fits: 'in-time replies observed exactly; late and never-replied tasks right-censored at their call\'s deadline (the trace\'s deadline_ms less the task\'s dispatch offset; without one, the largest in-time time): likelihood P(T > c)',
      count: cens.length,
      atMin: cens.length ? lo : null,
      atMax: cens.length ? hi : null,
      empiricalCdf: 'late replies at their times; never-replied tasks never arrive (+∞)',
    },
    fits: fits.map((f) => ({ model: f.model, params: f.params, logLikelihood: f.latency ? f.logLikelihood : null, ks: f.latency ? f.ks : null, note: f.note ?? null })),
    best: { model: best.model, flags: fitFlags(best) },
    theory: { setup: 'Fig. 3 (preset fig3)', workers: W, K, gamma, classSizes: k, classEnergies: energies, tmax: v.tmaxes },
  };
  return writeFilesAtomic([
    { path: `${base}.csv`, data: formatCsv(fitRows, FIT_COLUMNS) },
    { path: `${base}-theory.csv`, data: formatCsv(theoryRows, FIT_THEORY_COLUMNS) },
    { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
    ...(await renderSpecFiles(spec, base)),
  ]);
}

/** The ECDF (i + 1)/total at the sorted finite times, at most 500 points (evenly thinned), drawn as a line. */
function ecdfPoints(xs: Float64Array, total: number): Row[] {
  const n = xs.length;
  const step = Math.max(1, Math.ceil(n / 500));
  const kind = 'empirical';
  const rows: Row[] = [{ t: 0, F: 0, series: 'trace ECDF', kind }];
  for (let i = 0; i < n; i += step) rows.push({ t: xs[i], F: (i + 1) / total, series: 'trace ECDF', kind });
  if ((n - 1) % step !== 0) rows.push({ t: xs[n - 1], F: n / total, series: 'trace ECDF', kind });
  return rows;
}

/** Each fitted CDF on 200 points from 0 to `hi`. */
function cdfLines(fits: readonly LatencyFit[], hi: number): Row[] {
  const rows: Row[] = [];
  for (const f of fits) {
    if (!f.latency) continue;
    for (let i = 0; i <= 200; i++) {
      const t = (hi * i) / 200;
      rows.push({ t, F: f.latency.cdf(t), series: f.model, kind: 'maximum likelihood' });
    }
  }
  return rows;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportBackend(FLOAT64_BACKEND);
    reportWritten(await fitLatency(hideBin(process.argv)));
  });
}
