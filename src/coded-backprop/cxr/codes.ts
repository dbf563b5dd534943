/**
 * The codes on the c×r packets (A_k: m×n_k, B_k: n_k×p, packet A_k·B_k: m×p), except MDS
 * (matdot.ts). Every task here is stacked: its terms pair c·A_k with B_k, so the worker returns
 * Σ c_k A_k·B_k = [c_k A_k]_k · [B_k]_k, one product of inner dimension Σ n_k with no cross terms.
 *   uncoded: W = K, worker k returns packet k;
 *   repetition: W = r·K, copy c of packet k on worker c·K + k;
 *   NOW / EW: window l ~ Γ over the classes (NOW: class l; EW: classes ≤ l), i.i.d. N(0, 1)
 *     coefficients on the window's packets.
 */
import type { CodeParams, PacketCode, Term, WorkerTask } from '../codes/code.ts';
import type { Rng } from '../../util/rng.ts';
import type { PacketShape } from './packets.ts';
import { OptionError } from '../../util/option-error.ts';

/** The stacked task Σ_k coef[k]·A_k·B_k over the packets with a non-zero coefficient. */
export function stackedTask(coef: ArrayLike<number>): WorkerTask {
  const K = coef.length;
  const terms: Term[] = [];
  for (let k = 0; k < K; k++) {
    if (coef[k] === 0) continue;
    const a = new Float64Array(K);
    const b = new Float64Array(K);
    a[k] = coef[k];
    b[k] = 1;
    terms.push({ a, b });
  }
  return { terms };
}

function unit(k: number, K: number): Float64Array {
  const c = new Float64Array(K);
  c[k] = 1;
  return c;
}

export const cxrUncoded: PacketCode = {
  defaultWorkers: ({ K }) => K,
  check({ workers }, { K }) {
    if (workers !== K) throw new OptionError('workers', `the uncoded scheme on c×r needs exactly K = ${K} workers (one per packet; got ${workers})`);
  },
  encode: (layout, { workers }) => Array.from({ length: workers }, (_, w) => stackedTask(unit(w, layout.K))),
};

export const cxrRepetition: PacketCode = {
  defaultWorkers: ({ K }) => 2 * K,
  check({ workers }, { K }) {
    if (workers < K || workers % K !== 0) {
      throw new OptionError('workers', `block repetition on c×r needs a positive multiple of K = ${K} workers (r copies of each packet; got ${workers})`);
    }
  },
  encode: (layout, { workers }) => Array.from({ length: workers }, (_, w) => stackedTask(unit(w % layout.K, layout.K))),
};

function windowTask(kind: 'now' | 'ew', classOf: number[], gamma: number[], rng: Rng): WorkerTask {
  const window = rng.categorical(gamma);
  const coef = classOf.map((c) => ((kind === 'now' ? c === window : c <= window) ? rng.normal() : 0));
  return stackedTask(coef);
}

function checkWindows(name: string, { workers, granularity, gamma }: CodeParams, { classSizes }: PacketShape): void {
  if (granularity !== 'class') {
    throw new OptionError('granularity', `${name} on c×r needs class granularity: product windows (A level × B level) have no meaning when A and B share the packet index`);
  }
  if (workers < 1) throw new OptionError('workers', `${name} needs at least 1 worker (got ${workers})`);
  if (gamma.length !== classSizes.length) {
    throw new OptionError('gamma', `Γ needs one probability for each of the ${classSizes.length} packet classes, got ${gamma.length}`);
  }
}

/** Default workers of the window codes: round(5/3 · K) (Table III's 15 for 9 blocks). */
export function windowWorkers(K: number): number {
  return Math.round((5 * K) / 3);
}

function windowCode(kind: 'now' | 'ew'): PacketCode {
  const name = kind === 'now' ? 'NOW-UEP' : 'EW-UEP';
  return {
    defaultWorkers: ({ K }) => windowWorkers(K),
    check: (params, shape) => checkWindows(name, params, shape),
    encode: (layout, { workers, gamma }, rng) => Array.from({ length: workers }, () => windowTask(kind, layout.classOf, gamma, rng)),
  };
}

export const cxrNow: PacketCode = windowCode('now');
export const cxrEw: PacketCode = windowCode('ew');
