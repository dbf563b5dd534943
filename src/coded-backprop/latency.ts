/**
 * Worker completion-time models. A model gives the time of one worker doing the whole
 * single-worker task; with W workers the CDF is F(K·t) (K = NP/W by default, the paper's
 * "W scaling"), i.e. every time is divided by K. Received set at deadline T_max: {w : T_w < T_max}.
 */
import type { Rng } from '../util/rng.ts';

export interface LatencyModel {
  readonly name: string;
  /** One draw of the single-worker completion time. */
  sample(rng: Rng): number;
  /** CDF F(t) of the single-worker time (used by the theory). */
  cdf(t: number): number;
}

/** F(t) = 1 − e^{−λt}. */
export function exponential(lambda: number): LatencyModel {
  return {
    name: `exponential(λ=${lambda})`,
    sample: (rng) => rng.exponential(lambda),
    cdf: (t) => (t <= 0 ? 0 : 1 - Math.exp(-lambda * t)),
  };
}

/** F(t) = 1 − e^{−λ(t − shift)} for t ≥ shift: a fixed start-up time plus an exponential tail. */
export function shiftedExponential(lambda: number, shift: number): LatencyModel {
  return {
    name: `shifted-exponential(λ=${lambda}, shift=${shift})`,
    sample: (rng) => shift + rng.exponential(lambda),
    cdf: (t) => (t <= shift ? 0 : 1 - Math.exp(-lambda * (t - shift))),
  };
}

/** Pareto with scale xm and shape α: F(t) = 1 − (xm/t)^α for t ≥ xm (heavy-tailed stragglers). */
export function pareto(xm: number, alpha: number): LatencyModel {
  return {
    name: `pareto(xm=${xm}, α=${alpha})`,
    sample: (rng) => xm / Math.pow(1 - rng.uniform(), 1 / alpha),
    cdf: (t) => (t <= xm ? 0 : 1 - Math.pow(xm / t, alpha)),
  };
}

export const LATENCY_MODELS = ['exponential', 'shifted-exponential', 'pareto'] as const;
export type LatencyName = (typeof LATENCY_MODELS)[number];

/** Parameters of the latency models, as the command line gives them. */
export interface LatencySpec {
  model: LatencyName;
  /** Rate λ of the exponential part. */
  lambda: number;
  /** Start-up time of the shifted exponential. */
  shift: number;
  /** Pareto scale xm and shape α. */
  paretoScale: number;
  paretoShape: number;
}

export function makeLatency(spec: LatencySpec): LatencyModel {
  switch (spec.model) {
    case 'exponential':
      return exponential(spec.lambda);
    case 'shifted-exponential':
      return shiftedExponential(spec.lambda, spec.shift);
    case 'pareto':
      return pareto(spec.paretoScale, spec.paretoShape);
  }
}

/** Completion times of W workers with CDF F(K·t): Float64Array of length W. */
export function workerTimes(model: LatencyModel, workers: number, K: number, rng: Rng): Float64Array {
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
