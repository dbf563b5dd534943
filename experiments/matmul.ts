/**
 * `npm run matmul`: repeated coded multiplications of random matrices (the paper's Fig. 3 setup
 * by default), printing the mean normalised loss with its 95% confidence interval, the mean
 * number of blocks recovered per class and the worst decode error — and, where the paper's
 * formula applies (class granularity or MDS; any latency model), its value beside the Monte Carlo.
 */
import { noWorkersNote } from '../src/runtime/runtime.ts';
import { join } from 'node:path';
import { blockLevels, classTableRows, gridClassTable, maxGridLevels } from '../src/util/class-table.ts';
import { SCHEME_NAMES } from '../src/coded-backprop/names.ts';
import { latencySpecOf, OptionError, PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { classEnergies, expectedLossAtProbability, SCHEMES as THEORY_SCHEMES, type Scheme } from '../src/theory/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import type { BackendChoice } from '../src/util/backend.ts';
import { formatCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { Rng } from '../src/util/rng.ts';
import { confidenceInterval } from '../src/util/stats.ts';
import type { Executor, MatmulTrialsResult } from '../src/workloads/matmul-trials.ts';
import { describeRuntime, resolveRuntimeOptions, RUNTIME_CLI_OPTIONS, startRuntime } from '../src/runtime/options.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { recordTrace, traceTimeUnit } from '../src/runtime/trace.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, runCommand } from './cli-common.ts';

/** Options from the catalogue (src/config); the runtime flags are src/runtime/options.ts's. */
const MATMUL_KEYS = [
  'scheme', 'granularity', 'workers', 'lambda', 'K', 'tmax', 'seed', 'gamma', 'ordering', 'latency', 'shift', 'paretoScale', 'paretoShape', 'gammaShape',
  'trials', 'variances', 'U', 'M', 'Q', 'executor', 'backend', 'partition', 'packets', 'packetClasses', 'out',
  'estimate', 'estimateFloor', 'fixedMatrices', 'rowBlocks', 'colBlocks',
] as const;

/**
 * The Fig. 3 setup (preset fig3: W = 40, λ = 0.25, K = 1, Γ = (.35, .35, .30)) at the deadline
 * of the paper's Fig. 3 reading (MDS 0.46, EW 0.088 at t = 1), with 2000 trials.
 */
const MATMUL_VALUES = { ...PRESETS.fig3, tmax: 1, trials: 2000 };

export const MATMUL_COLUMNS = [
  'scheme', 'granularity', 'executor', 'workers', 'tmax', 'K', 'latency', 'trials', 'seed', 'class', 'class_size',
  'recovered_mean', 'withheld_mean', 'worst_rel_error', 'loss_mean', 'loss_ci_low', 'loss_ci_high', 'theory', 'workers_received_mean',
] as const;

/**
 * The matmul command with `args` (argv without node and script); prints to `log`.
 * @returns the paths written (the CSV with --out, else none)
 */
export async function matmul(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine('Coded approximate multiplication of random matrices (default: the Fig. 3 setup, T_max = 1).', args),
    MATMUL_KEYS,
    MATMUL_VALUES,
  )
    .options(RUNTIME_CLI_OPTIONS)
    .parseSync();
  const given = valuesFromArgv(argv as Record<string, unknown>, MATMUL_KEYS);
  const v = resolveValues(MATMUL_KEYS, given, MATMUL_VALUES);
  // Every flag is parsed and checked by the catalogue: only now load the engine (tfjs: seconds to
  // load), which the remaining checks (the coded options) need; a bad flag is refused before this.
  const [{ resolveCodedOptions }, { initBackend }, { runMatmulTrials }, { runRealMatmulTrials }, { runFixedMatrixTrials }, { cxrMatmul }] = await Promise.all([
    import('../src/coded-backprop/index.ts'),
    import('../src/util/backend.ts'),
    import('../src/workloads/matmul-trials.ts'),
    import('../src/runtime/matmul-trials.ts'),
    import('../src/workloads/bias-variance.ts'),
    import('./matmul-cxr.ts'),
  ]);
  const scheme = v.scheme as string;
  // Fig. 3's 40 workers for the UEP codes and MDS; uncoded and repetition keep their own W unless given.
  const workers = given.workers !== undefined || (scheme !== 'uncoded' && scheme !== 'rep') ? (v.workers as number) : undefined;
  if (v.partition === 'cxr') {
    cxrMatmul(v, workers, argv.runtime);
    return [];
  }

  const variances = v.variances as number[];
  const S = variances.length;
  const trials = v.trials as number;
  const seed = v.seed as number;
  // the grid: one block per level by default; --row-blocks/--col-blocks cut more (1-D N×1: levels from A's rows)
  const N = (v.rowBlocks as number | null) ?? S;
  const P = (v.colBlocks as number | null) ?? S;
  if (S > maxGridLevels(N, P)) throw new OptionError('variances', `at most ${maxGridLevels(N, P)} levels on a ${N}×${P} grid, got ${S}`);
  const spec = { U: v.U as number, M: v.M as number, Q: v.Q as number, varA: blockLevels(N, S).map((l) => variances[l]), varB: blockLevels(P, S).map((l) => variances[l]) };
  const executor = v.executor as Executor;
  if (scheme === 'baseline') throw new OptionError('scheme', `matmul runs a code (${SCHEME_NAMES.join(', ')}); baseline is the exact product`);
  const latency = latencySpecOf(v);
  const opts = resolveCodedOptions({
    scheme: scheme as never,
    granularity: v.granularity as never,
    tmax: v.tmax as number,
    workers,
    gamma: v.gamma as number[],
    rowBlocks: N,
    colBlocks: P,
    levels: S,
    estimate: v.estimate as string,
    estimateFloor: v.estimateFloor as number,
    ordering: v.ordering as never,
    latency,
    K: v.K as number,
  });
  const runtimeOpts = resolveRuntimeOptions(argv);
  const dir = v.out === null ? null : checkOutputDir(v.out as string);
  const backend = executor === 'tensor' ? await initBackend(v.backend as BackendChoice) : FLOAT64_BACKEND;

  log(`backend: ${backend}`);
  log(
    `scheme ${opts.scheme}${opts.code.usesWindows ? ` (${opts.granularity} granularity, Γ = (${opts.gamma.join(', ')}))` : ''}, W = ${opts.workers}, ${opts.latency.name}, K = ${opts.K}, T_max = ${opts.tmax}, ` +
      `A ${N * spec.U}×${spec.M}, B ${spec.M}×${P * spec.Q}, variances (${variances.join(', ')}), ${executor} executor, seed ${seed}`,
  );
  if (opts.unbiased) {
    const u = opts.unbiased;
    log(`unbiased decoding: floor ${u.floor}; P(recovered) from ${u.source === 'theory' ? 'the theory' : `a Monte Carlo of ${u.plans} plans`}: ${u.probability.map((p) => p.toFixed(4)).join(', ')} (blocks below the floor keep scale 1)`);
  }
  if (v.fixedMatrices) {
    if (executor !== 'f64' || runtimeOpts.runtime !== 'sim') throw new OptionError('fixedMatrices', 'runs the float64 executor on simulated workers (drop --executor tensor / --runtime)');
    const t1 = Date.now();
    const bv = runFixedMatrixTrials(spec, opts, trials, new Rng(seed));
    log(`fixed A and B, ${trials} trials in ${((Date.now() - t1) / 1000).toFixed(1)} s (${opts.estimate} estimate)`);
    log('per class: bias ‖E[Ĉ] − C‖/‖C‖ (noise level of the mean √(var/trials)), variance E‖Ĉ − E[Ĉ]‖²/‖C‖²');
    bv.forEach((c, l) => log(`  class ${l + 1}: bias ${c.bias.toFixed(4)} (noise ${c.biasNoise.toFixed(4)}), variance ${c.variance.toFixed(4)}`));
    if (dir === null) return [];
    const rows = bv.map((c, l) => ({ scheme: opts.scheme, granularity: opts.granularity, estimate: opts.estimate, floor: opts.unbiased?.floor ?? '', workers: opts.workers, tmax: opts.tmax, trials, seed, class: l + 1, bias: c.bias, bias_noise: c.biasNoise, variance: c.variance }));
    return writeFilesAtomic([{ path: join(dir, 'matmul-bias.csv'), data: formatCsv(rows, ['scheme', 'granularity', 'estimate', 'floor', 'workers', 'tmax', 'trials', 'seed', 'class', 'bias', 'bias_noise', 'variance']) }]);
  }
  const t0 = Date.now();
  const tty = process.stderr.isTTY;
  const progress = (done: number) => process.stderr.write(tty ? `\r  ${done}/${trials} trials` : `  ${done}/${trials} trials\n`);
  let r: MatmulTrialsResult;
  if (runtimeOpts.runtime === 'sim') {
    r = runMatmulTrials(spec, opts, trials, executor, new Rng(seed), progress);
  } else {
    // real workers: products computed by the runtime in float32, decoded on this thread (--executor is not used)
    log(describeRuntime(runtimeOpts, opts.tmax));
    const runtime = (await startRuntime(runtimeOpts)) as Runtime;
    const trace = runtimeOpts.trace ? recordTrace(runtime, traceTimeUnit(runtimeOpts.timing, opts.tmax)) : undefined;
    try {
      const real = await runRealMatmulTrials(spec, opts, trials, runtime, runtimeOpts.timing, new Rng(seed), progress);
      const c = real.counters;
      log(
        `runtime: ${real.meanCallMs.toFixed(1)} ms per product; replies in time ${c.inTime} of ${c.tasks}, late ${c.late}, rejected ${Object.values(c.rejected).reduce((a, b) => a + b, 0)}${noWorkersNote(c)}; ` +
          `received/lost differs from sim for ${real.disagreements} of ${real.draws} worker draws (those near T_max)`,
      );
      r = real;
      if (trace && runtimeOpts.trace) {
        await trace.write(runtimeOpts.trace);
        log(`wrote ${runtimeOpts.trace} (arrival trace, ${trace.rows.length} rows)`);
      }
    } finally {
      await runtime.close();
    }
  }
  if (tty) process.stderr.write(`\r${' '.repeat(30)}\r`);
  const ci = confidenceInterval(r.loss, 1.96);
  log(`trials: ${trials} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // a latency model with memory (markov, hetero, correlated, bursts) makes consecutive trials correlated
  const memory = opts.latency.callTimes !== undefined;
  log(`normalised loss: ${r.loss.mean.toFixed(4)}  (95% CI ${ci.low.toFixed(4)} … ${ci.high.toFixed(4)}${memory ? '; i.i.d. interval, too narrow for correlated calls: npm run stragglers uses batch means' : ''})`);
  let theory: number | null = null;
  if ((opts.granularity === 'class' || !opts.code.usesWindows) && (THEORY_SCHEMES as readonly string[]).includes(opts.scheme)) {
    const classTable = classTableRows(gridClassTable(N, P, S), P);
    const energies = classEnergies({ ...spec, classTable });
    // P(T_w < T_max) under the chosen latency model; times are the single-worker times over K
    const F = opts.latency.cdf(opts.K * opts.tmax);
    theory = expectedLossAtProbability(opts.scheme as Scheme, opts.grid.classSizes, opts.gamma, energies, opts.workers, F);
    log(memory ? `i.i.d. theory (Th. 1 under the stationary marginal): ${theory.toFixed(4)}` : `theory (Th. 1):  ${theory.toFixed(4)}`);
  }
  log(`workers received: ${r.workersReceived.mean.toFixed(2)} of ${opts.workers} on average`);
  if (r.blocksEstimated !== undefined) log(`blocks estimated (approximate, never exact): ${r.blocksEstimated.toFixed(3)} of ${opts.grid.N * opts.grid.P} on average`);
  log('blocks recovered per class (mean / class size): ' + r.classRecovered.map((c, l) => `class ${l + 1}: ${c.toFixed(3)}/${r.classSizes[l]}`).join(', '));
  log(
    'determined but withheld for precision per class (mean): ' +
      r.classWithheld.map((c, l) => `class ${l + 1}: ${c.toFixed(3)}`).join(', '),
  );
  log(
    'worst relative decode error per class (recovered blocks, vs the exact block\'s own norm): ' +
      r.classWorstRelError.map((e, l) => `class ${l + 1}: ${e.toExponential(2)}`).join(', '),
  );
  if (dir === null) return [];
  const rows = r.classSizes.map((size, l) => ({
    scheme: opts.scheme,
    granularity: opts.granularity,
    executor,
    workers: opts.workers,
    tmax: opts.tmax,
    K: opts.K,
    latency: opts.latency.name,
    trials,
    seed,
    class: l + 1,
    class_size: size,
    recovered_mean: r.classRecovered[l],
    withheld_mean: r.classWithheld[l],
    worst_rel_error: r.classWorstRelError[l],
    loss_mean: r.loss.mean,
    loss_ci_low: ci.low,
    loss_ci_high: ci.high,
    theory: theory ?? '',
    workers_received_mean: r.workersReceived.mean,
  }));
  return writeFilesAtomic([{ path: join(dir, 'matmul.csv'), data: formatCsv(rows, MATMUL_COLUMNS) }]);
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    for (const p of await matmul(process.argv.slice(2))) process.stdout.write(`wrote ${p}\n`);
  });
}
