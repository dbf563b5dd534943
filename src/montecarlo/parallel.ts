/**
 * The Monte Carlo on several threads. Chunks (run.ts, CHUNK_TRIALS trials each, with their
 * own random streams) are handed out to worker threads one at a time and merged in chunk
 * order, so the result is bit-for-bit the one {@link simulate} gives in one thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { chunkFromState, type ChunkState, type ChunkStats } from './chunks.ts';
import { finishRun, planRun, simulate, type SimulationOptions, type SimulationResult } from './run.ts';
import { lineWorkers, type LineSpec, type MonteCarloSetup } from './setup.ts';
import type { ChunkRequest } from './worker.ts';

/** Options of {@link simulateParallel}. */
export interface ParallelOptions extends SimulationOptions {
  /** Worker threads; default the machine's available parallelism; 1 runs in this thread. */
  threads?: number;
}

/**
 * Source of the worker entry: worker threads do not inherit tsx's module hooks, so the worker
 * first registers tsx's ESM loader, then imports worker.ts.
 */
function workerBootstrap(): string {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); });`;
}

/** Default number of threads: the available parallelism, at least 1. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Like {@link simulate}, on `threads` worker threads (the same numbers for any thread count).
 * Falls back to this thread when threads ≤ 1 or there is a single chunk.
 */
export async function simulateParallel(
  setup: MonteCarloSetup,
  lines: readonly LineSpec[],
  options: ParallelOptions,
): Promise<SimulationResult> {
  const plan = planRun(setup, lines, options);
  const threads = options.threads ?? defaultThreads();
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads: must be an integer ≥ 1, got ${String(threads)}`);
  }
  const nChunks = plan.chunkSizes.length;
  if (threads === 1 || nChunks === 1) return simulate(setup, lines, options);

  const results: (ChunkStats | undefined)[] = new Array(nChunks);
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = Math.min(threads, nChunks);
      const start = (worker: Worker) => {
        const send = () => {
          if (next < nChunks) {
            const chunk = next++;
            worker.postMessage({ chunk, count: plan.chunkSizes[chunk] } satisfies ChunkRequest);
          } else {
            worker.postMessage(null satisfies ChunkRequest);
            if (--running === 0) resolve();
          }
        };
        worker.on('message', (msg: { chunk: number; state: ChunkState }) => {
          results[msg.chunk] = chunkFromState(msg.state);
          done += plan.chunkSizes[msg.chunk];
          options.onProgress?.(done, plan.trials);
          send();
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`Monte Carlo worker thread exited with code ${code}`));
        });
        send();
      };
      for (let i = 0; i < running; i++) {
        const worker = new Worker(workerBootstrap(), { eval: true, workerData: plan });
        workers.push(worker);
        start(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return finishRun(plan, results as ChunkStats[]);
}

/**
 * {@link simulateParallel} for lines that may use different worker counts (uncoded and rep with
 * their own W, setup.ts lineWorkers): one run per distinct W, each with the setup at that W and
 * the same options (seed, trials, times), merged in the order of `lines`. Each line's byReceived
 * has its own W + 1 entries. `setup`, the normaliser and the energy check are those of the first
 * run (the data streams are seeded alike; the energy check is the same estimate for every W).
 */
export async function simulateByWorkers(
  setup: MonteCarloSetup,
  lines: readonly LineSpec[],
  options: ParallelOptions,
): Promise<SimulationResult> {
  const groups = new Map<number, LineSpec[]>();
  for (const line of lines) {
    const w = lineWorkers(setup, line);
    groups.set(w, [...(groups.get(w) ?? []), line]);
  }
  const entries = [...groups.entries()];
  const onProgress = options.onProgress;
  const results: SimulationResult[] = [];
  for (const [gi, [workers, group]] of entries.entries()) {
    const progress = onProgress ? (done: number, total: number) => onProgress(gi * total + done, entries.length * total) : undefined;
    results.push(await simulateParallel({ ...setup, workers }, group, { ...options, ...(progress ? { onProgress: progress } : {}) }));
  }
  const byKey = new Map(results.flatMap((r) => r.lines.map((l) => [`${l.line.scheme}/${l.line.granularity}`, l] as const)));
  const first = results[0];
  return { ...first, setup, lines: lines.map((l) => byKey.get(`${l.scheme}/${l.granularity}`)!) };
}
