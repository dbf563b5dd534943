/**
 * Run tags: a uint32 that tells one run's tasks and replies from another's on a shared server.
 * Not a random draw of the experiment (it changes no result), so it comes from the OS's
 * cryptographic generator, not from the seeded streams.
 */
import { randomBytes } from 'node:crypto';

export function newRunTag(): number {
  return randomBytes(4).readUInt32LE(0);
}
