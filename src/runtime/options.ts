/**
 * Options of the real runtimes, defined once: the yargs option table the commands add
 * (`matmul`, later `train`, `fig6`, `bench`), their validation, and starting the chosen runtime.
 */
import { applyDisconnectPolicy, DEFAULT_DISCONNECT_WAIT_MS, DISCONNECT_POLICIES, type DisconnectPolicy } from './disconnect-policy.ts';
import { availableParallelism } from 'node:os';
import { type RealTiming, STRAGGLE_MODES, type StraggleMode } from './coded-call.ts';
import type { Runtime } from './runtime.ts';
import { DEFAULT_SERVER, type NatsConnectOptions, startNatsRuntime } from './nats.ts';
import { startThreadsRuntime } from './threads.ts';

export const RUNTIMES = ['sim', 'threads', 'nats'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/**
 * Milliseconds per unit of model time by default: the Fig. 3 deadline T_max = 1 is 50 ms, the DNN
 * deadline T_max = 0.5 is 25 ms (well above a training task's compute and transport time).
 */
export const DEFAULT_TIME_UNIT_MS = 50;

/** yargs option table of the runtime flags (kebab-case keys, as on the command line). */
export const RUNTIME_CLI_OPTIONS = {
  runtime: { type: 'string', default: 'sim', choices: RUNTIMES, describe: 'who computes the workers\' products: sim (simulated times, the reference), threads (worker threads here), nats (worker processes reached through a NATS server: npm run worker)' },
  straggle: { type: 'string', default: 'model', choices: STRAGGLE_MODES, describe: 'real runtimes: model = inject the latency model\'s draws as delays (deadline T_max × time unit); none = no injection, deadline --deadline-ms' },
  'time-unit-ms': { type: 'number', default: DEFAULT_TIME_UNIT_MS, describe: 'real runtimes, --straggle model: wall-clock milliseconds per unit of model time' },
  'deadline-ms': { type: 'number', describe: 'real runtimes, --straggle none: wall-clock deadline of each product in ms' },
  threads: { type: 'number', describe: 'runtime threads: number of worker threads (default: available parallelism)' },
  server: { type: 'string', default: DEFAULT_SERVER, describe: 'runtime nats: NATS server URL' },
  token: { type: 'string', describe: 'runtime nats: auth token' },
  user: { type: 'string', describe: 'runtime nats: user (with --pass)' },
  pass: { type: 'string', describe: 'runtime nats: password (with --user)' },
  'on-disconnect': { type: 'string', default: 'wait', choices: DISCONNECT_POLICIES, describe: `runtime nats, when the server is lost: wait for it (at most ${DEFAULT_DISCONNECT_WAIT_MS / 1000} s, then stop), continue (products zero-filled meanwhile) or abort` },
  trace: { type: 'string', describe: 'real runtimes: write the arrival trace (CSV: step, product, worker, dispatched_ms, replied_ms, in_time) to this file' },
} as const;

/** Resolved runtime options. */
export interface RuntimeOptions {
  runtime: RuntimeName;
  timing: RealTiming;
  threads: number;
  /** NATS connection (runtime nats). */
  nats: NatsConnectOptions;
  /** nats: what a call does while the server is lost (default wait). */
  onDisconnect?: DisconnectPolicy;
  /** Where to write the arrival trace (real runtimes), if anywhere. */
  trace?: string;
}

function positive(flag: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`${flag}: must be a positive number of milliseconds (got ${String(v)})`);
  return v;
}

/** Validates the parsed flags; RangeError naming the flag and its valid values otherwise. */
export function resolveRuntimeOptions(argv: Record<string, unknown>): RuntimeOptions {
  const runtime = argv.runtime ?? 'sim';
  if (!(RUNTIMES as readonly unknown[]).includes(runtime)) throw new RangeError(`--runtime: '${String(runtime)}' is not one of ${RUNTIMES.join(', ')}`);
  const straggle = argv.straggle ?? 'model';
  if (!(STRAGGLE_MODES as readonly unknown[]).includes(straggle)) throw new RangeError(`--straggle: '${String(straggle)}' is not one of ${STRAGGLE_MODES.join(', ')}`);
  const timeUnitMs = positive('--time-unit-ms', argv['time-unit-ms'] ?? DEFAULT_TIME_UNIT_MS);
  let deadlineMs = NaN;
  // checked whenever given, also where it is not used (a typo should not train for an hour)
  if (argv['deadline-ms'] !== undefined) positive('--deadline-ms', argv['deadline-ms']);
  if (straggle === 'none' && runtime !== 'sim') {
    if (argv['deadline-ms'] === undefined) throw new RangeError('--deadline-ms: required with --straggle none (the wall-clock deadline of each product)');
    deadlineMs = positive('--deadline-ms', argv['deadline-ms']);
  }
  const threads = argv.threads ?? Math.max(1, availableParallelism());
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1) throw new RangeError(`--threads: must be an integer ≥ 1 (got ${String(threads)})`);
  const str = (flag: string) => {
    const v = argv[flag];
    if (v !== undefined && typeof v !== 'string') throw new RangeError(`--${flag}: expected one string`);
    return v;
  };
  const server = str('server') ?? DEFAULT_SERVER;
  if (!/^(nats|tls|wss?):\/\/[^\s]+$/.test(server)) throw new RangeError(`--server: '${server}' is not a NATS URL (e.g. ${DEFAULT_SERVER})`);
  const user = str('user');
  const pass = str('pass');
  if ((user === undefined) !== (pass === undefined)) throw new RangeError('--user and --pass: give both or neither');
  const trace = str('trace');
  if (trace !== undefined && runtime === 'sim') throw new RangeError('--trace: only real runtimes (--runtime threads|nats) have arrival traces');
  if (trace === '') throw new RangeError('--trace: give a file name');
  const onDisconnect = argv['on-disconnect'] ?? 'wait';
  if (!(DISCONNECT_POLICIES as readonly unknown[]).includes(onDisconnect)) throw new RangeError(`--on-disconnect: '${String(onDisconnect)}' is not one of ${DISCONNECT_POLICIES.join(', ')}`);
  return {
    trace,
    runtime: runtime as RuntimeName,
    timing: { straggle: straggle as StraggleMode, timeUnitMs, deadlineMs },
    threads,
    nats: { server, token: str('token'), user, pass },
    onDisconnect: onDisconnect as DisconnectPolicy,
  };
}

/** Starts the chosen real runtime (undefined for `sim`). The caller closes it. */
export async function startRuntime(o: RuntimeOptions): Promise<Runtime | undefined> {
  if (o.runtime === 'sim') return undefined;
  if (o.runtime === 'nats') return applyDisconnectPolicy(await startNatsRuntime(o.nats), o.onDisconnect ?? 'wait', o.nats.server);
  return startThreadsRuntime({ threads: o.threads });
}

/** One line saying how the wall clock maps to the model, for a command's header. */
export function describeRuntime(o: RuntimeOptions, tmax: number): string {
  if (o.runtime === 'sim') return 'runtime: sim (simulated worker times)';
  const where = o.runtime === 'nats' ? `workers at ${o.nats.server}` : `${o.threads} worker thread${o.threads === 1 ? '' : 's'}`;
  return o.timing.straggle === 'model'
    ? `runtime: ${o.runtime} (${where}), injected delays = model draws × ${o.timing.timeUnitMs} ms, deadline T_max × ${o.timing.timeUnitMs} ms = ${tmax * o.timing.timeUnitMs} ms`
    : `runtime: ${o.runtime} (${where}), no injected delay, deadline ${o.timing.deadlineMs} ms`;
}
