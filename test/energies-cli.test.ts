/** `npm run energies`: bad values fail before any training, with one line naming the flag; --help shows the defaults. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';

test('npm run energies: a bad value stops it with one line naming the flag, before any training', async (t) => {
  for (const [args, re] of [
    [['--energy-every', '0'], /^error: --energy-every: must be ≥ 1 \(got 0\)\n$/],
    [['--epochs', '1.5'], /^error: --epochs: must be an integer \(got 1\.5\)\n$/],
    [['--out', '/proc/energies-out'], /^error: --out: .*proc/],
  ] as Array<[string[], RegExp]>) {
    const err = await t.throwsAsync(run(TSX, ['experiments/energies.ts', ...args]));
    const stderr = (err as unknown as { stderr: string }).stderr;
    t.regex(stderr, re, args.join(' '));
    t.is(stderr.trim().split('\n').length, 1, stderr);
    t.is((err as unknown as { code: number }).code, 1);
  }
});

test('npm run energies --help: each flag with its default (preset dnn, 1 epoch, results/energies)', async (t) => {
  const { stdout } = await run(TSX, ['experiments/energies.ts', '--help']);
  for (const [flag, value] of [['--epochs', '1'], ['--batch', '64'], ['--energy-every', '20'], ['--out', 'results/energies']]) {
    t.regex(stdout, new RegExp(`${flag} [^[]*\\[string\\][^\\n]*\\[default: ${value.replace(/[.]/g, '\\.')}\\]`), flag);
  }
});
