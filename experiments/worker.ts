/**
 * `npm run worker -- --server nats://HOST:4222 [--concurrency N]`: a worker process of the
 * `nats` runtime (`--role coded`, the default). With `--role sweep` it trains the runs of queued
 * sweeps instead (src/queue/worker.ts), one per `--concurrency` slot. It serves any number of
 * runs until stopped (Ctrl-C / SIGTERM), survives a NATS server restart, and prints one line per
 * 10 s of activity.
 */
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { startNatsWorker } from '../src/runtime/nats-worker.ts';
import { DEFAULT_PREFIX } from '../src/runtime/nats.ts';
import { resolveRuntimeOptions, RUNTIME_CLI_OPTIONS } from '../src/runtime/options.ts';
import { ALLOW_DIR_OPTION, QUEUE_CLI_OPTIONS, runSweepWorker } from '../src/queue/cli.ts';
import { commandLine, isMainModule, runCommand, UsageError } from './cli-common.ts';
import { onStopSignals } from '../src/util/stop-signals.ts';
import { UserError } from '../src/util/user-error.ts';

/** The worker's own options, from the catalogue (src/config). */
const WORKER_KEYS = ['concurrency', 'prefix'] as const;
/** The NATS subject prefix the runtime uses by default. */
const WORKER_VALUES = { prefix: DEFAULT_PREFIX };
/** How to reach the server: the nats runtime's own flags (src/runtime/options.ts), checked the same way. */
const { server, token, user, pass } = RUNTIME_CLI_OPTIONS;

export async function worker(args: string[]): Promise<void> {
  const argv = withOptions(commandLine('A worker process of the nats runtime: computes coded tasks (W_A·W_B) and replies.', args), WORKER_KEYS, WORKER_VALUES)
    .options({ server, token, user, pass })
    .option('role', { type: 'string', default: 'coded', choices: ['coded', 'sweep'], describe: 'coded: compute coded tasks (the nats runtime); sweep: train sweep runs from the JetStream queue (fig6/sweep --queue), --concurrency at once' })
    .option('ack-wait-ms', QUEUE_CLI_OPTIONS['ack-wait-ms'])
    .option('allow-dir', ALLOW_DIR_OPTION)
    .parseSync();
  const v = resolveValues(WORKER_KEYS, valuesFromArgv(argv as Record<string, unknown>, WORKER_KEYS), WORKER_VALUES);
  const concurrency = v.concurrency as number;
  const prefix = v.prefix as string;
  const nats = resolveRuntimeOptions(argv).nats;
  if (argv.role === 'sweep') return runSweepWorker(argv, concurrency);
  for (const flag of ['ack-wait-ms', 'allow-dir']) if (argv[flag] !== undefined) throw new UsageError(`--${flag}: only with --role sweep`);
  let fatal: (why: string) => void = () => {};
  const died = new Promise<string>((resolve) => (fatal = resolve));
  const w = await startNatsWorker({ ...nats, concurrency, prefix, onFatal: (why) => fatal(why) });
  console.log(`worker: connected to ${nats.server} (prefix ${prefix}, ${concurrency} thread${concurrency === 1 ? '' : 's'}); Ctrl-C to stop`);
  let last = { tasks: 0, replies: 0 };
  const timer = setInterval(() => {
    const c = w.counts();
    if (c.tasks !== last.tasks) console.log(`worker: ${c.tasks} tasks, ${c.replies} replies`);
    last = c;
  }, 10_000);
  void (async () => {
    for await (const s of w.connection.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') console.log(`worker: ${s.type} (${nats.server})`);
    }
  })();
  // a second, later signal forces the exit; npm's forwarded copy of the first is ignored
  const why = await Promise.race([new Promise<null>((resolve) => onStopSignals(() => resolve(null), () => process.exit(130))), died]);
  clearInterval(timer);
  await w.close();
  if (why !== null) {
    // exit non-zero so a supervisor restarts the worker; the others take its tasks meanwhile
    throw new UserError(`${why}: the worker left the queue group and stopped (restart it)`);
  }
  console.log('worker: stopped');
}

if (isMainModule(import.meta.url)) void runCommand(() => worker(process.argv.slice(2)));
