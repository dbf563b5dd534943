/**
 * Helpers shared by the command-line programs in experiments/: a uniform error exit and a
 * yargs parser with the project's defaults. Option values are parsed by the one catalogue
 * (src/config). Library code in src/ never reads argv or exits; commands do, here.
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asOptionError, OptionError } from '../src/config/index.ts';
import { onStopSignals } from '../src/util/stop-signals.ts';
import { UserError } from '../src/util/user-error.ts';

/** A mistake in how the command was called (bad flag, unknown option). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Validation errors are the user's: their message is enough, no stack. */
export function isUserError(err: unknown): err is Error {
  return err instanceof RangeError || err instanceof TypeError || err instanceof UsageError || err instanceof UserError;
}

/** An ordinary file-system failure (EACCES, EPERM, ENOSPC, …): its message says it all. */
function isFileSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * Runs a command's main function. On failure prints `error: <message>` to stderr (plus the
 * stack for unexpected errors) and sets process.exitCode = 1; never calls process.exit, so
 * pending output is flushed.
 */
export async function runCommand(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof OptionError) {
      process.stderr.write(`error: ${err.flagMessage}\n`);
    } else if (isUserError(err) || isFileSystemError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
    } else if (err instanceof Error) {
      process.stderr.write(`error: ${err.message}\n${err.stack ?? ''}\n`);
    } else {
      process.stderr.write(`error: ${String(err)}\n`);
    }
    process.exitCode = 1;
  }
}

/**
 * yargs' parse errors as one line: `Invalid values:\n  Argument: runtime, Given: "x", Choices: "a", "b"`
 * becomes `--runtime: "x" is not one of a, b`; other multi-line messages are joined.
 */
function oneLine(msg: string): string {
  const m = /^Invalid values:\s*Argument: ([\w-]+), Given: (.*), Choices: (.*)$/s.exec(msg.trim());
  if (m) return `--${m[1]}: ${m[2].trim()} is not one of ${m[3].replace(/"/g, '').trim()}`;
  return msg.replace(/\s*\n\s*/g, '; ');
}

/**
 * A yargs parser over this process's arguments with the project's conventions: strict
 * (unknown flags are errors), --help, no --version, and parse failures thrown as UsageError
 * (so runCommand reports them) instead of printing help and exiting.
 * @param usage one line shown at the top of --help
 */
export function commandLine(usage: string, argv: string[] = hideBin(process.argv)) {
  return yargs(argv)
    .usage(`${usage}\n\nUsage: $0 [options]`)
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      const mapped = err ? asOptionError(err) : undefined;
      if (mapped instanceof OptionError) throw mapped; // a value the catalogue's coercer rejected
      // yargs' own parse errors (YError: e.g. a flag without its value) are usage errors, not crashes
      if (err && err.name !== 'YError') throw mapped;
      throw new UsageError(`${oneLine(msg ?? err?.message ?? 'bad arguments')} (see --help)`);
    });
}

/**
 * True when the module with this `import.meta.url` is the script node was started with, so a
 * command file can also be imported (e.g. by tests) without running.
 */
export function isMainModule(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const self = fileURLToPath(metaUrl);
  return resolve(entry) === self || resolve(entry).replace(/\.[cm]?[jt]s$/, '') === self.replace(/\.[cm]?[jt]s$/, '');
}

/** Prints one "wrote <path>" line per file, paths relative to the working directory. */
export function reportWritten(paths: readonly string[]): void {
  for (const p of paths) process.stdout.write(`wrote ${relative(process.cwd(), p) || p}\n`);
}

/** What the commands that never touch tfjs (formulas, float64 Monte Carlo) print as their backend. */
export const FLOAT64_BACKEND = 'none (float64 JavaScript; tfjs is not used)';

/** Prints the backend line every command starts with. */
export function reportBackend(name: string): void {
  process.stdout.write(`backend: ${name}\n`);
}

/**
 * Turns SIGINT/SIGTERM into an abort: the first signal prints `message(sig)` and aborts the
 * returned signal (the command then stops cleanly and keeps or removes what it must); a second
 * one (not npm's forwarded copy of the first: src/util/stop-signals.ts) runs `onSecond` (e.g.
 * remove a temporary directory) and exits with 130. With `install` false (tests) nothing is
 * installed and the signal never aborts.
 */
export function abortOnSignals(message: (sig: NodeJS.Signals) => string, onSecond?: () => void, install = true): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (!install) return { signal: controller.signal, dispose: () => undefined };
  const dispose = onStopSignals(
    (sig) => {
      process.stderr.write(`${message(sig)}\n`);
      controller.abort();
    },
    onSecond
      ? () => {
          onSecond();
          process.exit(130);
        }
      : undefined,
  );
  return { signal: controller.signal, dispose };
}

/**
 * A progress reporter `(done, total) => void` writing `label: done/total unit (pct%, secs s)`:
 * an updating line on a terminal, else one line every ~10% (and at the end), so a log or a pipe
 * is neither flooded nor left silent.
 * @param stream where to write (default stderr, so stdout stays the command's result)
 */
export function progressReporter(label: string, unit = 'trials', stream: NodeJS.WritableStream = process.stderr): (done: number, total: number) => void {
  const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
  let lastTenth = -1;
  const start = Date.now();
  return (done, total) => {
    const pct = Math.floor((100 * done) / total);
    const secs = ((Date.now() - start) / 1000).toFixed(1);
    const text = `${label}: ${done}/${total} ${unit} (${pct}%, ${secs} s)`;
    if (tty) {
      stream.write(`\r${text}${done === total ? '\n' : ''}`);
    } else if (Math.floor(pct / 10) > lastTenth || done === total) {
      lastTenth = Math.floor(pct / 10);
      stream.write(`${text}\n`);
    }
  };
}
