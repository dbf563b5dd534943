/**
 * `npm run matmul`: repeated coded multiplications of random matrices (the paper's Fig. 3 setup
 * by default), printing the mean normalised loss with its 95% confidence interval, the mean
 * number of blocks recovered per class and the worst decode error — and, where the paper's
 * formula applies (class granularity or MDS; any latency model), its value beside the Monte Carlo.
 */
import { join } from 'node:path';
import { classTableRows, gridClassTable } from '../src/util/class-table.ts';
import { CODES, resolveCodedOptions, type LatencySpec } from '../src/coded-backprop/index.ts';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { classEnergies, expectedLossAtProbability, SCHEMES as THEORY_SCHEMES, type Scheme } from '../src/theory/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { type BackendChoice, initBackend } from '../src/util/backend.ts';
import { formatCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { Rng } from '../src/util/rng.ts';
import { confidenceInterval } from '../src/util/stats.ts';
import { EXECUTORS, type Executor, type MatmulTrialsResult, runMatmulTrials } from '../src/workloads/matmul-trials.ts';
import { runRealMatmulTrials } from '../src/runtime/matmul-trials.ts';
import { describeRuntime, resolveRuntimeOptions, RUNTIME_CLI_OPTIONS, startRuntime } from '../src/runtime/options.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { recordTrace, traceTimeUnit } from '../src/runtime/trace.ts';
import { cxrMatmul, type CxrMatmulArgs } from './matmul-cxr.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, parseChoiceList, parseInteger, parseNumberList, runCommand } from './cli-common.ts';

/** Options from the catalogue (src/config), with the Fig. 3 preset (W = 40, λ = 0.25, K = 1, Γ = (.35, .35, .30)). */
const MATMUL_KEYS = ['scheme', 'granularity', 'workers', 'lambda', 'K', 'tmax', 'seed', 'gamma', 'ordering', 'latency', 'shift', 'paretoScale', 'paretoShape', 'gammaShape', 'backend', 'out'] as const;

/** The deadline of the paper's Fig. 3 reading (MDS 0.46, EW 0.088 at t = 1). */
const FIG3_READING_T = 1;

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
    'fig3',
  )
    .option('trials', { type: 'string', default: '2000', describe: 'number of random (A, B, code, worker times) draws' })
    .option('variances', { type: 'string', default: '10,1,0.1', describe: 'entry variance of each importance level (H, M, L, …) of A rows and B columns; its length sets N = P = S' })
    .option('U', { type: 'string', default: '5', describe: 'rows of A per row block' })
    .option('M', { type: 'string', default: '100', describe: 'inner dimension' })
    .option('Q', { type: 'string', default: '5', describe: 'columns of B per column block' })
    .option('executor', { type: 'string', default: 'f64', describe: `f64: exact float64 JS reference; tensor: the tfjs float32 path used in training (${EXECUTORS.join(', ')})` })
    .options(RUNTIME_CLI_OPTIONS)
    .option('partition', { type: 'string', default: 'rxc', choices: ['rxc', 'cxr'], describe: 'rxc: row blocks of A × column blocks of B; cxr: inner-dimension packets A_k·B_k (A U×M, B M×Q, --variances per packet class)' })
    .option('packets', { type: 'number', default: 9, describe: 'c×r: number of packets K' })
    .option('packet-classes', { type: 'string', describe: 'c×r: class of each packet, comma-separated (default: 3 equal groups)' })
    .parseSync();
  const given = valuesFromArgv(argv as Record<string, unknown>, MATMUL_KEYS);
  const v = resolveValues(MATMUL_KEYS, { ...given, tmax: given.tmax ?? FIG3_READING_T }, 'fig3');
  if (argv.partition === 'cxr') {
    cxrMatmul({
      ...(argv as unknown as CxrMatmulArgs),
      scheme: v.scheme as string,
      granularity: v.granularity as string,
      workers: given.workers !== undefined || (v.scheme !== 'uncoded' && v.scheme !== 'rep') ? ((v.workers as number | null) ?? undefined) : undefined,
      lambda: v.lambda as number,
      K: v.K as number,
      tmax: v.tmax as number,
      seed: v.seed as number,
      gamma: (v.gamma as number[]).join(','),
      ordering: v.ordering as string,
      latency: v.latency as string,
      shift: v.shift as number,
      'pareto-scale': v.paretoScale as number,
      'pareto-shape': v.paretoShape as number,
      'gamma-shape': v.gammaShape as number,
    });
    return [];
  }

  const variances = parseNumberList(argv.variances, '--variances', { min: 0 });
  if (!variances.some((x) => x > 0)) throw new RangeError('--variances: at least one variance must be > 0');
  const S = variances.length;
  const trials = parseInteger(argv.trials, '--trials', 1, 100_000_000);
  const seed = v.seed as number;
  const spec = {
    U: parseInteger(argv.U, '--U', 1, 10_000),
    M: parseInteger(argv.M, '--M', 1, 100_000),
    Q: parseInteger(argv.Q, '--Q', 1, 10_000),
    varA: variances,
    varB: variances,
  };
  const executor = parseChoiceList(argv.executor, '--executor', EXECUTORS)[0] as Executor;
  const scheme = v.scheme as string;
  if (scheme === 'baseline') throw new RangeError(`--scheme: matmul runs a code (${CODES.map((c) => c.name).join(', ')}); baseline is the exact product`);
  const latency: LatencySpec = {
    model: v.latency as LatencySpec['model'],
    lambda: v.lambda as number,
    shift: v.shift as number,
    paretoScale: v.paretoScale as number,
    paretoShape: v.paretoShape as number,
    gammaShape: v.gammaShape as number,
  };
  const opts = resolveCodedOptions({
    scheme: scheme as never,
    granularity: v.granularity as never,
    tmax: v.tmax as number,
    // Fig. 3's 40 workers for the UEP codes and MDS; uncoded and repetition keep their own W unless given.
    workers: given.workers !== undefined || (scheme !== 'uncoded' && scheme !== 'rep') ? (v.workers as number) : undefined,
    gamma: v.gamma as number[],
    rowBlocks: S,
    colBlocks: S,
    levels: S,
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
      `A ${S * spec.U}×${spec.M}, B ${spec.M}×${S * spec.Q}, variances (${variances.join(', ')}), ${executor} executor, seed ${seed}`,
  );
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
        `runtime: ${real.meanCallMs.toFixed(1)} ms per product; replies in time ${c.inTime} of ${c.tasks}, late ${c.late}, rejected ${Object.values(c.rejected).reduce((a, b) => a + b, 0)}; ` +
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
  log(`normalised loss: ${r.loss.mean.toFixed(4)}  (95% CI ${ci.low.toFixed(4)} … ${ci.high.toFixed(4)})`);
  let theory: number | null = null;
  if ((opts.granularity === 'class' || !opts.code.usesWindows) && (THEORY_SCHEMES as readonly string[]).includes(opts.scheme)) {
    const classTable = classTableRows(gridClassTable(S, S, S), S);
    const energies = classEnergies({ ...spec, classTable });
    // P(T_w < T_max) under the chosen latency model; times are the single-worker times over K
    const F = opts.latency.cdf(opts.K * opts.tmax);
    theory = expectedLossAtProbability(opts.scheme as Scheme, opts.grid.classSizes, opts.gamma, energies, opts.workers, F);
    log(`theory (Th. 1):  ${theory.toFixed(4)}`);
  }
  log(`workers received: ${r.workersReceived.mean.toFixed(2)} of ${opts.workers} on average`);
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
