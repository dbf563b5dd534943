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

export function planPackets(layout: PacketLayout, opts: ResolvedCodedOptions, rng: Rng): PacketPlan {
  const tasks = cxrOf(opts).packetCode.encode(layout, opts, rng);
  const times = workerTimes(opts.latency, opts.workers, opts.K, rng);
  const received = receivedBy(times, opts.tmax);
  const rows = received.map((w) => coefficientRow(tasks[w], layout.K, layout.K));
  return { layout, tasks, times, received, decode: decodePackets(rows, layout.K, opts.tolerance) };
}

/** Per-call statistics; "blocks" are the K packets, recovered = the packet's term is in Ĉ. */
export function packetStats(plan: PacketPlan): CodedMatMulStats {
  const { layout, decode } = plan;
  const classRecovered = new Array<number>(layout.classSizes.length).fill(0);
  decode.inC.forEach((ok, k) => {
    if (ok) classRecovered[layout.classOf[k]]++;
  });
  return {
    workers: plan.tasks.length,
    workersReceived: plan.received.length,
    blocksTotal: layout.K,
    blocksRecovered: decode.inC.filter(Boolean).length,
    recovered: [...decode.inC],
    blockClass: [...layout.classOf],
    classSizes: [...layout.classSizes],
    classRecovered,
    // the c×r path has no precision check yet (precision.ts): nothing is withheld
    blocksWithheld: 0,
    withheld: new Array<boolean>(layout.K).fill(false),
    classWithheld: new Array<number>(layout.classSizes.length).fill(0),
    cxr: { packetDetermined: [...decode.packetDetermined], restSum: decode.restSum },
  };
}
