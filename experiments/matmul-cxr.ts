/**
 * The c×r branch of `npm run matmul` (--partition cxr): A: U×M and B: M×Q cut along the inner
 * dimension into --packets packets, packet classes from --packet-classes, entry variance of a
 * packet = --variances[its class]. Prints the Monte Carlo loss with its 95% CI beside the c×r
 * formula Σ_l E_l·P(class l not decoded) (src/theory/cxr.ts).
 */
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { latencySpecOf, OptionError, type Values } from '../src/config/index.ts';
import { cxrExpectedLossAtProbability, type CxrScheme } from '../src/theory/index.ts';
import { confidenceInterval } from '../src/util/stats.ts';
import { Rng } from '../src/util/rng.ts';
import { cxrEnergies, runCxrTrials } from '../src/workloads/cxr-trials.ts';
import { FLOAT64_BACKEND, reportBackend } from './cli-common.ts';

/**
 * @param v matmul's resolved catalogue values
 * @param workers W (undefined: the code's own, as matmul decides)
 * @param runtime matmul's --runtime (c×r runs on the simulated one only)
 * @throws OptionError naming the option
 */
export function cxrMatmul(v: Values, workers: number | undefined, runtime: string): void {
  if (runtime !== 'sim') throw new OptionError('runtime', `partition cxr runs on the simulated runtime only (got ${runtime})`);
  if (v.executor !== 'f64') throw new OptionError('executor', `partition cxr runs the float64 executor only (got ${String(v.executor)})`);
  const variances = v.variances as number[];
  const trials = v.trials as number;
  const seed = v.seed as number;
  const opts = resolveCodedOptions({
    scheme: v.scheme as string,
    partition: 'cxr',
    packets: v.packets as number,
    packetClasses: (v.packetClasses as number[] | null) ?? undefined,
    granularity: v.granularity as string,
    tmax: v.tmax as number,
    workers,
    gamma: v.gamma as number[],
    ordering: v.ordering as string,
    latency: latencySpecOf(v),
    K: v.K as number,
  });
  const shape = opts.cxr?.shape;
  if (!shape) throw new Error('partition cxr options without a packet shape');
  if (variances.length !== shape.classSizes.length) {
    throw new OptionError('variances', `partition cxr needs one variance per packet class (${shape.classSizes.length}), got ${variances.length}`);
  }
  const spec = { U: v.U as number, n: v.M as number, Q: v.Q as number, classOf: shape.classOf, variances };
  if (spec.n < shape.K) throw new OptionError('packets', `K = ${shape.K} packets need --M ≥ K (got ${spec.n})`);
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
