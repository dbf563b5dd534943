/**
 * Which worker gets which task (`--assign random|fixed|adaptive`). A code's encode draws one task
 * per worker (NOW/EW: each worker's window from Γ, per call; the paper). An assignment policy then
 * may hand the same tasks out differently; it never changes which tasks are drawn:
 *
 *   - random (default, the paper): the tasks as the code drew them. For NOW/EW every worker's window
 *     is drawn per call; uncoded and repetition keep their fixed block-to-worker order.
 *   - fixed: per site, a worker ranking drawn once per run (on the site's first call); every call
 *     ranks its tasks by importance and gives the r-th most important to the r-th ranked worker.
 *   - adaptive: the same, ranking the workers by an estimate of P(finish by T_max) from what the
 *     parameter server observed at the site's earlier calls: an exponentially weighted mean (weight
 *     ADAPTIVE_WEIGHT on the newest call) of the in-time indicator, ties broken by an exponentially
 *     weighted mean of the observed time censored at the deadline (min(T, T_max)/T_max), then at
 *     random. Only in-time replies' times and the fact that the others were late are used — never
 *     a latency model's hidden state.
 *
 * Importance of a task, from the task and the layout only (any code): the mean class index of the
 * C blocks its coefficient row touches (class 0 the most important), ties broken by fewer blocks,
 * then by the code's order. So a NOW window of class 0, an EW window of class 0 only, an uncoded
 * or systematic task of a class-0 block rank first; a parity over every block ranks after the
 * systematic tasks of its most important blocks.
 *
 * With i.i.d. worker times the ranking is independent of the coming call's times, so adaptive and
 * fixed equal random in distribution. Codes whose tasks are interchangeable (Code.interchangeableTasks:
 * MDS) refuse fixed and adaptive.
 */
import type { Rng } from '../util/rng.ts';
import { coefficientRow, type Code, type WorkerTask } from './codes/code.ts';
import type { BlockLayout } from './partition.ts';
import { OptionError } from '../util/option-error.ts';
import { CODES } from './codes/registry.ts';

export const ASSIGNMENTS = ['random', 'fixed', 'adaptive'] as const;
export type AssignmentName = (typeof ASSIGNMENTS)[number];

/** Weight of the newest call in adaptive's exponentially weighted estimates. */
export const ADAPTIVE_WEIGHT = 0.3;

/** One reply the parameter server received in time: the worker and its time (in the deadline's units). */
export interface InTimeReply {
  worker: number;
  time: number;
}

/** An assignment policy with its per-site state (one per run). */
export interface Assigner {
  readonly name: AssignmentName;
  /** The tasks of the call at `site`, handed out to workers (result[w] is worker w's task). */
  assign(tasks: WorkerTask[], layout: BlockLayout, site: number, rng: Rng): WorkerTask[];
  /** What the parameter server saw at that call: the in-time replies; every other worker was late (censored at `deadline`). */
  observe(site: number, workers: number, inTime: readonly InTimeReply[], deadline: number): void;
  /** The state to record (per site: the estimates), for config.json. */
  record(): Record<string, unknown>;
}

/** Importance keys of tasks: [mean class of touched blocks, blocks touched]; smaller is more important. */
export function taskImportance(task: WorkerTask, layout: BlockLayout): [number, number] {
  const g = coefficientRow(task, layout.N, layout.P);
  let sum = 0;
  let count = 0;
  g.forEach((c, b) => {
    if (c !== 0) {
      sum += layout.blockClass[b];
      count++;
    }
  });
  return count === 0 ? [Infinity, 0] : [sum / count, count];
}

/** Task indices, most important first (stable: the code's order breaks remaining ties). */
export function rankTasks(tasks: readonly WorkerTask[], layout: BlockLayout): number[] {
  const keys = tasks.map((t) => taskImportance(t, layout));
  return tasks.map((_, i) => i).sort((a, b) => keys[a][0] - keys[b][0] || keys[a][1] - keys[b][1] || a - b);
}

/** Hands the ranked tasks to the ranked workers: worker order[r] gets the r-th most important task. */
function byRank(tasks: WorkerTask[], layout: BlockLayout, workerOrder: readonly number[]): WorkerTask[] {
  const ranked = rankTasks(tasks, layout);
  const out = new Array<WorkerTask>(tasks.length);
  workerOrder.forEach((w, r) => (out[w] = tasks[ranked[r]]));
  return out;
}

/** A uniformly random permutation of 0..n−1. */
function permutation(n: number, rng: Rng): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Per-site estimates of adaptive. */
interface Estimates {
  onTime: number[];
  time: number[];
  calls: number;
}

/** The policy `name` for `code` (OptionError naming --assign when the code's tasks are interchangeable). */
export function makeAssigner(name: AssignmentName, code: Code): Assigner | undefined {
  if (name === 'random') return undefined;
  if (code.interchangeableTasks) {
    const apt = CODES.filter((c) => !c.interchangeableTasks).map((c) => c.name);
    const not = CODES.filter((c) => c.interchangeableTasks).map((c) => c.name);
    throw new OptionError(
      'assign',
      `'${name}' needs tasks that differ; ${code.name}'s tasks are interchangeable (any task is as good as any other: ${not.join(', ')}), so use random with ${code.name} (valid: random; fixed and adaptive for ${apt.join(', ')})`,
    );
  }
  if (name === 'fixed') {
    const orders = new Map<number, number[]>();
    return {
      name,
      assign(tasks, layout, site, rng) {
        let order = orders.get(site);
        if (!order || order.length !== tasks.length) orders.set(site, (order = permutation(tasks.length, rng)));
        return byRank(tasks, layout, order);
      },
      observe() {},
      record: () => ({ policy: name, workerRanking: Object.fromEntries(orders) }),
    };
  }
  const sites = new Map<number, Estimates>();
  const at = (site: number, workers: number) => {
    let e = sites.get(site);
    if (!e) sites.set(site, (e = { onTime: [], time: [], calls: 0 }));
    while (e.onTime.length < workers) {
      e.onTime.push(0.5);
      e.time.push(0.5);
    }
    return e;
  };
  return {
    name,
    assign(tasks, layout, site, rng) {
      const e = at(site, tasks.length);
      // random tie-break first (a fresh permutation), then a stable sort by the estimates
      const order = permutation(tasks.length, rng).sort((a, b) => e.onTime[b] - e.onTime[a] || e.time[a] - e.time[b]);
      return byRank(tasks, layout, order);
    },
    observe(site, workers, inTime, deadline) {
      const e = at(site, workers);
      const seen = new Map(inTime.map((r) => [r.worker, r.time]));
      const a = ADAPTIVE_WEIGHT;
      for (let w = 0; w < workers; w++) {
        const t = seen.get(w);
        const ok = t !== undefined && t < deadline;
        e.onTime[w] = (1 - a) * e.onTime[w] + a * (ok ? 1 : 0);
        // censored at the deadline: a late worker is known only to exceed it
        const scaled = Number.isFinite(deadline) ? (ok ? (t as number) / deadline : 1) : (t ?? 0);
        e.time[w] = (1 - a) * e.time[w] + a * scaled;
      }
      e.calls++;
    },
    record: () => ({
      policy: name,
      weight: ADAPTIVE_WEIGHT,
      estimates: Object.fromEntries([...sites].map(([s, e]) => [s, { calls: e.calls, pOnTime: e.onTime.map((x) => Number(x.toFixed(4))) }])),
    }),
  };
}

/** Checks an --assign value. */
export function parseAssignment(v: unknown): AssignmentName {
  if (!ASSIGNMENTS.includes(v as AssignmentName)) throw new OptionError('assign', `'${String(v)}' is not one of ${ASSIGNMENTS.join(', ')}`);
  return v as AssignmentName;
}
