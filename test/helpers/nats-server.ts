/**
 * A private nats-server for one test file: a free loopback port, a temporary store directory,
 * optional token or user/password; stop() and restart() (same port) for the fault tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, natsServerBinary, waitAccepting } from '../../src/util/nats-server-process.ts';

export interface TestNatsServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops and starts again on the same port. */
  restart(downMs?: number): Promise<void>;
}

/** `opts.jetstream`: start with JetStream (`-js`, stored in the temporary directory). */
export async function startNatsServer(auth: { token?: string; user?: string; pass?: string } = {}, opts: { jetstream?: boolean } = {}): Promise<TestNatsServer> {
  const bin = natsServerBinary();
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), 'nats-store-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), '-sd', store];
  if (opts.jetstream) args.push('-js');
  if (auth.token) args.push('--auth', auth.token);
  if (auth.user) args.push('--user', auth.user, '--pass', auth.pass ?? '');
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn(bin, args, { stdio: 'ignore' });
    await waitAccepting(port, 10_000);
  };
  const stopProc = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopProc();
      await rm(store, { recursive: true, force: true });
    },
    async restart(downMs = 300) {
      await stopProc();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
  };
}
