/**
 * A persistent run process of the Fig. 6 sweep (started by src/training/run-pool.ts with an IPC
 * channel; not a user command): trains the runs it is sent, one at a time, keeping tfjs, wasm
 * and MNIST loaded between them. SIGINT/SIGTERM abort the run in progress (its temporary
 * directory is removed); the process exits when the parent disconnects.
 */
import type { TrainConfig } from '../src/training/index.ts';
import type { RealMultiplyFactory } from '../src/training/local-runner.ts';
import { serveRuns, type HostChannel } from '../src/training/run-host.ts';
import { startRuntime, type RuntimeOptions } from '../src/runtime/options.ts';
import { realRunMultiply } from '../src/runtime/training.ts';

/** Real workers for one coded run of a `fig6 --runtime threads|nats` sweep. */
const realMultiply: RealMultiplyFactory = async (config: TrainConfig, options: unknown) => {
  const o = options as RuntimeOptions;
  const runtime = await startRuntime(o);
  if (!runtime) throw new Error(`run-host: runtime ${o.runtime} has no workers to start`);
  return { multiply: realRunMultiply(config, runtime, o.timing, o.runtime), close: () => runtime.close() };
};

if (!process.send) {
  process.stderr.write('run-host: start me through the sweep (an IPC channel is required)\n');
  process.exit(2);
}
const channel: HostChannel = {
  send: (m) => process.connected && process.send?.(m),
  on: (event, fn) => process.on(event, fn as (m: unknown) => void),
};
const host = serveRuns(channel, { realMultiply });
const stop = () => host.abortCurrent();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('disconnect', () => {
  host.abortCurrent();
  void host.idle().then(() => process.exit(0));
});
