/**
 * Helpers shared by the command-line programs in experiments/: a uniform error exit, a
 * yargs parser with the project's defaults, and flag-value parsers that throw RangeError
 * naming the flag. Library code in src/ never reads argv or exits; commands do, here.
 */
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { asOptionError, OptionError } from '../src/config/index.ts';

/** A mistake in how the command was called (bad flag, unknown option). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Validation errors are the user's: their message is enough, no stack. */
export function isUserError(err: unknown): err is Error {
  return err instanceof RangeError || err instanceof TypeError || err instanceof UsageError;
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
      if (err) throw asOptionError(err);
      throw new UsageError(`${msg} (see --help)`);
    });
}

function asSingleString(value: unknown, flag: string): string {
  if (Array.isArray(value)) throw new RangeError(`${flag}: given more than once; give it once`);
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw new RangeError(`${flag}: expected a value`);
  return value;
}

function parseNumberToken(token: string, flag: string): number {
  const s = token.trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new RangeError(`${flag}: "${token}" is not a finite number`);
  return v;
}

/** Limits on the values of a number list. */
export interface NumberListOptions {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Require integers. */
  integer?: boolean;
  /** Require exactly this many values. */
  length?: number;
}

/**
 * Parses a comma-separated list of numbers, e.g. `--gamma 0.35,0.35,0.30`.
 * @throws RangeError naming `flag` on an empty item, a non-number or a value out of range
 */
export function parseNumberList(value: unknown, flag: string, opts: NumberListOptions = {}): number[] {
  const text = asSingleString(value, flag);
  if (text.trim() === '') throw new RangeError(`${flag}: expected a comma-separated list of numbers, got nothing`);
  const values = text.split(',').map((tok) => parseNumberToken(tok, flag));
  checkNumbers(values, flag, opts);
  return values;
}

function checkNumbers(values: number[], flag: string, opts: NumberListOptions): void {
  if (opts.length !== undefined && values.length !== opts.length) {
    throw new RangeError(`${flag}: expected ${opts.length} values, got ${values.length}`);
  }
  for (const v of values) {
    if (opts.integer && !Number.isInteger(v)) throw new RangeError(`${flag}: values must be integers, got ${v}`);
    if (opts.min !== undefined && v < opts.min) throw new RangeError(`${flag}: values must be ≥ ${opts.min}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) throw new RangeError(`${flag}: values must be ≤ ${opts.max}, got ${v}`);
  }
}

/** Digits after the decimal point in a number's decimal text (handles 1e-3, 2.5e-2). */
function decimalsOf(token: string): number {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(token.trim());
  if (!m) return 0;
  const frac = m[2]?.length ?? 0;
  const exp = m[3] ? Number(m[3]) : 0;
  return Math.max(0, frac - exp);
}

/** Most points a range may expand to. */
export const MAX_RANGE_POINTS = 1_000_000;

/**
 * Parses a list of numbers where each comma-separated item is a number or an inclusive range
 * `start:stop:step`, e.g. `--times 0:5:0.05` or `--times 0.25,0.5,1,2`. Range points are
 * computed in scaled integers, so they are the exact decimals (1.7, not 1.7000000000000002).
 * @throws RangeError naming `flag` on bad syntax, step ≤ 0, stop < start or out-of-range values
 */
export function parseNumbersOrRanges(value: unknown, flag: string, opts: NumberListOptions = {}): number[] {
  const text = asSingleString(value, flag);
  if (text.trim() === '') throw new RangeError(`${flag}: expected numbers or start:stop:step ranges, got nothing`);
  const out: number[] = [];
  for (const item of text.split(',')) {
    const parts = item.split(':');
    if (parts.length === 1) {
      out.push(parseNumberToken(item, flag));
      continue;
    }
    if (parts.length !== 3) throw new RangeError(`${flag}: range "${item}" must be start:stop:step`);
    const [start, stop, step] = parts.map((p) => parseNumberToken(p, flag));
    if (!(step > 0)) throw new RangeError(`${flag}: range "${item}" needs a step > 0`);
    if (stop < start) throw new RangeError(`${flag}: range "${item}" needs stop ≥ start`);
    const d = Math.min(15, Math.max(...parts.map(decimalsOf)));
    const scale = 10 ** d;
    const s = Math.round(start * scale);
    const e = Math.round(stop * scale);
    const st = Math.round(step * scale);
    if (st === 0) throw new RangeError(`${flag}: range "${item}" has a step too small to represent`);
    const count = Math.floor((e - s) / st) + 1;
    if (count > MAX_RANGE_POINTS) {
      throw new RangeError(`${flag}: range "${item}" has ${count} points (at most ${MAX_RANGE_POINTS})`);
    }
    for (let i = 0; i < count; i++) out.push((s + i * st) / scale);
  }
  checkNumbers(out, flag, opts);
  return out;
}

/** Parses one integer flag value (yargs gives NaN for non-numbers). */
export function parseInteger(value: unknown, flag: string, min = -Infinity, max = Infinity): number {
  const v = typeof value === 'string' ? parseNumberToken(value, flag) : value;
  if (Array.isArray(v)) throw new RangeError(`${flag}: given more than once; give it once`);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RangeError(`${flag}: must be an integer, got ${String(value)}`);
  if (v < min || v > max) {
    const range = max === Infinity ? `≥ ${min}` : min === -Infinity ? `≤ ${max}` : `in ${min}..${max}`;
    throw new RangeError(`${flag}: must be an integer ${range}, got ${v}`);
  }
  return v;
}

/**
 * Parses a comma-separated list of choices, e.g. `--schemes now,ew,mds`; order is kept,
 * duplicates are rejected.
 */
export function parseChoiceList<T extends string>(value: unknown, flag: string, choices: readonly T[]): T[] {
  const text = asSingleString(value, flag);
  const items = text.split(',').map((s) => s.trim().toLowerCase());
  const out: T[] = [];
  for (const item of items) {
    if (!(choices as readonly string[]).includes(item)) {
      throw new RangeError(`${flag}: "${item}" is not one of ${choices.join(', ')}`);
    }
    if ((out as string[]).includes(item)) throw new RangeError(`${flag}: "${item}" is listed twice`);
    out.push(item as T);
  }
  return out;
}

/**
 * Resolves an output directory flag to an absolute path, checking that it is not an existing
 * file. The directory itself is created by the (atomic) writers when the first file is written.
 */
export function outDir(value: unknown, flag = '--out'): string {
  const text = asSingleString(value, flag);
  if (text.trim() === '') throw new RangeError(`${flag}: expected a directory path`);
  const dir = resolve(text);
  let isFile = false;
  try {
    isFile = !statSync(dir).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isFile) throw new RangeError(`${flag}: ${text} exists and is not a directory`);
  return dir;
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
