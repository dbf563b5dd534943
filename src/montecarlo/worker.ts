/**
 * Worker-thread side of {@link simulateParallel}: builds one TrialRunner from the run plan and
 * runs the chunks the main thread sends, replying with each chunk's statistics.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { chunkState } from './chunks.ts';
import type { RunPlan } from './run.ts';
import { TrialRunner } from './trial.ts';

/** A chunk to run, or null to stop. */
export type ChunkRequest = { chunk: number; count: number } | null;

if (parentPort) {
  const port = parentPort;
  const plan = workerData as RunPlan;
  const runner = new TrialRunner(plan.setup, plan.lines, plan.runner);
  port.on('message', (msg: ChunkRequest) => {
    if (msg === null) {
      port.close();
      return;
    }
    const stats = runner.runChunk(plan.seed, msg.chunk, msg.count, plan.times);
    port.postMessage({ chunk: msg.chunk, state: chunkState(stats) });
  });
}
