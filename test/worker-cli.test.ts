/** `npm run worker`: its options (catalogue and the nats runtime's flags) fail before connecting, and --help shows the defaults. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

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
