/**
 * The output-directory protocol of a run (what makes a run "complete"):
 *   - training writes into `<dir>.partial-<pid>` beside the final directory: metrics.csv is
 *     created there at the start and its rows written by the end of training (metrics-file.ts),
 *     and config.json after training; both are synced to disk;
 *   - only then is the temporary directory renamed to `<dir>` (an existing `<dir>` is replaced);
 *   - an interrupted run (abort signal, error) removes its temporary directory; a killed one
 *     leaves `<dir>.partial-<pid>`, which is never taken as complete and is removed by the next
 *     run of the same directory once that pid is gone ({@link removeStalePartials}).
 * So a directory `<dir>` holding config.json (with a result) and metrics.csv is a finished run.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Path of the temporary directory of a run writing `dir` from this process. */
export function partialDirOf(dir: string, pid = process.pid): string {
  return `${dir}.partial-${pid}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the `<dir>.partial-<pid>` directories left by killed runs of `dir` (those whose pid
 * is no longer running). Returns the paths removed.
 */
export function removeStalePartials(dir: string): string[] {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.partial-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

/** True when `dir` holds a finished run (config.json with a result, and metrics.csv). */
export function isRunComplete(dir: string): boolean {
  if (!existsSync(join(dir, 'metrics.csv'))) return false;
  try {
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { result?: unknown };
    return typeof cfg.result === 'object' && cfg.result !== null;
  } catch {
    return false;
  }
}

/** Renames `tmp` to `dir`, replacing an existing `dir` (moved aside first, then removed). */
export async function putInPlace(tmp: string, dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  if (existsSync(dir)) {
    const old = `${dir}.old-${process.pid}`;
    await rm(old, { recursive: true, force: true });
    await rename(dir, old);
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, dir);
  }
}

/** Directory name of a run: `<scheme>-tmax<T>-seed<S>`, or `baseline-seed<S>`. */
export function runName(scheme: string, tmax: number | null, seed: number): string {
  if (scheme === 'baseline' || tmax === null) return `baseline-seed${seed}`;
  return `${scheme}-tmax${tmax === Infinity ? 'inf' : String(tmax)}-seed${seed}`;
}
