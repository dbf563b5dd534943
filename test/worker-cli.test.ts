/** `npm run worker`: its options (catalogue and the nats runtime's flags) fail before connecting, --help shows the defaults, and a SIGTERM stops it. */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { startNatsServer } from './helpers/nats-server.ts';

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';

test('npm run worker: a bad value stops it with one line naming the flag, before connecting', async (t) => {
  for (const [args, re] of [
    [['--concurrency', '0'], /^error: --concurrency: must be ≥ 1 \(got 0\)\n$/],
    [['--concurrency', 'x'], /^error: --concurrency: "x" is not a number\n$/],
    [['--prefix='], /^error: --prefix: expected a value, got an empty string\n$/],
    [['--server', 'http://127.0.0.1:1'], /^error: --server: 'http:\/\/127\.0\.0\.1:1' is not a NATS URL/],
    [['--user', 'u'], /^error: --user and --pass: give both or neither\n$/],
  ] as Array<[string[], RegExp]>) {
    const err = await t.throwsAsync(run(TSX, ['experiments/worker.ts', ...args]));
    t.regex((err as unknown as { stderr: string }).stderr, re, args.join(' '));
    t.is((err as unknown as { code: number }).code, 1);
  }
});

test('npm run worker --help: each flag with its default', async (t) => {
  const { stdout } = await run(TSX, ['experiments/worker.ts', '--help']);
  for (const [flag, value] of [['--concurrency', '1'], ['--prefix', 'uep'], ['--server', '"nats://127.0.0.1:4222"']]) {
    t.regex(stdout, new RegExp(`${flag} [^[]*\\[string\\][^\\n]*\\[default: ${value.replace(/[.]/g, '\\.')}\\]`), flag);
  }
});

test('npm run worker: a SIGTERM sent to npm reaches the worker, which stops cleanly (the script execs node: no orphan left running)', async (t) => {
  const server = await startNatsServer();
  t.teardown(() => server.stop());
  const npm = spawn('npm', ['run', '--silent', 'worker', '--', '--server', server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/worker: connected/.test(out) && Date.now() < deadline && npm.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  t.regex(out, /worker: connected/);
  npm.kill('SIGTERM');
  const code = await exited;
  t.regex(out, /worker: stopped/, out);
  t.is(code, 0);
});
