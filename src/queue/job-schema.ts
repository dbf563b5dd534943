/**
 * The strict schema of a sweep job message (src/queue/protocol.ts {@link SweepJob}), checked by a
 * worker before it acts on anything in it: a job comes from anyone who can publish on the server.
 *
 *   - the message: at most {@link MAX_JOB_BYTES}, JSON, an object with exactly the known fields;
 *   - `sweep`, `name`, `submission`: safe names (letters, digits and a few marks; no path
 *     separators, no `..`, no leading dot), since they become KV keys and scratch-directory names;
 *   - `input`: catalogue keys of a training run only ({@link JOB_OPTION_KEYS}), each value a JSON
 *     scalar or a list of them, checked by the same catalogue as the command line
 *     (resolveTrainConfig), so a job with `scheme: foo` is refused before anything runs;
 *   - options whose value names a file on the worker's machine (catalogue `namesFile`: dataDir,
 *     latency trace:FILE / trace-pool:FILE) are refused, unless the worker was started with an
 *     allow-list directory and the file's real path lies inside it. That check comes before the
 *     catalogue's, which would read the file.
 *
 * Adding a job option is adding it to the catalogue and to TRAIN_KEYS; nothing here changes.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { OptionError, OPTIONS, kebab } from '../config/index.ts';
import { resolveTrainConfig, TRAIN_KEYS, type TrainConfig, type TrainConfigInput } from '../training/train-config.ts';
import { BACKENDS } from '../util/backend.ts';
import type { SweepJob } from './protocol.ts';

/** Largest job message a worker reads (a job is a few hundred bytes). */
export const MAX_JOB_BYTES = 64 * 1024;
/** Sweep ids: `s` + hex from the submitter; anything of this shape is accepted. */
const SWEEP_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Run names (`ew-tmax0.5-seed1-gamma0.5,0.3,0.2`): no separators, no leading dot. */
const RUN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.,=+-]{0,159}$/;
const SUBMISSION = /^[0-9a-f]{0,32}$/;
const FIELDS = ['v', 'sweep', 'name', 'input', 'backend', 'submission'] as const;
/** What a job's `input` may set: the catalogue options of a training run. */
export const JOB_OPTION_KEYS: readonly string[] = TRAIN_KEYS;

/** A job the worker will not run; `reason` says why (logged, stored as its status, and the job terminated). */
export class JobRefusal extends Error {
  override name = 'JobRefusal';
  constructor(
    readonly reason: string,
    /** The job's sweep and run name, when they were safe to use (so its status can be stored). */
    readonly sweep?: string,
    readonly run?: string,
    /** The job's submission id when it was well-formed (the submitter only heeds statuses of its submission). */
    readonly submission?: string,
  ) {
    super(reason);
  }
}

/** Whether `s` is safe as a run name (and so as a file name inside a scratch directory). */
export function isSafeRunName(s: unknown): s is string {
  return typeof s === 'string' && RUN_NAME.test(s) && !s.includes('..');
}

export function isSafeSweepId(s: unknown): s is string {
  return typeof s === 'string' && SWEEP_ID.test(s);
}

/** What a worker allows a job to name on its machine. */
export interface JobPolicy {
  /** Real path of the `--allow-dir` directory; absent: no job may name a file. */
  allowDir?: string;
}

const scalar = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Whether `path` (resolved from the working directory, links followed) lies inside `dir` (a real path). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function checkFileOption(key: string, value: unknown, policy: JobPolicy, refuse: (r: string) => never): void {
  const def = OPTIONS[key];
  if (!def?.namesFile || value === null || value === undefined) return;
  const flag = `--${def.flag ?? kebab(key)}`;
  if (typeof value !== 'string') refuse(`${flag}: expected text (got ${typeof value})`);
  let path: string | null;
  try {
    path = def.namesFile(value as never);
  } catch (err) {
    if (err instanceof OptionError) refuse(err.flagMessage);
    throw err;
  }
  if (path === null) return;
  if (!policy.allowDir) refuse(`${flag} names a file on this worker's machine (${path}); a worker reads files only when started with --allow-dir DIR, and then only inside DIR`);
  let real: string;
  try {
    real = realpathSync(resolve(path));
  } catch (err) {
    refuse(`${flag}: ${path} does not exist on this worker (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (!isInside(policy.allowDir, real)) refuse(`${flag}: ${path} is outside this worker's --allow-dir ${policy.allowDir}`);
}

/**
 * Parses and checks a job message; throws {@link JobRefusal} with the reason when anything is
 * wrong. Returns the job and its resolved configuration.
 */
export function parseSweepJob(bytes: Uint8Array, policy: JobPolicy = {}): { job: SweepJob; config: TrainConfig } {
  if (bytes.byteLength > MAX_JOB_BYTES) throw new JobRefusal(`job of ${bytes.byteLength} bytes (at most ${MAX_JOB_BYTES})`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw new JobRefusal('not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new JobRefusal('not a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(FIELDS as readonly string[]).includes(k)) throw new JobRefusal(`unknown field "${k.slice(0, 40)}" (${FIELDS.join(', ')})`);
  if (o.v !== 1) throw new JobRefusal(`unsupported version ${JSON.stringify(o.v)?.slice(0, 20)} (expected 1)`);
  if (!isSafeSweepId(o.sweep)) throw new JobRefusal(`sweep id ${JSON.stringify(o.sweep)?.slice(0, 80)} is not 1–64 letters, digits, _ or -`);
  const sweep = o.sweep;
  if (!isSafeRunName(o.name)) throw new JobRefusal(`run name ${JSON.stringify(o.name)?.slice(0, 80)} is not a safe name (letters, digits, _ . , = + -; no '..', no leading dot, at most 160)`);
  const name = o.name;
  if (o.submission !== undefined && (typeof o.submission !== 'string' || !SUBMISSION.test(o.submission))) throw new JobRefusal('submission id is not hex', sweep, name);
  const submission = o.submission as string | undefined;
  const refuse = (r: string): never => {
    throw new JobRefusal(r, sweep, name, submission);
  };
  if (typeof o.backend !== 'string' || o.backend === 'auto' || !(BACKENDS as readonly string[]).includes(o.backend)) {
    refuse(`backend ${JSON.stringify(o.backend)?.slice(0, 40)} is not one of ${BACKENDS.filter((b) => b !== 'auto').join(', ')}`);
  }
  if (typeof o.input !== 'object' || o.input === null || Array.isArray(o.input)) refuse('input is not an object of options');
  const input = o.input as Record<string, unknown>;
  for (const [k, v] of Object.entries(input)) {
    if (!JOB_OPTION_KEYS.includes(k)) refuse(`option "${k.slice(0, 40)}" is not a training option a job may set`);
    if (!(scalar(v) || (Array.isArray(v) && v.length <= 64 && v.every(scalar)))) refuse(`--${OPTIONS[k]?.flag ?? kebab(k)}: not a value the command line could give`);
  }
  if (input.backend !== undefined && input.backend !== o.backend) refuse(`input backend ${String(input.backend)} differs from the job's ${String(o.backend)}`);
  // before the catalogue: its checks would read the files
  for (const [k, v] of Object.entries(input)) checkFileOption(k, v, policy, refuse);
  let config: TrainConfig;
  try {
    config = resolveTrainConfig(input as TrainConfigInput);
  } catch (err) {
    if (err instanceof OptionError) return refuse(err.flagMessage);
    if (err instanceof RangeError || err instanceof TypeError) return refuse(err.message);
    throw err;
  }
  const job: SweepJob = { v: 1, sweep, name, input: input as TrainConfigInput, backend: o.backend as string };
  if (o.submission !== undefined) job.submission = o.submission as string;
  return { job, config };
}

/**
 * `root/child` when it stays inside `root` (which must be a real path), else throws: every file
 * a job touches goes through here.
 */
export function insideScratch(root: string, child: string): string {
  const p = resolve(root, child);
  if (p === root || !p.startsWith(root + sep)) throw new JobRefusal(`path ${child} leaves the scratch directory`);
  return p;
}
