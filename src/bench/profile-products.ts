/**
 * Where the time of the six coded backward products goes: a CPU profile (node:inspector) of a
 * loop over the six products of Table II, its self time grouped by what each function does.
 * Functions the JIT inlines are counted in their caller; the groups are therefore approximate
 * at their edges, but each is dominated by the functions named in it.
 */
import { Session, type Profiler } from 'node:inspector';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, type ResolvedCodedOptions } from '../coded-backprop/index.ts';
import type { Rng } from '../util/rng.ts';
import type { BenchProduct } from './table-ii.ts';

/** A group of the profile: a name and the test that puts a profile node in it. */
interface Group {
  name: string;
  matches(fn: string, url: string): boolean;
}

const has = (names: string[]) => (fn: string) => names.includes(fn);

/** The functions of src/coded-backprop/kernels/*.wat (their name section names them in a profile). */
const HEAP_KERNEL_FUNCTIONS = /^\$?(row_sq|col_sq|axpy_strided|sumsq_strided|combine_runs|gather_cols|gather_cols_axpy|add_rows|scatter_part|scatter_block|zero_region)$/;

/**
 * In order: the first group that matches a node takes it. The lists also name functions of the
 * path before issue 10 (padBlocks, axpy32, scatterBlocks, …), so the same grouping profiles a
 * checkout of that commit for the before/after table.
 */
export const PROFILE_GROUPS: readonly Group[] = [
  {
    name: 'heap kernels (ours: norms, moves, decode)',
    matches: (fn, url) => HEAP_KERNEL_FUNCTIONS.test(fn) || /kernels\/heap-kernels\.ts/.test(url),
  },
  { name: 'wasm kernels (the products)', matches: (fn, url) => url.startsWith('wasm') || fn.startsWith('wasm-function') },
  { name: 'ordering (norms, split)', matches: has(['axisScores', 'scoresF32', 'scoresAny', 'splitAxis', 'assignParts', 'kthLargest', 'layoutFor', 'makeLayout']) },
  {
    name: 'plan (code, worker times, decoder)',
    matches: (fn, url) => /codes\/|decode\.ts|least-squares\.ts|latency|rng\.ts|plan\.ts|class-table\.ts/.test(url) && !/plan-executor/.test(url) && fn !== 'soleNonzero',
  },
  {
    name: 'encoding and cutting (JS)',
    matches: has(['padBlocks', 'addRows', 'copyRows', 'copyColumns', 'gatherColumns', 'axpy32', 'axpyStrided', 'stage']),
  },
  {
    name: 'decoding and un-ordering (JS)',
    matches: (fn, url) =>
      /plan-executor\.ts|precision\.ts/.test(url) ||
      ['scatterBlocks', 'scatterBlock', 'scatterPart', 'soleNonzero', 'axpy64', 'axpyFromStrided', 'addScaledRun', 'addScaledStrided', 'norm'].includes(fn),
  },
  { name: 'executor bookkeeping and inlined loops', matches: (_fn, url) => /execute-tensor\.ts|tensor-io\.ts/.test(url) },
  { name: 'tfjs (ops, tensors, downloads)', matches: (_fn, url) => /@tensorflow/.test(url) },
  { name: 'garbage collection', matches: (fn) => fn === '(garbage collector)' },
];

export interface ProfileRow {
  group: string;
  /** Self time per call of the six products, µs. */
  us: number;
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

/**
 * Profiles `calls` rounds of the six coded products (`opts`, coefficients and times from `rng`),
 * after `warmup` unprofiled rounds. Returns µs per round by group ('other' last), and the total.
 */
export async function profileProducts(products: BenchProduct[], opts: ResolvedCodedOptions, rng: Rng, calls: number, warmup = 200): Promise<{ rows: ProfileRow[]; totalUs: number }> {
  const round = (k: number) => {
    for (const prod of products) {
      const [a, b] = prod.pairs[k % prod.pairs.length];
      const { C } = codedMatMul(a, b, opts, rng);
      C.dataSync();
      C.dispose();
    }
  };
  for (let k = 0; k < warmup; k++) round(k);
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    for (let k = 0; k < calls; k++) round(k);
    const { profile } = await post<{ profile: Profiler.Profile }>(session, 'Profiler.stop');
    return groupProfile(profile, calls);
  } finally {
    session.disconnect();
  }
}

/** Self time of a profile by group, µs per call. Idle and program time are left out. */
export function groupProfile(profile: Profiler.Profile, calls: number): { rows: ProfileRow[]; totalUs: number } {
  const self = new Map<number, number>();
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0)));
  const totals = new Map<string, number>([...PROFILE_GROUPS.map((g): [string, number] => [g.name, 0]), ['other JS', 0]]);
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const fn = node.callFrame.functionName;
    const url = node.callFrame.url;
    // idle, the VM's own bookkeeping and the profiler's message dispatch are not the products' time
    if (fn === '(idle)' || fn === '(program)' || fn === '(root)' || (fn === 'dispatch' && url === '')) continue;
    const group = PROFILE_GROUPS.find((g) => g.matches(fn, url))?.name ?? 'other JS';
    totals.set(group, totals.get(group)! + us);
  }
  const rows = [...totals].map(([group, us]) => ({ group, us: us / calls }));
  return { rows, totalUs: rows.reduce((s, r) => s + r.us, 0) };
}

/** The exact products of the same inputs, timed (µs per round of six) for the table's reference line. */
export function timeExact(products: BenchProduct[], calls: number, warmup = 200): number {
  const round = (k: number) => {
    for (const prod of products) {
      const [a, b] = prod.pairs[k % prod.pairs.length];
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    }
  };
  for (let k = 0; k < warmup; k++) round(k);
  const t0 = performance.now();
  for (let k = 0; k < calls; k++) round(k);
  return ((performance.now() - t0) * 1000) / calls;
}
