/**
 * Options of the c×r partition (resolved by options.ts resolveCodedOptions when partition = cxr):
 * K packets (default 9) and the class of each packet (default 3 classes of K/3, most important
 * first: the journal's set-up).
 */
import type { Code, PacketCode } from '../codes/code.ts';
import type { Granularity } from '../types.ts';
import { classSizesOf } from '../../util/class-table.ts';
import { OptionError } from '../../util/option-error.ts';
import { defaultPacketClasses, type PacketShape } from './packets.ts';

export const PARTITIONS = ['rxc', 'cxr'] as const;

/** Default number of packets and of packet classes. */
export const DEFAULT_PACKETS = 9;
export const DEFAULT_PACKET_CLASSES = 3;

/** The c×r options a caller may give. */
export interface PacketOptions {
  /** Number of packets K (default 9). */
  packets?: number;
  /** Class of each packet (length K, values 0..L−1 each used); default L = min(3, K) equal groups. */
  packetClasses?: number[];
}

/** Validates the c×r options for `code`; returns its packet code and the packet shape. */
export function resolvePacketShape(o: PacketOptions, code: Code, granularity: Granularity): { packetCode: PacketCode; shape: PacketShape } {
  if (!code.packets) throw new OptionError('partition', `the ${code.name} code has no c×r form; use partition rxc`);
  if (granularity !== 'class') {
    throw new OptionError('granularity', 'product granularity has no meaning with partition cxr (A and B share the packet index); use class');
  }
  const K = o.packets ?? DEFAULT_PACKETS;
  if (!Number.isInteger(K) || K < 1) throw new OptionError('packets', `must be a positive integer (got ${String(K)})`);
  const classOf = o.packetClasses ?? defaultPacketClasses(K, Math.min(DEFAULT_PACKET_CLASSES, K));
  if (classOf.length !== K || classOf.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new OptionError('packetClasses', `needs K = ${K} non-negative integer class indices, one per packet (got ${classOf.length})`);
  }
  const classSizes = classSizesOf(classOf);
  if (classSizes.some((s) => s === 0)) throw new OptionError('packetClasses', 'class indices must be 0..L−1 with every class used');
  return { packetCode: code.packets, shape: { K, classOf: [...classOf], classSizes } };
}
