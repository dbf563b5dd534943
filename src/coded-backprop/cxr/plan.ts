/**
 * One coded multiplication on the c×r partition before any matrix arithmetic: packet layout,
 * the code's tasks, worker times, received set and its decoding. The rng is drawn in the same
 * order as r×c (plan.ts): code coefficients first, then worker times.
 */
import type { Rng } from '../../util/rng.ts';
import { coefficientRow, type WorkerTask } from '../codes/code.ts';
import { receivedBy, workerTimes } from '../latency.ts';
import type { ResolvedCodedOptions } from '../options.ts';
import type { CodedMatMulStats } from '../types.ts';
import { decodePackets, type PacketDecode } from './decode.ts';
import { innerScores, makePacketLayout, type PacketLayout } from './packets.ts';

export interface PacketPlan {
  layout: PacketLayout;
  tasks: WorkerTask[];
  times: Float64Array;
  /** Workers received before T_max, in arrival order. */
  received: number[];
  /** Coefficient rows (length K², index k·K + l weights A_k·B_l) of the received workers, in arrival order. */
  coef: Float64Array[];
  decode: PacketDecode;
}

/** The packet shape of resolved options; OptionError if they are not partition cxr. */
export function cxrOf(opts: ResolvedCodedOptions): NonNullable<ResolvedCodedOptions['cxr']> {
  if (!opts.cxr) throw new RangeError('c×r executor called with r×c options');
  return opts.cxr;
}

/** Packet layout of A: m×n, B: n×p (row-major data) under the options' ordering and packets. */
export function packetLayoutFor(a: ArrayLike<number>, m: number, n: number, b: ArrayLike<number>, p: number, opts: ResolvedCodedOptions): PacketLayout {
  return makePacketLayout(innerScores(a, m, n, b, p, opts.ordering), cxrOf(opts).shape);
}

/** The packet layout from inner scores (as innerScores gives them under opts.ordering). */
export function packetLayoutOfScores(scores: ArrayLike<number>, opts: ResolvedCodedOptions): PacketLayout {
  return makePacketLayout(scores, cxrOf(opts).shape);
}

export function planPackets(layout: PacketLayout, opts: ResolvedCodedOptions, rng: Rng): PacketPlan {
  const tasks = cxrOf(opts).packetCode.encode(layout, opts, rng);
  const times = workerTimes(opts.latency, opts.workers, opts.K, rng);
  const received = receivedBy(times, opts.tmax);
  const rows = received.map((w) => coefficientRow(tasks[w], layout.K, layout.K));
  return { layout, tasks, times, received, coef: rows, decode: decodePackets(rows, layout.K, opts.tolerance) };
}

/**
 * Per-call statistics; "blocks" are the K packets, recovered = the packet's term is in Ĉ.
 * withheld[k]: packet k was determined but left out of Ĉ for precision (cxr/precision.ts).
 */
export function packetStats(plan: PacketPlan, withheld: readonly boolean[] = []): CodedMatMulStats {
  const { layout, decode } = plan;
  const L = layout.classSizes.length;
  const classRecovered = new Array<number>(L).fill(0);
  const classWithheld = new Array<number>(L).fill(0);
  const held = decode.inC.map((ok, k) => ok && withheld[k] === true);
  const recovered = decode.inC.map((ok, k) => ok && !held[k]);
  recovered.forEach((ok, k) => {
    if (ok) classRecovered[layout.classOf[k]]++;
  });
  held.forEach((w, k) => {
    if (w) classWithheld[layout.classOf[k]]++;
  });
  return {
    workers: plan.tasks.length,
    workersReceived: plan.received.length,
    blocksTotal: layout.K,
    blocksRecovered: recovered.filter(Boolean).length,
    recovered,
    blockClass: [...layout.classOf],
    classSizes: [...layout.classSizes],
    classRecovered,
    blocksWithheld: held.filter(Boolean).length,
    withheld: held,
    classWithheld,
    cxr: { packetDetermined: [...decode.packetDetermined], restSum: decode.restSum },
  };
}
