/**
 * Options of a coded multiplication, validated once at the boundary (resolveCodedOptions);
 * everything downstream trusts the resolved form.
 */
import { getCode } from './codes/registry.ts';
import type { Code, GridShape } from './codes/code.ts';
import { DEFAULT_DECODE_TOLERANCE } from './decode.ts';
import { type LatencyModel, type LatencySpec, makeLatency, normaliseLatencyChoice, parseLatencyChoice } from './latency.ts';
import { DEFAULT_LATENCY_SEED } from './latency/site-state.ts';
import { type Assigner, type AssignmentName, makeAssigner, parseAssignment } from './assignment.ts';
import { blockLevels, classSizesOf, paperClassTable } from './partition.ts';
import { maxGridLevels } from '../util/class-table.ts';
import type { Granularity, Ordering, Partition, SchemeName } from './types.ts';
import { PARTITIONS, type PacketOptions, resolvePacketShape } from './cxr/options.ts';
import type { PacketCode } from './codes/code.ts';
import type { PacketShape } from './cxr/packets.ts';
import { TraceReplay, traceReplayPath } from './trace-replay.ts';
import { OptionError } from '../util/option-error.ts';
import { DEFAULT_ESTIMATE_FLOOR, ESTIMATES, type Estimate, type UnbiasedScaling, unbiasedScaling } from './unbiased.ts';
import { PRESETS } from '../util/presets.ts';

export const GRANULARITIES: readonly Granularity[] = ['class', 'product'];
export const ORDERINGS: readonly Ordering[] = ['l2', 'mean-abs', 'none'];
/** Γ of the paper's DNN experiment (DESIGN §6); the `dnn` preset's. */
export const DNN_GAMMA: readonly number[] = PRESETS.dnn.gamma;

export interface CodedMatMulOptions extends PacketOptions {
  scheme: SchemeName | string;
  /** rxc (row blocks of A × column blocks of B, default) or cxr (inner-dimension packets, cxr/). */
  partition?: Partition | string;
  /** Deadline T_max (> 0; Infinity waits for every worker). */
  tmax: number;
  granularity?: Granularity | string;
  /** Number of workers W; default: the code's Table III value. */
  workers?: number;
  /** Window selection distribution Γ; default the `dnn` preset's (0.45, 0.35, 0.20) when it fits, else uniform. */
  gamma?: number[];
  /** Row blocks N of A and column blocks P of B (default 3, 3). */
  rowBlocks?: number;
  colBlocks?: number;
  /** Importance levels S (default 3). */
  levels?: number;
  /** Explicit class of each C block (length N·P, values 0..L−1 each used); default the paper's table. */
  classTable?: number[];
  ordering?: Ordering | string;
  /** Latency model; default exponential with the `dnn` preset's λ. */
  latency?: Partial<LatencySpec>;
  /** Time scaling K of F(K·t); default N·P/W (the paper's "W scaling"). */
  K?: number;
  /** Compute the decode error against the exact product (costs one exact product). */
  measureError?: boolean;
  /** Decoder's relative zero tolerance. */
  tolerance?: number;
  /** Replay the worker times of a recorded trace (its W must equal `workers`). */
  replay?: TraceReplay;
  /** Which worker gets which task: random (default, the paper), fixed or adaptive (assignment.ts). */
  assign?: AssignmentName | string;
  /** plain (default) or unbiased: scale each decoded block by 1/P(recovered by T_max) (unbiased.ts). */
  estimate?: Estimate | string;
  /** Unbiased decoding's floor: blocks with P(recovered) below it are not rescaled (default 0.05). */
  estimateFloor?: number;
}

export interface ResolvedCodedOptions {
  code: Code;
  scheme: SchemeName;
  tmax: number;
  granularity: Granularity;
  workers: number;
  gamma: number[];
  grid: GridShape & { classTable?: number[] };
  ordering: Ordering;
  latencySpec: LatencySpec;
  latency: LatencyModel;
  K: number;
  measureError: boolean;
  tolerance: number;
  partition: Partition;
  /** partition cxr only: the packet code and the packet shape (`grid` then is unused). */
  cxr?: { packetCode: PacketCode; shape: PacketShape };
  /** `--latency trace:FILE`: worker times replayed from a recorded trace (trace-replay.ts). */
  replay?: TraceReplay;
  /** Task-to-worker assignment policy (assignment.ts). */
  assign: AssignmentName;
  /** Its per-site state (absent for random: the tasks as the code drew them). */
  assigner?: Assigner;
  /** How blocks are estimated (plain: as decoded). */
  estimate: Estimate;
  /** `estimate` unbiased only: P(recovered) per block and the scales applied to decoded blocks. */
  unbiased?: UnbiasedScaling;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new OptionError(name, `must be a positive integer (got ${String(v)})`);
  }
  return v;
}

function positive(name: string, v: unknown, allowInfinity = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0 || (!allowInfinity && !Number.isFinite(v))) {
    throw new OptionError(name, `must be a positive number (got ${String(v)})`);
  }
  return v;
}

function oneOf<T extends string>(name: string, v: unknown, valid: readonly T[]): T {
  if (!valid.includes(v as T)) throw new OptionError(name, `'${String(v)}' is not one of ${valid.join(', ')}`);
  return v as T;
}

/** Checks Γ is a probability vector; RangeError naming `gamma` otherwise. */
export function checkGamma(gamma: number[], name = 'gamma'): number[] {
  if (!Array.isArray(gamma) || gamma.length === 0) throw new OptionError(name, 'must be a non-empty list of probabilities');
  if (gamma.some((g) => typeof g !== 'number' || !Number.isFinite(g) || g < 0)) {
    throw new OptionError(name, `every probability must be a number ≥ 0 (got ${gamma.join(', ')})`);
  }
  const sum = gamma.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-9) throw new OptionError(name, `probabilities must sum to 1 (got ${gamma.join(', ')}, sum ${sum})`);
  return gamma;
}

/** Validates and completes the options; throws RangeError/TypeError naming the option. */
export function resolveCodedOptions(o: CodedMatMulOptions): ResolvedCodedOptions {
  const code = getCode(String(o.scheme));
  const partition = oneOf('partition', o.partition ?? 'rxc', PARTITIONS);
  const tmax = positive('tmax', o.tmax, true);
  const granularity = oneOf('granularity', o.granularity ?? 'class', GRANULARITIES);
  const cxr = partition === 'cxr' ? resolvePacketShape(o, code, granularity) : undefined;
  const ordering = oneOf('ordering', o.ordering ?? 'l2', ORDERINGS);
  const N = positiveInt('rowBlocks', o.rowBlocks ?? 3);
  const P = positiveInt('colBlocks', o.colBlocks ?? 3);
  const levels = positiveInt('levels', o.levels ?? 3);
  if (levels > maxGridLevels(N, P)) {
    throw new OptionError('levels', `must be at most ${N === 1 || P === 1 ? 'max(rowBlocks, colBlocks) on a 1-D grid' : 'min(rowBlocks, colBlocks)'} = ${maxGridLevels(N, P)} (got ${levels})`);
  }
  let classTable: number[] | undefined;
  if (o.classTable !== undefined) {
    classTable = o.classTable;
    if (classTable.length !== N * P || classTable.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new OptionError('classTable', `needs N·P = ${N * P} non-negative integer class indices (got ${classTable.length})`);
    }
    const sizes = classSizesOf(classTable);
    if (sizes.some((s) => s === 0)) throw new OptionError('classTable', 'class indices must be 0..L−1 with every class used');
  }
  const classSizes = classSizesOf(classTable ?? paperClassTable(blockLevels(N, levels), blockLevels(P, levels), levels));
  const grid = { N, P, levels, classSizes, classTable };
  const gammaLength = cxr ? cxr.shape.classSizes.length : code.usesWindows && granularity === 'class' ? classSizes.length : levels;
  const gamma = checkGamma(o.gamma ?? defaultGamma(gammaLength));
  const workers = positiveInt('workers', o.workers ?? (cxr ? cxr.packetCode.defaultWorkers(cxr.shape) : code.defaultWorkers(grid)));
  if (cxr) cxr.packetCode.check({ workers, granularity, gamma }, cxr.shape);
  else code.check({ workers, granularity, gamma }, grid);
  const lat = o.latency ?? {};
  // trace:FILE replays recorded times per call; the exponential draws are still made (and
  // discarded) so that the rng stays aligned with the recorded run's
  const replayPath = traceReplayPath(lat.model);
  const replay = o.replay ?? (replayPath !== null ? TraceReplay.load(replayPath) : undefined);
  const model = replayPath !== null ? 'exponential' : normaliseLatencyChoice(lat.model ?? 'exponential');
  const latencySpec: LatencySpec = {
    model,
    lambda: positive('lambda', lat.lambda ?? PRESETS.dnn.lambda),
    shift: lat.shift ?? 0,
    paretoScale: positive('paretoScale', lat.paretoScale ?? 1),
    paretoShape: positive('paretoShape', lat.paretoShape ?? 2),
    // only the Gamma model reads it (left out otherwise, so other models' records stay as they were)
    ...(model === 'gamma' ? { gammaShape: positive('gammaShape', lat.gammaShape ?? 2) } : {}),
    // only the models with memory read it (their state's seed, recorded with the spec)
    ...(parseLatencyChoice(model).def.stateful ? { seed: seedOf(lat.seed) } : {}),
  };
  if (!(latencySpec.shift >= 0)) throw new OptionError('shift', `must be ≥ 0 (got ${latencySpec.shift})`);
  const K = positive('K', o.K ?? (cxr ? cxr.shape.K : N * P) / workers);
  if (replay) {
    if (cxr) throw new OptionError('latency', 'trace replay is for the r×c partition (the c×r path draws its own times)');
    replay.checkWorkers(workers);
  }
  const drawn = makeLatency(latencySpec);
  if (drawn.callTimes && cxr) throw new OptionError('latency', `${parseLatencyChoice(model).def.name} keeps a state per product site and worker: it runs on the r×c partition (--partition rxc)`);
  drawn.checkWorkers?.(workers);
  const tolerance = positive('tolerance', o.tolerance ?? DEFAULT_DECODE_TOLERANCE);
  const assign = parseAssignment(o.assign ?? 'random');
  if (assign !== 'random' && cxr) throw new OptionError('assign', `'${assign}' is for the r×c partition (valid with --partition cxr: random)`);
  const assigner = makeAssigner(assign, code);
  const estimate = oneOf('estimate', o.estimate ?? 'plain', ESTIMATES);
  // 1/P(recovered) comes from the i.i.d. theory of a fresh random assignment per call
  if (estimate === 'unbiased' && assign !== 'random') throw new OptionError('estimate', `unbiased needs --assign random (got --assign ${assign}): its P(recovered) is the i.i.d. theory's (valid: ${ESTIMATES.join(', ')})`);
  if (estimate === 'unbiased' && drawn.callTimes) throw new OptionError('estimate', `unbiased needs a latency model without memory (got --latency ${parseLatencyChoice(model).def.name}): its P(recovered) is the i.i.d. theory's (valid: ${ESTIMATES.join(', ')})`);
  const resolved: ResolvedCodedOptions = {
    code,
    scheme: code.name,
    tmax,
    granularity,
    workers,
    gamma,
    grid,
    ordering,
    latencySpec,
    latency: replay ? replayLatency(replay, drawn, K) : drawn,
    K,
    measureError: o.measureError ?? false,
    tolerance,
    partition,
    ...(cxr ? { cxr } : {}),
    ...(replay ? { replay } : {}),
    assign,
    ...(assigner ? { assigner } : {}),
    estimate,
  };
  if (estimate === 'unbiased') resolved.unbiased = unbiasedScaling(resolved, o.estimateFloor ?? DEFAULT_ESTIMATE_FLOOR);
  return resolved;
}

/** The seed of a latency model's state: an integer (default DEFAULT_LATENCY_SEED). */
function seedOf(v: unknown): number {
  if (v === undefined) return DEFAULT_LATENCY_SEED;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new OptionError('seed', `the latency state's seed must be an integer (got ${String(v)})`);
  return v;
}

/** The paper's Γ when it has the right length, else uniform. */
function defaultGamma(length: number): number[] {
  return length === DNN_GAMMA.length ? [...DNN_GAMMA] : new Array<number>(length).fill(1 / length);
}

/**
 * The latency a trace replay reports: the drawn model's sampler (its draws are replaced per call by
 * the recorded times) and, for formulas, the trace's empirical CDF with F(K·t) = P(recorded < t).
 */
function replayLatency(replay: TraceReplay, drawn: LatencyModel, K: number): LatencyModel {
  return { name: `trace:${replay.path}`, sample: (rng) => drawn.sample(rng), cdf: (x) => replay.cdf(x / K) };
}
