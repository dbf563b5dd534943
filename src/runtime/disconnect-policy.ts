/**
 * What a runtime behind a connection (nats) does with a call made while the server is lost:
 *   wait      hold the call until the connection is back, at most `timeoutMs`, then fail the
 *             command with one line (the default: a short outage costs time, not accuracy);
 *   continue  make the call anyway: every task is a straggler, the product is zero-filled;
 *   abort     fail the command at once.
 * The runtime's own lost/back notices (Runtime.onConnection) drive it.
 */
import { UserError } from '../util/user-error.ts';
import type { Runtime } from './runtime.ts';

export const DISCONNECT_POLICIES = ['wait', 'continue', 'abort'] as const;
export type DisconnectPolicy = (typeof DISCONNECT_POLICIES)[number];
/** How long `wait` holds a call for the server to come back. */
export const DEFAULT_DISCONNECT_WAIT_MS = 60_000;

/** Makes `runtime.call` follow `policy` while the connection is down (a runtime without one is unchanged). */
export function applyDisconnectPolicy(runtime: Runtime, policy: DisconnectPolicy, server: string, timeoutMs = DEFAULT_DISCONNECT_WAIT_MS): Runtime {
  if (!runtime.onConnection || policy === 'continue') return runtime;
  let up = true;
  let waiters: (() => void)[] = [];
  runtime.onConnection((u) => {
    up = u;
    if (u) {
      for (const w of waiters) w();
      waiters = [];
    }
  });
  const call = runtime.call.bind(runtime);
  runtime.call = async (spec) => {
    if (!up) {
      if (policy === 'abort') throw new UserError(`--on-disconnect abort: lost the NATS server at ${server}; stopped`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const back = await Promise.race([
        new Promise<true>((r) => waiters.push(() => r(true))),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!back) throw new UserError(`--on-disconnect wait: the NATS server at ${server} was not back within ${timeoutMs / 1000} s; stopped (--on-disconnect continue trains on with zero-filled products)`);
    }
    return call(spec);
  };
  return runtime;
}
