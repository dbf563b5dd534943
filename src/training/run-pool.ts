/**
 * The sweep's long-lived run executor: up to `size` persistent child processes
 * (experiments/run-host.ts), each of which loads tsx, tfjs, wasm and MNIST once and then trains
 * the runs it is sent over IPC (src/training/run-host.ts), instead of one process per run.
 *
 * `launch` has the sweep's {@link Launcher} shape: it gives the run to an idle child (starting
 * one if fewer than `size` are alive) and resolves when the child answers, with exit-code-like
 * outcomes (0 done, 130 aborted, 1 failed) or the child's own exit code if it died. `kill`
 * aborts that run (the child removes its temporary directory and stays alive). `close`
 * disconnects every child and waits for them to exit.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostReply, HostRequest } from './run-host.ts';
import type { Launcher, LaunchOutcome } from './launcher.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The persistent run process's script. */
export const RUN_HOST_SCRIPT = join(ROOT, 'experiments', 'run-host.ts');

interface Slot {
  child: ChildProcess;
  busy: { id: number; logPath: string; settle: (o: LaunchOutcome) => void } | null;
  exited: boolean;
}

export interface RunPool {
  launch: Launcher;
  /** Disconnects the children and waits for them to exit. */
  close(): Promise<void>;
  /** Child processes started so far (each loads the backend and data once). */
  readonly started: () => number;
}

/** A pool of at most `size` persistent run processes; `runtime` (real workers' options) goes with every request. */
export function startRunPool(size: number, runtime?: unknown): RunPool {
  const slots: Slot[] = [];
  let started = 0;
  let nextId = 1;

  const spawnSlot = (): Slot => {
    const child = fork(RUN_HOST_SCRIPT, [], {
      cwd: process.cwd(),
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    started++;
    const slot: Slot = { child, busy: null, exited: false };
    // Anything the child prints outside a run's log (warnings, a crash) goes to the current run's log.
    const spill = (d: Buffer) => {
      if (slot.busy) appendFileSync(slot.busy.logPath, d);
    };
    child.stdout?.on('data', spill);
    child.stderr?.on('data', spill);
    child.on('message', (msg: HostReply) => {
      if (msg.type !== 'result' || !slot.busy || slot.busy.id !== msg.id) return;
      const b = slot.busy;
      slot.busy = null;
      b.settle(msg.ok ? { code: 0, signal: null } : { code: msg.aborted ? 130 : 1, signal: null });
    });
    const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
      slot.exited = true;
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      const b = slot.busy;
      slot.busy = null;
      b?.settle({ code: code ?? -1, signal });
    };
    child.on('exit', onGone);
    child.on('error', () => onGone(-1, null));
    slots.push(slot);
    return slot;
  };

  const launch: Launcher = (run, dir, logPath) => {
    const slot = slots.find((s) => !s.busy && !s.exited) ?? (slots.length < size ? spawnSlot() : null);
    if (!slot) throw new Error(`run pool: more than ${size} runs launched at once`);
    const id = nextId++;
    let settle!: (o: LaunchOutcome) => void;
    const done = new Promise<LaunchOutcome>((res) => (settle = res));
    slot.busy = { id, logPath, settle };
    const msg: HostRequest = { type: 'run', id, name: run.name, request: { input: run.given, dir: resolve(dir), ...(runtime !== undefined ? { runtime } : {}) }, logPath: resolve(logPath) };
    slot.child.send(msg);
    return {
      done,
      kill: () => {
        if (slot.busy?.id === id && slot.child.connected) slot.child.send({ type: 'abort', id } satisfies HostRequest);
      },
    };
  };

  const close = async () => {
    await Promise.all(
      slots.slice().map(
        (s) =>
          new Promise<void>((res) => {
            if (s.exited) return res();
            const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
            s.child.once('exit', () => {
              clearTimeout(timer);
              res();
            });
            if (s.child.connected) s.child.disconnect();
            else s.child.kill('SIGTERM');
          }),
      ),
    );
  };

  return { launch, close, started: () => started };
}
