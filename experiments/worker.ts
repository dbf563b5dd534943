/**
 * `npm run worker -- --server nats://HOST:4222 [--concurrency N]`: a worker process of the
 * `nats` runtime. It serves any number of runs until stopped (Ctrl-C / SIGTERM), survives a NATS
 * server restart, and prints one line per 10 s of activity.
 */
import { startNatsWorker } from '../src/runtime/nats-worker.ts';
import { DEFAULT_PREFIX, DEFAULT_SERVER } from '../src/runtime/nats.ts';
import { commandLine, isMainModule, parseInteger, runCommand } from './cli-common.ts';

export async function worker(args: string[]): Promise<void> {
  const argv = commandLine('A worker process of the nats runtime: computes coded tasks (W_A·W_B) and replies.', args)
    .option('server', { type: 'string', default: DEFAULT_SERVER, describe: 'NATS server URL' })
    .option('concurrency', { type: 'number', default: 1, describe: 'worker threads in this process' })
    .option('token', { type: 'string', describe: 'NATS auth token (if the server requires one)' })
    .option('user', { type: 'string', describe: 'NATS user (with --pass)' })
    .option('pass', { type: 'string', describe: 'NATS password (with --user)' })
    .option('prefix', { type: 'string', default: DEFAULT_PREFIX, describe: 'subject prefix (must match the server side)' })
    .parseSync();
  const concurrency = parseInteger(argv.concurrency, '--concurrency', 1, 256);
  if ((argv.user === undefined) !== (argv.pass === undefined)) throw new RangeError('--user and --pass: give both or neither');
  const w = await startNatsWorker({ server: argv.server, concurrency, token: argv.token, user: argv.user, pass: argv.pass, prefix: argv.prefix });
  console.log(`worker: connected to ${argv.server} (prefix ${argv.prefix}, ${concurrency} thread${concurrency === 1 ? '' : 's'}); Ctrl-C to stop`);
  let last = { tasks: 0, replies: 0 };
  const timer = setInterval(() => {
    const c = w.counts();
    if (c.tasks !== last.tasks) console.log(`worker: ${c.tasks} tasks, ${c.replies} replies`);
    last = c;
  }, 10_000);
  void (async () => {
    for await (const s of w.connection.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') console.log(`worker: ${s.type} (${argv.server})`);
    }
  })();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(timer);
  await w.close();
  console.log('worker: stopped');
}

if (isMainModule(import.meta.url)) void runCommand(() => worker(process.argv.slice(2)));
