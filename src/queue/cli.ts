/**
 * Command-line plumbing of the sweep queue, shared by `fig6`, `sweep` and `worker --role sweep`:
 * the flags, and opening the queue from parsed flags. The NATS credentials are the runtime's
 * flags (`--token`, `--user`/`--pass`, src/runtime/options.ts).
 */
import { realpathSync, statSync } from 'node:fs';
import type { NatsConnectOptions } from '../runtime/nats.ts';
import { DEFAULT_ACK_WAIT_MS } from './protocol.ts';
import { openQueuedSweep, type QueuedSweep } from './submit.ts';
import { startSweepWorker, type SweepWorker } from './worker.ts';
import { onStopSignals } from '../util/stop-signals.ts';
import { UserError } from '../util/user-error.ts';

export const QUEUE_CLI_OPTIONS = {
  queue: { type: 'string', describe: 'run the sweep on a NATS JetStream work queue at this URL (e.g. nats://HOST:4222): jobs for `npm run worker -- --role sweep` processes, results downloaded into --out' },
  'ack-wait-ms': { type: 'number', describe: `--queue: ack wait of the job consumer when this command creates it (default ${DEFAULT_ACK_WAIT_MS}); workers heartbeat every third of it` },
} as const;

/** The sweep worker's own flag. */
export const ALLOW_DIR_OPTION = { type: 'string', describe: 'worker --role sweep: a directory whose files jobs may name (--data-dir, --latency trace:FILE / trace-pool:FILE); without it a job naming any file on this machine is refused' } as const;

const NATS_URL = /^(nats|tls|wss?):\/\/[^\s]+$/;

/** NATS options from `--<urlFlag>` and the shared credential flags (RangeError naming the flag). */
export function natsFromArgv(argv: Record<string, unknown>, urlFlag: string): NatsConnectOptions {
  const server = argv[urlFlag];
  if (typeof server !== 'string' || !NATS_URL.test(server)) throw new RangeError(`--${urlFlag}: '${String(server)}' is not a NATS URL (e.g. nats://127.0.0.1:4222)`);
  const str = (f: string) => (typeof argv[f] === 'string' ? (argv[f] as string) : undefined);
  const user = str('user');
  const pass = str('pass');
  if ((user === undefined) !== (pass === undefined)) throw new RangeError('--user and --pass: give both or neither');
  return { server, token: str('token'), user, pass };
}

function ackWait(argv: Record<string, unknown>): number | undefined {
  const v = argv['ack-wait-ms'];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 500) throw new RangeError(`--ack-wait-ms: must be a number of milliseconds ≥ 500 (got ${String(v)})`);
  return v;
}

/** The real path of `--allow-dir` (undefined when not given); RangeError naming the flag when it is not a directory. */
function allowDirOf(argv: Record<string, unknown>): string | undefined {
  const v = argv['allow-dir'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new RangeError('--allow-dir: give a directory');
  try {
    if (!statSync(v).isDirectory()) throw new RangeError(`--allow-dir: ${v} is not a directory`);
    return realpathSync(v);
  } catch (err) {
    if (err instanceof RangeError) throw err;
    throw new RangeError(`--allow-dir: ${v} does not exist (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}

/**
 * The queued sweep of `--queue URL` (undefined without `--queue`). A queued sweep trains in the
 * workers' processes on the simulator: `--runtime threads|nats` is refused with it.
 */
export async function openQueueFromArgv(argv: Record<string, unknown>, out: string, write: (s: string) => void): Promise<QueuedSweep | undefined> {
  if (argv.queue === undefined) {
    // a queue flag without --queue would be silently ignored while the sweep trains here
    if (argv['ack-wait-ms'] !== undefined) throw new RangeError('--ack-wait-ms: only with --queue');
    return undefined;
  }
  if (argv.runtime !== undefined && argv.runtime !== 'sim') throw new RangeError(`--queue: runs on the queue use the simulated runtime (got --runtime ${String(argv.runtime)})`);
  return openQueuedSweep(out, { nats: natsFromArgv(argv, 'queue'), ackWaitMs: ackWait(argv), onLine: (l) => write(`${l}\n`) });
}

/** `npm run worker -- --role sweep`: serve jobs until SIGINT/SIGTERM. */
export async function runSweepWorker(argv: Record<string, unknown>, concurrency: number): Promise<void> {
  const nats = natsFromArgv(argv, 'server');
  const allowDir = allowDirOf(argv);
  const log = (s: string) => console.log(`worker: ${s}`);
  const w: SweepWorker = await startSweepWorker({ nats, concurrency, ackWaitMs: ackWait(argv), allowDir, onLine: log });
  log(`sweep role: taking jobs from ${nats.server}, ${concurrency} slot${concurrency === 1 ? '' : 's'}; ${allowDir ? `jobs may name files inside ${allowDir}` : 'jobs may name no file on this machine'}; Ctrl-C to stop`);
  // a second, later signal forces the exit; npm's forwarded copy of the first is ignored
  await new Promise<void>((resolve) => onStopSignals(() => resolve(), () => process.exit(130)));
  const reachable = w.connected();
  log('stopping: runs in progress go back to the queue');
  await w.close();
  const c = w.counts();
  log(`stopped (${c.done} done, ${c.failed} failed, ${c.refused} refused)`);
  if (!reachable) throw new UserError(`--server: stopped while the NATS server at ${nats.server} was unreachable; its runs in progress go back to the queue after the ack wait`);
}
