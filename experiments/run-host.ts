/**
 * A persistent run process of the Fig. 6 sweep (started by src/training/run-pool.ts with an IPC
 * channel; not a user command): trains the runs it is sent, one at a time, keeping tfjs, wasm
 * and MNIST loaded between them. SIGINT/SIGTERM abort the run in progress (its temporary
 * directory is removed); the process exits when the parent disconnects.
 */
import { serveRuns, type HostChannel } from '../src/training/run-host.ts';

if (!process.send) {
  process.stderr.write('run-host: start me through the sweep (an IPC channel is required)\n');
  process.exit(2);
}
const channel: HostChannel = {
  send: (m) => process.connected && process.send?.(m),
  on: (event, fn) => process.on(event, fn as (m: unknown) => void),
};
const host = serveRuns(channel);
const stop = () => host.abortCurrent();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('disconnect', () => {
  host.abortCurrent();
  void host.idle().then(() => process.exit(0));
});
