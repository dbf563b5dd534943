/**
 * The c×r branch of `npm run matmul` (--partition cxr): A: U×M and B: M×Q cut along the inner
 * dimension into --packets packets, packet classes from --packet-classes, entry variance of a
 * packet = --variances[its class]. Prints the Monte Carlo loss with its 95% CI beside the c×r
 * formula Σ_l E_l·P(class l not decoded) (src/theory/cxr.ts).
 */
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { cxrExpectedLossAtProbability, type CxrScheme } from '../src/theory/index.ts';
import { confidenceInterval } from '../src/util/stats.ts';
import { Rng } from '../src/util/rng.ts';
import { cxrEnergies, runCxrTrials } from '../src/workloads/cxr-trials.ts';
import { FLOAT64_BACKEND, parseInteger, parseNumberList, reportBackend } from './cli-common.ts';

/** The parsed matmul flags this branch reads. */
export interface CxrMatmulArgs {
  scheme: string;
  granularity: string;
  workers?: number;
  lambda: number;
  K: number;
  tmax: number;
  trials: number;
  seed: number;
  gamma: string;
  variances: string;
  U: number;
  M: number;
  Q: number;
  ordering: string;
  latency: string;
  shift: number;
  'pareto-scale': number;
  'pareto-shape': number;
  'gamma-shape'?: number;
  executor: string;
  packets: number;
  'packet-classes'?: string;
  runtime?: string;
}

export function cxrMatmul(argv: CxrMatmulArgs): void {
  if (argv.runtime !== undefined && argv.runtime !== 'sim') throw new RangeError(`--runtime: partition cxr runs on the simulated runtime only (got ${argv.runtime})`);
  if (argv.executor !== 'f64') throw new RangeError('--executor: partition cxr runs the float64 executor only (got tensor)');
  const variances = parseNumberList(argv.variances, '--variances', { min: 0 });
  const trials = parseInteger(argv.trials, '--trials', 1);
  const seed = parseInteger(argv.seed, '--seed', 0, 2 ** 32 - 1);
  const packetClasses = argv['packet-classes'] === undefined ? undefined : parseNumberList(argv['packet-classes'], '--packet-classes', { min: 0 });
  const opts = resolveCodedOptions({
    scheme: argv.scheme,
    partition: 'cxr',
    packets: parseInteger(argv.packets, '--packets', 1),
    packetClasses,
    granularity: argv.granularity,
    tmax: argv.tmax,
    workers: argv.workers,
    gamma: parseNumberList(argv.gamma, '--gamma'),
    ordering: argv.ordering,
    latency: { model: argv.latency as never, lambda: argv.lambda, shift: argv.shift, paretoScale: argv['pareto-scale'], paretoShape: argv['pareto-shape'], ...(argv['gamma-shape'] !== undefined ? { gammaShape: argv['gamma-shape'] } : {}) },
    K: argv.K,
  });
  const shape = opts.cxr?.shape;
  if (!shape) throw new RangeError('partition cxr options without a packet shape');
  if (variances.length !== shape.classSizes.length) {
    throw new RangeError(`--variances: partition cxr needs one variance per packet class (${shape.classSizes.length}), got ${variances.length}`);
  }
  const spec = {
    U: parseInteger(argv.U, '--U', 1),
    n: parseInteger(argv.M, '--M', 1),
    Q: parseInteger(argv.Q, '--Q', 1),
    classOf: shape.classOf,
    variances,
  };
  if (spec.n < shape.K) throw new RangeError(`--packets: K = ${shape.K} packets need --M ≥ K (got ${spec.n})`);
  reportBackend(FLOAT64_BACKEND);
  console.log(
    `partition c×r, scheme ${opts.scheme}${opts.code.usesWindows ? ` (Γ = (${opts.gamma.join(', ')}))` : ''}, W = ${opts.workers}, ${opts.latency.name}, K = ${opts.K}, ` +
      `T_max = ${opts.tmax}, A ${spec.U}×${spec.n}, B ${spec.n}×${spec.Q}, ${shape.K} packets in classes (${shape.classSizes.join(', ')}), ` +
      `variances (${variances.join(', ')}), seed ${seed}`,
  );
  const t0 = Date.now();
  const r = runCxrTrials(spec, opts, trials, new Rng(seed));
  const hw = confidenceInterval(r.loss, 1.96).halfWidth;
  console.log(`trials: ${trials} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`normalised loss: ${r.loss.mean.toFixed(4)}  (95% CI ${(r.loss.mean - hw).toFixed(4)} … ${(r.loss.mean + hw).toFixed(4)})`);
  const F = opts.latency.cdf(opts.K * opts.tmax);
  const theory = cxrExpectedLossAtProbability(opts.scheme as CxrScheme, shape.classSizes, opts.gamma, cxrEnergies(spec).energies, opts.workers, F);
  console.log(`theory (c×r, Σ_l E_l·P(class l not decoded)):  ${theory.toFixed(4)}`);
  console.log(`workers received: ${r.workersReceived.mean.toFixed(2)} of ${opts.workers} on average`);
  console.log('packets recovered per class (mean / class size): ' + r.classRecovered.map((c, l) => `class ${l + 1}: ${c.toFixed(3)}/${r.classSizes[l]}`).join(', '));
  console.log(`worst decode error (relative Frobenius, recovered packets): ${r.worstDecodeError.toExponential(2)}`);
}
