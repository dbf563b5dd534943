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

test('npm run bench: a bad value of a catalogue flag prints error: --flag: … (one line)', async (t) => {
  for (const [args, re] of [
    [['--tmax', 'abc'], /^error: --tmax: "abc" is not a number/],
    [['--rounds', '0'], /^error: --rounds: must be ≥ 1/],
    [['--per-round', '1.5'], /^error: --per-round: must be an integer/],
    [['--batch', '0'], /^error: --batch: must be ≥ 1/],
  ] as Array<[string[], RegExp]>) {
    const err = await t.throwsAsync(run('node_modules/.bin/tsx', ['experiments/bench.ts', ...args]));
    const stderr = (err as unknown as { stderr: string }).stderr;
    t.regex(stderr, re, args.join(' '));
    t.is(stderr.trim().split('\n').length, 1, stderr);
  }
});

test('npm run bench --help: the bench preset (T_max = 1, the training λ) and the catalogue defaults', async (t) => {
  const { stdout } = await run('node_modules/.bin/tsx', ['experiments/bench.ts', '--help']);
  // (yargs may wrap a long help text: the default then ends the next line)
  for (const [flag, value] of [['--tmax', '1'], ['--lambda', '0.5'], ['--seed', '1'], ['--batch', '64'], ['--rounds', '15'], ['--per-round', '20'], ['--steps', 'true'], ['--schemes', 'uncoded,rep,mds,now,ew']]) {
    t.regex(stdout, new RegExp(`${flag} [^[]*\\[(string|boolean)\\][^\\n]*\\[default: ${value.replace(/[.]/g, '\\.')}\\]`), flag);
  }
});
