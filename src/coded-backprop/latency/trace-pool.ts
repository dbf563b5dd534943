/**
 * `trace-pool:FILE`: worker times bootstrapped from a recorded arrival trace's task times
 * (./trace.ts: task time = replied − dispatched, converted to single-worker model time by the time
 * unit and the recorded K; tasks that never replied are +∞, "never arrives").
 *
 * sample(rng) draws one of the trace's n tasks uniformly (with replacement) from the seeded Rng;
 * cdf(t) is the empirical CDF #{tasks with time ≤ t}/n (censored tasks count in n, so the CDF
 * tops out at the fraction that replied), so the theory formulas use the trace's own behaviour.
 * (The simulator counts T_w < T_max; the two differ only at the pool's own atoms.)
 *
 * W/K scaling: like every model, a run with time scaling K uses times T/K (CDF F(K·t)). The pool
 * is multiplied by the recorded K_rec, so with the recorded W and K it replays the measured
 * per-task times, and other schemes or W are compared on the same measured behaviour under the
 * paper's W scaling (per-task time ∝ 1/K). Give `,k=1` to pool the per-task times as they are.
 *
 * Argument: `FILE[,unit-ms=MS][,k=K]`; without them the time unit and K come from a config.json
 * beside the trace (a `train` run directory), else 50 ms (the runtimes' default) and K = 1.
 */
import { basename } from 'node:path';
import type { LatencyModel, LatencyModelDef } from './model.ts';
import { countAtMost, parseTraceArg, readTraceTimesCached, traceTaskCount, type TraceTimes } from './trace.ts';

/** The pooled model of a trace's task times. */
export function tracePool(data: TraceTimes): LatencyModel {
  const times = data.times;
  const n = traceTaskCount(data);
  return {
    name:
      `trace-pool(${basename(data.file)}: ${times.length} times` +
      `${data.censored ? ` + ${data.censored} never replied` : ''}, unit ${data.timeUnitMs} ms, ×K ${data.K})`,
    sample: (rng) => {
      const i = rng.int(n);
      return i < times.length ? times[i] : Infinity;
    },
    cdf: (t) => countAtMost(times, t) / n,
  };
}

function load(arg: string | undefined): TraceTimes {
  const { file, options } = parseTraceArg(arg ?? '');
  return readTraceTimesCached(file, options, 'latency');
}

export const tracePoolModel = {
  name: 'trace-pool',
  params: [],
  describe: 'bootstrap from a recorded trace\'s task times (FILE[,unit-ms=MS][,k=K]; empirical CDF, no reply = never arrives)',
  arg: { placeholder: 'FILE', validate: (arg: string) => void load(arg), file: (arg: string) => parseTraceArg(arg).file },
  check: (_p, arg?) => void load(arg),
  create: (_p, arg?) => tracePool(load(arg)),
} as const satisfies LatencyModelDef<'trace-pool'>;
