/**
 * The child side of the sweep's persistent run processes (see src/training/run-pool.ts): a loop
 * that receives run requests over an IPC channel and trains them one at a time with a
 * {@link LocalRunner} (backend and data loaded once per process, not once per run).
 *
 * Messages (structured clone, so Infinity survives):
 *   parent → child  `{ type: 'run', id, name, request, logPath }` | `{ type: 'abort', id }`
 *   child → parent  `{ type: 'result', id, ok: true, result }` | `{ type: 'result', id, ok: false, aborted, message }`
 * Each run's log (progress every `progressEvery` iterations, the final line, or the error with
 * its stack) is written to `logPath` by the child before it answers, so the log is complete when
 * the parent sees the result.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { RunAbortedError, type RunResult } from './run.ts';
import { makeLocalRunner, type RealMultiplyFactory, type RunRequest } from './local-runner.ts';

export interface HostRunMessage {
  type: 'run';
  id: number;
  name: string;
  request: RunRequest;
  logPath: string;
}
export interface HostAbortMessage {
  type: 'abort';
  id: number;
}
export type HostRequest = HostRunMessage | HostAbortMessage;
export type HostReply =
  | { type: 'result'; id: number; ok: true; result: RunResult }
  | { type: 'result'; id: number; ok: false; aborted: boolean; message: string };

/** The IPC end the host talks through (a child process's `process`). */
export interface HostChannel {
  send(msg: HostReply): unknown;
  on(event: 'message', fn: (msg: HostRequest) => void): unknown;
}

export interface RunHost {
  /** Aborts the run in progress (a signal to the process). */
  abortCurrent(): void;
  /** Resolves when the run in progress (if any) has answered. */
  idle(): Promise<void>;
}

/** Serves run requests arriving on `channel`, one at a time. */
export function serveRuns(channel: HostChannel, opts: { progressEvery?: number; realMultiply?: RealMultiplyFactory } = {}): RunHost {
  /** Milliseconds from the process start to here (node, tsx, the module graph). */
  const modulesMs = performance.now();
  let startLogged = false;
  const runner = makeLocalRunner(opts.realMultiply);
  const progressEvery = opts.progressEvery ?? 500;
  let current: { id: number; controller: AbortController; done: Promise<void> } | null = null;
  const queue: HostRunMessage[] = [];

  const runOne = async (m: HostRunMessage, controller: AbortController): Promise<HostReply> => {
    const fd = openSync(m.logPath, 'w');
    const log = (s: string) => writeSync(fd, s);
    try {
      const t0 = performance.now();
      const tensorsBefore = tf.memory().numTensors;
      log(`run ${m.name} in persistent process ${process.pid} (run ${runner.stats.runs + 1} of this process)\n`);
      if (!startLogged) log(`process start: modules loaded ${modulesMs.toFixed(0)} ms after the process started\n`);
      startLogged = true;
      const result = await runner.run(m.request, {
        signal: controller.signal,
        onProgress: (p) => {
          if (progressEvery > 0 && (p.iteration % progressEvery === 0 || p.iteration === p.total)) {
            log(`iteration ${p.iteration}/${p.total}  epoch ${p.epoch}  train acc (last 50) ${p.recentTrainAcc.toFixed(3)}` +
              `${Number.isNaN(p.lastTestAcc) ? '' : `  test acc ${p.lastTestAcc.toFixed(4)}`}  ${p.itsPerSec.toFixed(1)} it/s\n`);
          }
        },
      });
      log(
        `final test accuracy: ${result.finalTestAccuracy.toFixed(4)} (${result.iterations} iterations, ${result.msPerStep.toFixed(2)} ms/step, ` +
          `evaluations ${result.evalMs.toFixed(0)} ms, ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
          `tensors ${tensorsBefore} before, ${tf.memory().numTensors} after; data loads in this process ${runner.stats.dataLoads}, ` +
          `${runner.stats.dataLoadMs.toFixed(0)} ms; backend ${runner.stats.backendMs.toFixed(0)} ms)\n`,
      );
      return { type: 'result', id: m.id, ok: true, result };
    } catch (err) {
      const aborted = err instanceof RunAbortedError;
      log(aborted ? 'interrupted: no output directory written\n' : `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      return { type: 'result', id: m.id, ok: false, aborted, message: err instanceof Error ? err.message : String(err) };
    } finally {
      closeSync(fd);
    }
  };

  const pump = () => {
    if (current || queue.length === 0) return;
    const m = queue.shift() as HostRunMessage;
    const controller = new AbortController();
    const done = runOne(m, controller).then((reply) => {
      current = null;
      channel.send(reply);
      pump();
    });
    current = { id: m.id, controller, done };
  };

  channel.on('message', (msg) => {
    if (msg.type === 'run') {
      queue.push(msg);
      pump();
    } else if (msg.type === 'abort') {
      const i = queue.findIndex((q) => q.id === msg.id);
      if (i >= 0) {
        const [m] = queue.splice(i, 1);
        channel.send({ type: 'result', id: m.id, ok: false, aborted: true, message: 'interrupted before it started' });
      } else if (current?.id === msg.id) current.controller.abort();
    }
  });

  return {
    abortCurrent: () => current?.controller.abort(),
    idle: async () => {
      while (current) await current.done;
    },
  };
}
