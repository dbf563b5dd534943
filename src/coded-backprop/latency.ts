/**
 * Worker completion times: the latency-model registry (./latency/, one file per model) and the
 * draw of W workers' times. A model gives the time of one worker doing the whole single-worker
 * task; with W workers the CDF is F(K·t) (K = NP/W by default, the paper's "W scaling"), i.e.
 * every time is divided by K. Received set at deadline T_max: {w : T_w < T_max}.
 */
import type { Rng } from '../util/rng.ts';
import type { LatencyModel } from './latency/model.ts';

export type { LatencyModel, LatencyModelDef, LatencyParams } from './latency/model.ts';
export {
  LATENCY_CHOICES,
  LATENCY_DEFS,
  LATENCY_MODELS,
  getLatencyModel,
  latencyChoiceProblem,
  latencyFilePath,
  makeLatency,
  normaliseLatencyChoice,
  parseLatencyChoice,
  type LatencyChoice,
  type LatencyName,
  type LatencySpec,
} from './latency/registry.ts';
export { exponential } from './latency/exponential.ts';
export { shiftedExponential } from './latency/shifted-exponential.ts';
export { pareto } from './latency/pareto.ts';
export { gamma } from './latency/gamma.ts';
export { tracePool } from './latency/trace-pool.ts';
export { burstTraceTimes, isBurstFile, readBurstFile } from './latency/bursts.ts';
export { DEFAULT_TRACE_TIME_UNIT_MS, parseTraceArg, readTraceTimes, traceTaskCount, type TraceReadOptions, type TraceTimes } from './latency/trace.ts';
export { FITTED_MODELS, bestFit, fitLatencyModels, ksDistance, type FittedModel, type LatencyFit } from './latency/fit.ts';

/**
 * Completion times of W workers with CDF F(K·t): Float64Array of length W. A model with memory
 * (callTimes) draws the next call of product site `site` from its own state (the rng is then not
 * used); without `site` it draws W i.i.d. times from its stationary marginal.
 */
export function workerTimes(model: LatencyModel, workers: number, K: number, rng: Rng, site?: number): Float64Array {
  if (model.callTimes && site !== undefined) {
    const t = model.callTimes(site, workers);
    for (let w = 0; w < workers; w++) t[w] /= K;
    return t;
  }
  const t = new Float64Array(workers);
  for (let w = 0; w < workers; w++) t[w] = model.sample(rng) / K;
  return t;
}

/** Indices of the workers that arrive strictly before the deadline, in order of arrival. */
export function receivedBy(times: Float64Array, tmax: number): number[] {
  const got: number[] = [];
  for (let w = 0; w < times.length; w++) if (times[w] < tmax) got.push(w);
  got.sort((a, b) => times[a] - times[b] || a - b);
  return got;
}
