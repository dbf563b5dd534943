/**
 * Monte Carlo of the REAL codes on the c×r (inner-dimension) partition, in the style of Figs. 3–4
 * (the journal's c×r figures). One trial:
 *  1. draws A: U×n and B: n×Q, the inner indices of packet k (floor-rule bounds of n/K) with entry
 *     variance variances[class of k] in A's columns and B's rows (workloads/cxr-trials.ts);
 *  2. draws the W worker times once (Exp(λK), shared by every line) and sorts the arrivals;
 *  3. for every scheme: lays out the packets with the engine (packetLayoutFor, the `ordering`),
 *     encodes them with the code's c×r form and, after each arrival k = 1..W, decodes the received
 *     coefficient rows with the engine's packet decoder (decodePackets); when the set of packets
 *     in Ĉ grows, Ĉ = Σ_r d[r]·R_r is rebuilt from the real worker products R_r (float64, each
 *     computed once, when a decode vector first uses it), and the loss is ‖C − Ĉ‖²/E‖C‖².
 * The formula beside it is src/theory/cxr.ts: Σ_l E_l·P(class l not decoded | N)/Σ E_l.
 *
 * Randomness as in run.ts: chunks of CHUNK_TRIALS trials, chunk c seeded from (seed, c), a data
 * stream (A, B, times) and one code stream per scheme; results depend only on (setup, schemes,
 * trials, seed). One thread (the c×r trials are cheap at the small sizes the figure uses).
 */
import {
  coefficientRow,
  decodePackets,
  getCode,
  packetLayoutFor,
  packetWorkerProduct,
  padPackets,
  resolveCodedOptions,
  workerTimes,
  type Ordering,
  type ResolvedCodedOptions,
} from '../coded-backprop/plan-api.ts';
import { cxrExpectedLossAtProbability, cxrLossVsReceived, exponentialCdf, type CxrScheme } from '../theory/index.ts';
import { classSizesOf } from '../util/class-table.ts';
import { matmul } from '../util/matrix.ts';
import { Rng, streamSeed } from '../util/rng.ts';
import { MeanAccumulator, type MeanEstimate } from '../util/stats.ts';
import { cxrEnergies, drawCxrPair, type CxrSpec } from '../workloads/cxr-trials.ts';
import { CHUNK_TRIALS } from './run.ts';

/** Schemes of the c×r Monte Carlo (every code with a c×r form and a c×r formula). */
export const CXR_MC_SCHEMES = ['now', 'ew', 'mds', 'uncoded', 'rep'] as const satisfies readonly CxrScheme[];
export type CxrMcScheme = (typeof CXR_MC_SCHEMES)[number];

/** One c×r Monte Carlo experiment (except trials and seed). */
export interface CxrMonteCarloSetup {
  /** Rows of A and columns of B. */
  U: number;
  Q: number;
  /** Inner dimension n (packets at floor(k·n/K): equal when K divides n). */
  n: number;
  /** Class of each packet (length K; classes 0..L−1, each used). */
  classOf: readonly number[];
  /** Entry variance of each class (length L), in A's columns and B's rows of its packets. */
  variances: readonly number[];
  workers: number;
  lambda: number;
  /** Time scaling: worker times Exp(λ·K). */
  K: number;
  /** Class-window distribution Γ of NOW/EW (length L). */
  gamma: readonly number[];
  /** Inner-index ordering before packing ('none': packets are the drawn ones, as the formula assumes). */
  ordering: Ordering;
}

/** The journal's c×r setup (Figs_8_9_10_cxr.m): U = Q = 900, 9 packets of 100 in classes (3, 3, 3), σ² = (10, 1, 0.1), W = 30, λ = 1, Γ = (0.40, 0.35, 0.25). */
export const JOURNAL_CXR_SETUP: Readonly<CxrMonteCarloSetup> = Object.freeze({
  U: 900,
  Q: 900,
  n: 900,
  classOf: [0, 0, 0, 1, 1, 1, 2, 2, 2],
  variances: [10, 1, 0.1],
  workers: 30,
  lambda: 1,
  K: 1,
  gamma: [0.4, 0.35, 0.25],
  ordering: 'none' as Ordering,
});

/** Result of one scheme. */
export interface CxrLineResult {
  scheme: CxrMcScheme;
  /** Normalised loss after N = 0..W results. */
  byReceived: MeanEstimate[];
  /** Normalised loss at each deadline. */
  byTime: MeanEstimate[];
  /** Trials in which every packet was in Ĉ after all W results. */
  fullTrials: number;
  /** Largest ‖Ĉ − Σ_{k in Ĉ} A_kB_k‖²/‖C‖² after all W results (decode rounding). */
  maxFinalLoss: number;
}

export interface CxrSimulationResult {
  setup: CxrMonteCarloSetup;
  trials: number;
  seed: number;
  times: number[];
  expectedEnergy: number;
  /** Mean ‖C‖²/E‖C‖² (≈ 1). */
  energy: MeanEstimate;
  lines: CxrLineResult[];
}

function spec(setup: CxrMonteCarloSetup): CxrSpec {
  return { U: setup.U, n: setup.n, Q: setup.Q, classOf: setup.classOf, variances: setup.variances };
}

/** Class sizes (packets per class). */
export function cxrClassSizes(setup: CxrMonteCarloSetup): number[] {
  return classSizesOf(setup.classOf);
}

/** The engine's options of one scheme, with its workers (deadline ∞: the Monte Carlo grows the received set itself). */
export function resolveCxrLine(setup: CxrMonteCarloSetup, scheme: CxrMcScheme): ResolvedCodedOptions {
  return resolveCodedOptions({
    scheme,
    partition: 'cxr',
    packets: setup.classOf.length,
    packetClasses: [...setup.classOf],
    workers: cxrSchemeWorkers(setup, scheme),
    gamma: [...setup.gamma],
    tmax: Infinity,
    ordering: setup.ordering,
    latency: { model: 'exponential', lambda: setup.lambda },
    K: setup.K,
  });
}

/**
 * The workers W of one scheme: the setup's, except for uncoded and rep when the setup's W does not
 * fit the packet code (uncoded: W = K; rep: a positive multiple of K); then the PacketCode's
 * default (uncoded K, rep 2K). Every worker's time is Exp(λ·K_time) (the setup's K) for every scheme.
 */
export function cxrSchemeWorkers(setup: CxrMonteCarloSetup, scheme: CxrMcScheme): number {
  if (scheme !== 'uncoded' && scheme !== 'rep') return setup.workers;
  const pc = getCode(scheme).packets!;
  const shape = { K: setup.classOf.length, classOf: [...setup.classOf], classSizes: cxrClassSizes(setup) };
  try {
    pc.check({ workers: setup.workers, granularity: 'class', gamma: [...setup.gamma] }, shape);
    return setup.workers;
  } catch {
    return pc.defaultWorkers(shape);
  }
}

/** The setup as one scheme runs it: with its workers ({@link cxrSchemeWorkers}). */
export function cxrSchemeSetup(setup: CxrMonteCarloSetup, scheme: CxrMcScheme): CxrMonteCarloSetup {
  const workers = cxrSchemeWorkers(setup, scheme);
  return workers === setup.workers ? setup : { ...setup, workers };
}

/**
 * {@link simulateCxr} for schemes that may use different worker counts: one run per distinct W
 * (same trials, seed and times), merged in the order of `schemes`; `setup` and the energy check
 * are the first run's. Each scheme's byReceived has its own W + 1 entries.
 */
export function simulateCxrByWorkers(
  setup: CxrMonteCarloSetup,
  schemes: readonly CxrMcScheme[],
  options: { trials: number; seed: number; times?: readonly number[]; onProgress?: (done: number, total: number) => void },
): CxrSimulationResult & { workers: Record<string, number> } {
  const groups = new Map<number, CxrMcScheme[]>();
  for (const s of schemes) {
    const w = cxrSchemeWorkers(setup, s);
    groups.set(w, [...(groups.get(w) ?? []), s]);
  }
  const entries = [...groups.entries()];
  const results = entries.map(([workers, group], gi) => {
    const cb = options.onProgress;
    return simulateCxr({ ...setup, workers }, group, { ...options, ...(cb ? { onProgress: (d: number, n: number) => cb(gi * n + d, entries.length * n) } : {}) });
  });
  const byScheme = new Map(results.flatMap((r) => r.lines.map((l) => [l.scheme, l] as const)));
  return {
    ...results[0],
    setup,
    lines: schemes.map((s) => byScheme.get(s)!),
    workers: Object.fromEntries(schemes.map((s) => [s, cxrSchemeWorkers(setup, s)])),
  };
}

/** Validates a setup (RangeError / OptionError naming the field). */
export function checkCxrSetup(setup: CxrMonteCarloSetup, schemes: readonly CxrMcScheme[]): void {
  for (const [name, v] of [['U', setup.U], ['Q', setup.Q], ['n', setup.n], ['workers', setup.workers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: must be an integer ≥ 1, got ${String(v)}`);
  }
  if (setup.classOf.length > setup.n) throw new RangeError(`packets: K = ${setup.classOf.length} is larger than the inner dimension n = ${setup.n}`);
  const L = cxrClassSizes(setup).length;
  if (setup.variances.length !== L) throw new RangeError(`variances: need one per class (${L}), got ${setup.variances.length}`);
  if (setup.variances.some((v) => !(v >= 0 && Number.isFinite(v))) || !setup.variances.some((v) => v > 0)) {
    throw new RangeError('variances: must be finite, ≥ 0, at least one > 0');
  }
  for (const s of schemes) resolveCxrLine(setup, s);
}

/** Formula: normalised loss after N = 0..W received results (W: the scheme's, {@link cxrSchemeWorkers}). */
export function cxrTheoryVsReceived(setup: CxrMonteCarloSetup, scheme: CxrMcScheme): Float64Array {
  return cxrLossVsReceived(scheme, cxrClassSizes(setup), setup.gamma, cxrEnergies(spec(setup)).energies, cxrSchemeWorkers(setup, scheme));
}

/** Formula: normalised loss at each deadline t with the scheme's W (a worker is in when T_w < t, F = 1 − e^{−λKt}). */
export function cxrTheoryVsTime(setup: CxrMonteCarloSetup, scheme: CxrMcScheme, times: readonly number[]): number[] {
  const sizes = cxrClassSizes(setup);
  const { energies } = cxrEnergies(spec(setup));
  const W = cxrSchemeWorkers(setup, scheme);
  return times.map((t) => cxrExpectedLossAtProbability(scheme, sizes, setup.gamma, energies, W, exponentialCdf(setup.lambda, setup.K, t)));
}

function countBefore(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The c×r Monte Carlo: `trials` trials of every scheme; the normalised loss after each number
 * received (0..W) and at each deadline of `times`.
 */
export function simulateCxr(
  setup: CxrMonteCarloSetup,
  schemes: readonly CxrMcScheme[],
  options: { trials: number; seed: number; times?: readonly number[]; onProgress?: (done: number, total: number) => void },
): CxrSimulationResult {
  const { trials, seed } = options;
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials: must be an integer ≥ 1, got ${String(trials)}`);
  if (schemes.length === 0 || new Set(schemes).size !== schemes.length) throw new RangeError('schemes: give each scheme once, at least one');
  checkCxrSetup(setup, schemes);
  for (const s of schemes) {
    const w = cxrSchemeWorkers(setup, s);
    if (w !== setup.workers) throw new RangeError(`schemes: ${s} runs with W = ${w} workers, not the setup's ${setup.workers}: run it on its own (simulateCxrByWorkers groups the schemes by W)`);
  }
  const times = [...(options.times ?? [])];
  const W = setup.workers;
  const Kp = setup.classOf.length;
  const sp = spec(setup);
  const expected = cxrEnergies(sp).total;
  const norm = 1 / expected;
  const opts = schemes.map((s) => resolveCxrLine(setup, s));
  const energy = new MeanAccumulator(1);
  const byReceived = schemes.map(() => new MeanAccumulator(W + 1));
  const byTime = schemes.map(() => new MeanAccumulator(times.length));
  const fullTrials = schemes.map(() => 0);
  const maxFinal = schemes.map(() => 0);
  const atTime = new Float64Array(times.length);
  const order = new Int32Array(W);
  let done = 0;
  for (let c = 0; done < trials; c++) {
    const count = Math.min(CHUNK_TRIALS, trials - done);
    const data = new Rng(streamSeed(seed, 'cxr-data', c));
    const lineRngs = schemes.map((s) => new Rng(streamSeed(seed, `cxr-code:${s}`, c)));
    for (let n = 0; n < count; n++) {
      const { A, B } = drawCxrPair(sp, data);
      const exact = matmul(A, B).data;
      let e = 0;
      for (const x of exact) e += x * x;
      energy.add([e * norm]);
      const wt = workerTimes(opts[0].latency, W, opts[0].K, data);
      for (let w = 0; w < W; w++) order[w] = w;
      order.sort((a, b) => wt[a] - wt[b] || a - b);
      const sorted = Float64Array.from(order, (w) => wt[w]);
      const counts = times.map((t) => countBefore(sorted, t));
      schemes.forEach((_, li) => {
        const o = opts[li];
        const layout = packetLayoutFor(A.data, setup.U, setup.n, B.data, setup.Q, o);
        const pk = padPackets(A, B, layout);
        const tasks = o.cxr!.packetCode.encode(layout, o, lineRngs[li]);
        const rows = tasks.map((task) => coefficientRow(task, Kp, Kp));
        const products = new Map<number, Float64Array>();
        const lossAfter = new Float64Array(W + 1);
        let loss = e;
        lossAfter[0] = loss * norm;
        let inCount = 0;
        for (let k = 1; k <= W; k++) {
          if (inCount < Kp) {
            const received = Array.from(order.subarray(0, k));
            const dec = decodePackets(received.map((w) => rows[w]), Kp, o.tolerance);
            const now = dec.inC.filter(Boolean).length;
            if (now > inCount) {
              inCount = now;
              const chat = new Float64Array(exact.length);
              received.forEach((w, r) => {
                const dr = dec.d[r];
                if (dr === 0) return;
                let R = products.get(w);
                if (!R) {
                  R = packetWorkerProduct(tasks[w], pk);
                  products.set(w, R);
                }
                for (let x = 0; x < R.length; x++) chat[x] += dr * R[x];
              });
              loss = 0;
              for (let x = 0; x < exact.length; x++) loss += (exact[x] - chat[x]) ** 2;
            }
          }
          lossAfter[k] = loss * norm;
        }
        if (inCount === Kp) {
          fullTrials[li]++;
          maxFinal[li] = Math.max(maxFinal[li], e > 0 ? loss / e : 0);
        }
        byReceived[li].add(lossAfter);
        counts.forEach((m, g) => (atTime[g] = lossAfter[m]));
        byTime[li].add(atTime);
      });
    }
    done += count;
    options.onProgress?.(done, trials);
  }
  return {
    setup,
    trials,
    seed,
    times,
    expectedEnergy: expected,
    energy: energy.estimate(0),
    lines: schemes.map((scheme, li) => ({
      scheme,
      byReceived: byReceived[li].estimates(),
      byTime: byTime[li].estimates(),
      fullTrials: fullTrials[li],
      maxFinalLoss: maxFinal[li],
    })),
  };
}
