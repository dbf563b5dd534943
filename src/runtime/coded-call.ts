/**
 * One coded product on a real runtime. The server (this process) plans the call exactly as the
 * simulator does — the same code coefficients and the same worker times, drawn from the same rng
 * in the same order — encodes each worker's W_A, W_B, hands them to the runtime and decodes only
 * what arrived by the wall-clock deadline (zeros elsewhere).
 *
 * Straggling (`timing.straggle`):
 *   'model' — worker w's reply is held until dispatch + times[w] × timeUnitMs, where times are the
 *             plan's draws (the ones `sim` compares with T_max); the deadline is T_max × timeUnitMs.
 *             So for the same seed, sim and the real runtime see the same draws and, outside a
 *             guard band around T_max sized by compute and transport time, the same received set.
 *   'none'    — no injected delay; the deadline is `deadlineMs`; stragglers are whatever the
 *             machine and network do.
 */
import type { CodedMatMulStats } from '../coded-backprop/index.ts';
import {
  type CallPlan,
  layoutFor,
  type PaddedBlocks,
  padBlocks,
  planCall,
  type ResolvedCodedOptions,
  scatterBlocks,
  statsOf,
  withhold,
  withReceived,
  decodeResults,
  UNIT_ROUNDOFF,
  type ResultSource,
} from '../coded-backprop/plan-api.ts';
import type { Rng } from '../util/rng.ts';
import type { Arrival, CallOutcome, Runtime, WorkerJob } from './runtime.ts';

export const STRAGGLE_MODES = ['model', 'none'] as const;
export type StraggleMode = (typeof STRAGGLE_MODES)[number];

/** How the wall clock relates to the model's time. */
export interface RealTiming {
  straggle: StraggleMode;
  /** Milliseconds per unit of model time (straggle 'model'). */
  timeUnitMs: number;
  /** Deadline in ms (straggle 'none'). */
  deadlineMs: number;
}

/**
 * Worker w's task: W_A = [Σ_i a_1[i]·A_i, …, Σ_i a_t[i]·A_i] (U × tM) and
 * W_B = [Σ_j b_1[j]·B_j; …; Σ_j b_t[j]·B_j] (tM × Q), from the padded float32 blocks.
 */
export function encodeJob(plan: CallPlan, w: number, blocks: PaddedBlocks<Float32Array>, delayMs: number): WorkerJob {
  const { U, M, Q } = blocks;
  const terms = plan.tasks[w].terms;
  const K = terms.length * M;
  const wa = new Float32Array(U * K);
  const wb = new Float32Array(K * Q);
  terms.forEach(({ a, b }, s) => {
    for (let i = 0; i < a.length; i++) {
      const c = a[i];
      if (c === 0) continue;
      const Ai = blocks.a[i];
      for (let u = 0; u < U; u++) {
        const dst = u * K + s * M;
        const src = u * M;
        for (let k = 0; k < M; k++) wa[dst + k] += c * Ai[src + k];
      }
    }
    for (let j = 0; j < b.length; j++) {
      const c = b[j];
      if (c === 0) continue;
      const Bj = blocks.b[j];
      const base = s * M * Q;
      for (let e = 0; e < M * Q; e++) wb[base + e] += c * Bj[e];
    }
  });
  return { worker: w, U, K, Q, wa, wb, delayMs };
}

/**
 * Ĉ (m×p, original order) from the arrived float32 products (U×Q each) and the decode of `real`,
 * through the engine's plan executor (float64 accumulation, float32 precision check).
 * @returns withheld[b]: determined but withheld for precision
 */
export function decodeInto(real: CallPlan, arrived: readonly Arrival[], U: number, Q: number, out: Float32Array, p: number): boolean[] {
  const norms = arrived.map((a) => Math.sqrt(a.product.reduce((s, v) => s + v * v, 0)));
  const source: ResultSource = {
    blockSize: U * Q,
    unitRoundoff: UNIT_ROUNDOFF.float32,
    norm: (r) => norms[r],
    addScaled(block, r, d) {
      const x = arrived[r].product;
      for (let e = 0; e < x.length; e++) block[e] += d * x[e];
    },
  };
  const decoding = decodeResults(real.decode, real.coef, source);
  scatterBlocks((b) => decoding.block(b), real.layout, Q, out, p);
  return decoding.withheld;
}

/** Result of one real coded product. */
export interface RealProduct {
  /** Ĉ: m×p row-major float32. */
  C: Float32Array;
  stats: CodedMatMulStats;
  /** The plan as the simulator drew it (its `received` is sim's decision). */
  simPlan: CallPlan;
  /** The plan decoded from what arrived. */
  realPlan: CallPlan;
  outcome: CallOutcome;
}

/** Wall-clock deadline (ms) of a call under `timing`. */
export function deadlineOf(opts: ResolvedCodedOptions, timing: RealTiming): number {
  return timing.straggle === 'model' ? opts.tmax * timing.timeUnitMs : timing.deadlineMs;
}

/**
 * Coded approximate product A·B on a real runtime. a: m×M and b: M×p row-major;
 * `tag` identifies the call within the run (step and product index).
 */
export async function codedMatMulOn(
  runtime: Runtime,
  a: ArrayLike<number>,
  m: number,
  M: number,
  b: ArrayLike<number>,
  p: number,
  opts: ResolvedCodedOptions,
  rng: Rng,
  timing: RealTiming,
  tag: { step: number; product: number },
): Promise<RealProduct> {
  if (a.length !== m * M || b.length % M !== 0 || b.length / M !== p) throw new RangeError(`codedMatMulOn: shapes ${m}×${M} · ${b.length / M}×${p} do not match the data`);
  const layout = layoutFor(a, m, M, b, p, opts);
  // an assignment policy learns from this runtime's arrivals (below), not from the drawn times
  const simPlan = planCall(layout, opts, rng, tag, false);
  const blocks = padBlocks(a, M, b, p, layout, Float32Array);
  const jobs = simPlan.tasks.map((_, w) => encodeJob(simPlan, w, blocks, timing.straggle === 'model' ? simPlan.times[w] * timing.timeUnitMs : 0));
  const outcome = await runtime.call({ step: tag.step, product: tag.product, jobs, deadlineMs: deadlineOf(opts, timing) });
  const realPlan = withReceived(simPlan, outcome.arrived.map((a) => a.worker), opts);
  // what the parameter server saw: in-time replies with their times; every other worker late (censored at the deadline)
  opts.assigner?.observe(tag.product, opts.workers, outcome.arrived.map((a) => ({ worker: a.worker, time: a.arrivedMs })), deadlineOf(opts, timing));
  const C = new Float32Array(m * p);
  const withheld = outcome.arrived.length > 0 ? decodeInto(realPlan, outcome.arrived, blocks.U, blocks.Q, C, p) : [];
  return { C, stats: withhold(statsOf(realPlan), withheld), simPlan, realPlan, outcome };
}
