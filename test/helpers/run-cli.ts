/**
 * Runs a command of experiments/ in a child process (node --import tsx), with a timeout; for the
 * tests that check what a user sees: exit code, stdout, stderr, and whether it hung.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed after the timeout. */
  hung: boolean;
  ms: number;
}

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  result: Promise<CliResult>;
}

/** Starts `experiments/<script>` with `args`; the result resolves when it exits (SIGKILL after `timeoutMs`). */
export function startCli(script: string, args: readonly string[], o: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const t0 = performance.now();
  // tsx resolved here: the child's cwd may be any directory
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'experiments', script), ...args], {
    cwd: o.cwd ?? ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += String(d)));
  child.stderr?.on('data', (d) => (stderr += String(d)));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, o.timeoutMs ?? 60_000);
  const result = new Promise<CliResult>((res) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr, hung, ms: performance.now() - t0 });
    }),
  );
  return { child, stdout: () => stdout, result };
}

export const runCli = (script: string, args: readonly string[], o: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}) => startCli(script, args, o).result;

/** Lines of a stream's text, without empty ones. */
export const linesOf = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

/** Whether `s` holds a stack trace (an `at …(file:line:col)` frame or a bare `Error:` header line). */
export function hasStackTrace(s: string): boolean {
  return /^\s+at .+(\(|\s)\S+:\d+:\d+\)?$/m.test(s) || /^\w*Error: /m.test(s);
}
