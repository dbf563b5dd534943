/**
 * `npm run matmul`: repeated coded multiplications of random matrices (the paper's Fig. 3 setup
 * by default), printing the mean normalised loss with its 95% confidence interval, the mean
 * number of blocks recovered per class and the worst decode error — and, where the paper's
 * formula applies (class granularity or MDS; any latency model), its value beside the Monte Carlo.
 */
import {
  blockLevels,
  CODES,
  GRANULARITIES,
  LATENCY_MODELS,
  ORDERINGS,
  paperClassTable,
  resolveCodedOptions,
  SCHEME_NAMES,
} from '../src/coded-backprop/index.ts';
import { classEnergies, expectedLossAtProbability, SCHEMES as THEORY_SCHEMES, type Scheme } from '../src/theory/index.ts';
import { confidenceInterval } from '../src/util/stats.ts';
import { BACKENDS, type BackendChoice, initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { EXECUTORS, type Executor, type MatmulTrialsResult, runMatmulTrials } from '../src/workloads/matmul-trials.ts';
import { runRealMatmulTrials } from '../src/runtime/matmul-trials.ts';
import { describeRuntime, resolveRuntimeOptions, RUNTIME_CLI_OPTIONS, startRuntime } from '../src/runtime/options.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { recordTrace } from '../src/runtime/trace.ts';
import { cxrMatmul } from './matmul-cxr.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, parseInteger, parseNumberList, reportBackend, runCommand } from './cli-common.ts';

const FIG3_WORKERS = 40;

export async function matmul(args: string[]): Promise<void> {
  const argv = commandLine('Coded approximate multiplication of random matrices (default: the Fig. 3 setup).', args)
    .option('scheme', { type: 'string', default: 'ew', choices: SCHEME_NAMES, describe: 'code: ' + CODES.map((c) => `${c.name} = ${c.summary}`).join('; ') })
    .option('granularity', { type: 'string', default: 'class', choices: GRANULARITIES, describe: 'UEP windows over C-block classes, or independent A-level × B-level windows (paper eq. 5)' })
    .option('workers', { type: 'number', describe: `number of workers W (default ${FIG3_WORKERS} for mds/now/ew as in Fig. 3, 9 for uncoded, 18 for rep)` })
    .option('lambda', { type: 'number', default: 0.25, describe: 'rate λ of the exponential worker time F(t) = 1 − e^(−λt)' })
    .option('K', { type: 'number', default: 1, describe: 'time scaling: worker CDF F(K·t) (Fig. 3: 1; Table III: N·P/W)' })
    .option('tmax', { type: 'number', default: 1, describe: 'deadline T_max: results with T_w < T_max are decoded' })
    .option('trials', { type: 'number', default: 2000, describe: 'number of random (A, B, code, worker times) draws' })
    .option('seed', { type: 'number', default: 1, describe: 'seed of the one random generator' })
    .option('gamma', { type: 'string', default: '0.35,0.35,0.30', describe: 'window selection distribution Γ (one per class, or per level with --granularity product)' })
    .option('variances', { type: 'string', default: '10,1,0.1', describe: 'entry variance of each importance level (H, M, L, …) of A rows and B columns; its length sets N = P = S' })
    .option('U', { type: 'number', default: 5, describe: 'rows of A per row block' })
    .option('M', { type: 'number', default: 100, describe: 'inner dimension' })
    .option('Q', { type: 'number', default: 5, describe: 'columns of B per column block' })
    .option('ordering', { type: 'string', default: 'l2', choices: ORDERINGS, describe: 'rank A rows / B columns by L2 norm, mean |x|, or not at all' })
    .option('latency', { type: 'string', default: 'exponential', choices: LATENCY_MODELS, describe: 'worker time model' })
    .option('shift', { type: 'number', default: 0, describe: 'start-up time of the shifted exponential' })
    .option('pareto-scale', { type: 'number', default: 1, describe: 'Pareto scale x_m' })
    .option('pareto-shape', { type: 'number', default: 2, describe: 'Pareto shape α' })
    .option('executor', { type: 'string', default: 'f64', choices: EXECUTORS, describe: 'f64: exact float64 JS reference; tensor: the tfjs float32 path used in training' })
    .option('backend', { type: 'string', default: 'auto', choices: BACKENDS, describe: 'tfjs backend for --executor tensor' })
    .options(RUNTIME_CLI_OPTIONS)
    .option('partition', { type: 'string', default: 'rxc', choices: ['rxc', 'cxr'], describe: 'rxc: row blocks of A × column blocks of B; cxr: inner-dimension packets A_k·B_k (A U×M, B M×Q, --variances per packet class)' })
    .option('packets', { type: 'number', default: 9, describe: 'c×r: number of packets K' })
    .option('packet-classes', { type: 'string', describe: 'c×r: class of each packet, comma-separated (default: 3 equal groups)' })
    .parseSync();
  if (argv.partition === 'cxr') return cxrMatmul(argv);

  const variances = parseNumberList(argv.variances, '--variances', { min: 0 });
  const S = variances.length;
  const trials = parseInteger(argv.trials, '--trials', 1);
  const seed = parseInteger(argv.seed, '--seed', 0, 2 ** 32 - 1);
  const spec = {
    U: parseInteger(argv.U, '--U', 1),
    M: parseInteger(argv.M, '--M', 1),
    Q: parseInteger(argv.Q, '--Q', 1),
    varA: variances,
    varB: variances,
  };
  const scheme = argv.scheme;
  const opts = resolveCodedOptions({
    scheme,
    granularity: argv.granularity,
    tmax: argv.tmax,
    workers: argv.workers ?? (scheme === 'uncoded' || scheme === 'rep' ? undefined : FIG3_WORKERS),
    gamma: parseNumberList(argv.gamma, '--gamma'),
    rowBlocks: S,
    colBlocks: S,
    levels: S,
    ordering: argv.ordering,
    latency: { model: argv.latency as never, lambda: argv.lambda, shift: argv.shift, paretoScale: argv['pareto-scale'], paretoShape: argv['pareto-shape'] },
    K: argv.K,
  });
  const runtimeOpts = resolveRuntimeOptions(argv);
  const executor = argv.executor as Executor;
  const backend = executor === 'tensor' ? await initBackend(argv.backend as BackendChoice) : FLOAT64_BACKEND;

  reportBackend(backend);
  console.log(
    `scheme ${opts.scheme}${opts.code.usesWindows ? ` (${opts.granularity} granularity, Γ = (${opts.gamma.join(', ')}))` : ''}, W = ${opts.workers}, ${opts.latency.name}, K = ${opts.K}, T_max = ${opts.tmax}, ` +
      `A ${S * spec.U}×${spec.M}, B ${spec.M}×${S * spec.Q}, variances (${variances.join(', ')}), seed ${seed}`,
  );
  const t0 = Date.now();
  const tty = process.stderr.isTTY;
  const progress = (done: number) => process.stderr.write(tty ? `\r  ${done}/${trials} trials` : `  ${done}/${trials} trials\n`);
  let r: MatmulTrialsResult;
  if (runtimeOpts.runtime === 'sim') {
    r = runMatmulTrials(spec, opts, trials, executor, new Rng(seed), progress);
  } else {
    // real workers: products computed by the runtime in float32, decoded on this thread (--executor is not used)
    console.log(describeRuntime(runtimeOpts, opts.tmax));
    const runtime = (await startRuntime(runtimeOpts)) as Runtime;
    const trace = runtimeOpts.trace ? recordTrace(runtime) : undefined;
    try {
      const real = await runRealMatmulTrials(spec, opts, trials, runtime, runtimeOpts.timing, new Rng(seed), progress);
      const c = real.counters;
      console.log(
        `runtime: ${real.meanCallMs.toFixed(1)} ms per product; replies in time ${c.inTime} of ${c.tasks}, late ${c.late}, rejected ${Object.values(c.rejected).reduce((a, b) => a + b, 0)}; ` +
          `received/lost differs from sim for ${real.disagreements} of ${real.draws} worker draws (those near T_max)`,
      );
      r = real;
      if (trace && runtimeOpts.trace) {
        await trace.write(runtimeOpts.trace);
        console.log(`wrote ${runtimeOpts.trace} (arrival trace, ${trace.rows.length} rows)`);
      }
    } finally {
      await runtime.close();
    }
  }
  if (tty) process.stderr.write(`\r${' '.repeat(30)}\r`);
  const hw = confidenceInterval(r.loss, 1.96).halfWidth;
  console.log(`trials: ${trials} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`normalised loss: ${r.loss.mean.toFixed(4)}  (95% CI ${(r.loss.mean - hw).toFixed(4)} … ${(r.loss.mean + hw).toFixed(4)})`);
  if ((opts.granularity === 'class' || !opts.code.usesWindows) && (THEORY_SCHEMES as readonly string[]).includes(opts.scheme)) {
    const flat = paperClassTable(blockLevels(S, S), blockLevels(S, S), S);
    const classTable = Array.from({ length: S }, (_, n) => flat.slice(n * S, (n + 1) * S));
    const energies = classEnergies({ ...spec, classTable });
    // P(T_w < T_max) under the chosen latency model; times are the single-worker times over K
    const F = opts.latency.cdf(opts.K * opts.tmax);
    const theory = expectedLossAtProbability(opts.scheme as Scheme, opts.grid.classSizes, opts.gamma, energies, opts.workers, F);
    console.log(`theory (Th. 1):  ${theory.toFixed(4)}`);
  }
  console.log(`workers received: ${r.workersReceived.mean.toFixed(2)} of ${opts.workers} on average`);
  console.log(
    'blocks recovered per class (mean / class size): ' +
      r.classRecovered.map((c, l) => `class ${l + 1}: ${c.toFixed(3)}/${r.classSizes[l]}`).join(', '),
  );
  console.log(`worst decode error (relative Frobenius, recovered blocks): ${r.worstDecodeError.toExponential(2)}`);
}

if (isMainModule(import.meta.url)) void runCommand(() => matmul(process.argv.slice(2)));
