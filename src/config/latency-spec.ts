/** The latency model of resolved catalogue values (`latency`, `lambda`, `shift`, `pareto*`, `gammaShape`). */
import type { LatencySpec } from '../coded-backprop/index.ts';
import type { Values } from './resolve.ts';

/**
 * The spec as given: the model text (`exponential`, `trace-pool:FILE`, `trace:FILE`, …) is
 * normalised by the engine (resolveCodedOptions), which also keeps gammaShape for the Gamma model only.
 */
export function latencySpecOf(v: Values): LatencySpec {
  return {
    model: v.latency as LatencySpec['model'],
    lambda: v.lambda as number,
    shift: v.shift as number,
    paretoScale: v.paretoScale as number,
    paretoShape: v.paretoShape as number,
    gammaShape: v.gammaShape as number,
  };
}
