/**
 * A private NATS cluster on this machine for the throughput benchmark: one nats-server on a free
 * loopback port (its store in a temporary directory) and worker processes (`experiments/worker.ts`,
 * one thread each) in queue groups of their own subject prefix. Everything started here is
 * stopped by close(), also after a failed start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, natsServerBinary, waitAccepting } from '../util/nats-server-process.ts';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

export interface LocalNats {
  url: string;
  /** Starts `n` worker processes (one thread each) serving subject prefix `prefix`; resolves once all are connected. */
  startWorkers(n: number, prefix: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalNats(): Promise<LocalNats> {
  const bin = natsServerBinary();
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), 'bench-nats-'));
  const procs: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(procs.map(stop));
    await rm(store, { recursive: true, force: true });
  };
  try {
    procs.push(spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: 'ignore' }));
    await waitAccepting(port, 10_000);
  } catch (err) {
    await close();
    throw err;
  }
  const url = `nats://127.0.0.1:${port}`;
  return {
    url,
    async startWorkers(n, prefix) {
      const started = Array.from({ length: n }, () => {
        // node itself (not the tsx wrapper), so that stopping it leaves no orphan
        const p = spawn(process.execPath, ['--import', 'tsx', 'experiments/worker.ts', '--server', url, '--prefix', prefix], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
        procs.push(p);
        let err = '';
        p.stderr!.on('data', (d: Buffer) => (err += String(d)));
        return new Promise<void>((resolve, reject) => {
          p.stdout!.on('data', (d: Buffer) => String(d).includes('connected') && resolve());
          p.once('exit', (code) => reject(new Error(`worker process exited with ${code}: ${err.trim()}`)));
        });
      });
      await Promise.all(started);
    },
    close,
  };
}
