import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('npm run bench: prints per-product and per-step times with ratios to exact', async (t) => {
  const { stdout } = await run('node_modules/.bin/tsx', [
    'experiments/bench.ts',
    '--schemes', 'uncoded,ew',
    '--rounds', '1',
    '--per-round', '2',
  ]);
  t.regex(stdout, /backend: /);
  for (const name of ['dense1 grad-input', 'dense1 grad-weight', 'dense2 grad-input', 'dense2 grad-weight', 'dense3 grad-input', 'dense3 grad-weight', 'all six']) {
    t.regex(stdout, new RegExp(`${name}.*[\\d.]+×.*[\\d.]+×`), name);
  }
  t.regex(stdout, /baseline +[\d.]+/);
  t.regex(stdout, /ew +[\d.]+ +[\d.]+×/);
});

test('npm run bench: a bad flag exits non-zero naming it', async (t) => {
  const err = await t.throwsAsync(run('node_modules/.bin/tsx', ['experiments/bench.ts', '--schemes', 'turbo']));
  t.regex((err as unknown as { stderr: string }).stderr, /--schemes/);
});
