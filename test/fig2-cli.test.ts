import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isUserError } from '../experiments/cli-common.ts';
import { fig2 } from '../experiments/fig2.ts';
import { OPTIONS, parseValue } from '../src/config/index.ts';
import { parseCsv } from '../src/util/csv.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { decodePng, nonBackgroundPixels } from './helpers/png.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = join(ROOT, 'experiments', 'fig2.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(TSX, [SCRIPT, ...args], { cwd: ROOT, timeout: 240_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fig2-cli-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('default run writes the CSV, SVG and PNG', async (t) => {
  await withTmp(async (dir) => {
    const out = join(dir, 'fig2');
    const r = await run(['--out', out]);
    t.is(r.code, 0, r.stderr);
    const csv = await readFile(join(out, 'fig2.csv'), 'utf8');
    t.is(csv.split('\n')[0], 'received,scheme,class,probability');
    const rows = parseCsv(csv);
    t.is(rows.length, 41 * 3 * 3); // N = 0..40, 3 schemes, 3 classes
    const ew9 = rows.filter((row) => row.scheme === 'ew' && row.received === 9).map((row) => row.probability as number);
    t.is(ew9.length, 3);
    t.true(rows.every((row) => typeof row.probability === 'number' && row.probability >= 0 && row.probability <= 1));
    // the PNG is the three panels at 2× (width ≈ 2·(3·280 + axes + legend)), and drawn on
    const img = decodePng(await readFile(join(out, 'fig2.png')));
    t.true(img.width > 1600 && img.width < 3000 && img.height > 500 && img.height < 900, `${img.width}×${img.height}`);
    t.true(nonBackgroundPixels(img) > 0.03 * img.width * img.height, 'lines, axes and text cover the picture');
    t.regex(r.stdout, /^backend: /, 'the backend line comes first');
    t.deepEqual((await readdir(out)).sort(), ['fig2.csv', 'fig2.png', 'fig2.svg', 'fig2.vl.json']);
    for (const f of ['fig2.csv', 'fig2.svg', 'fig2.png']) t.true(r.stdout.includes(f), `stdout names ${f}`);
  });
});

test('a bad --gamma via the command line exits non-zero, names the flag, writes nothing', async (t) => {
  await withTmp(async (dir) => {
    const out = join(dir, 'fig2');
    const r = await run(['--out', out, '--gamma', '0.5,0.4,0.05']);
    t.not(r.code, 0);
    t.regex(r.stderr, /^error: --gamma: .*sum to 1/);
    t.false(r.stderr.includes('    at '), 'no stack trace for a user error');
    t.false(existsSync(out));
  });
});

test('an unknown flag via the command line exits non-zero', async (t) => {
  await withTmp(async (dir) => {
    const out = join(dir, 'fig2');
    const r = await run(['--out', out, '--bogus', '1']);
    t.not(r.code, 0);
    t.regex(r.stderr, /^error: Unknown argument/i);
    t.false(existsSync(out));
  });
});

// The remaining checks call the command's exported entry point in-process (same parsing and
// validation, without paying a process start per case).
test('in-process: one scheme, other sizes, rows follow the flags', async (t) => {
  await withTmp(async (dir) => {
    const written = await fig2(['--out', dir, '--workers', '12', '--schemes', 'now', '--classes', '3,3,3', '--gamma', '0.40,0.35,0.25']);
    t.deepEqual(written, ['csv', 'svg', 'png', 'vl.json'].map((e) => join(dir, `fig2.${e}`)));
    const rows = parseCsv(await readFile(join(dir, 'fig2.csv'), 'utf8'));
    t.is(rows.length, 13 * 3);
    const at6 = rows.filter((row) => row.received === 6).map((row) => row.probability as number);
    t.true(Math.abs(at6[0] - 0.4557) < 5e-5);
  });
});

const BAD: Array<[string[], RegExp]> = [
  [['--gamma', '0.5,0.4,0.05'], /^--gamma: .*sum to 1/],
  [['--gamma', '0.5,0.5'], /^--gamma: .*3 entries/],
  [['--gamma', '0.5,abc,0.5'], /^--gamma: "abc" is not a number/],
  [['--gamma', '1.2,-0.2,0'], /^--gamma: .*≥ 0/],
  [['--classes', '1,2.5,6'], /^--classes: must be an integer \(got 2.5\)/],
  [['--classes', ''], /^--classes: /],
  [['--workers', '0'], /^--workers: /],
  [['--workers', 'abc'], /^--workers: /],
  [['--schemes', 'now,lt'], /^--schemes: .*now, ew, mds/],
  [['--bogus', '1'], /Unknown argument/i],
];

for (const [args, re] of BAD) {
  test(`in-process: ${args.join(' ')} is rejected before writing`, async (t) => {
    await withTmp(async (dir) => {
      const out = join(dir, 'fig2');
      const err = await t.throwsAsync(fig2(['--out', out, ...args]));
      t.true(isUserError(err), `user error, got ${err?.name}`);
      t.regex(cliMessage(err), re);
      t.false(existsSync(out));
    });
  });
}

test('a large --workers (still under the cap) reports each step, a small one only the backend line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fig2-progress-'));
  try {
    const lines: string[] = [];
    await fig2(['--out', join(dir, 'big'), '--workers', '1000', '--schemes', 'mds,now'], (l) => lines.push(l));
    t.is(lines.length, 4, lines.join('\n'));
    t.regex(lines[1], /^fig2: \[1\/2\] MDS decoding probabilities for N = 0\.\.1000 \([\d.]+ s\)$/);
    t.regex(lines[2], /^fig2: \[2\/2\] NOW decoding probabilities for N = 0\.\.1000 \([\d.]+ s\)$/);
    t.regex(lines[3], /^fig2: drawing 6006 points \([\d.]+ s\)$/); // 1001 N × 3 classes × 2 schemes
    const quiet: string[] = [];
    await fig2(['--out', join(dir, 'small'), '--workers', '12', '--schemes', 'now'], (l) => quiet.push(l));
    t.is(quiet.length, 1);
    t.regex(quiet[0], /^backend:/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--help prints the usage only: no backend line above it; defaults from the fig3 preset', async (t) => {
  const r = await run(['--help']);
  t.is(r.code, 0, r.stderr);
  t.notRegex(r.stdout, /backend:/);
  // (yargs may wrap a long help text: the default then ends the next line)
  t.regex(r.stdout, /--classes [^[]*\[string\] \[default: 1,2,6\]/);
  t.regex(r.stdout, /--workers [^[]*\[string\] \[default: 40\]/);
  t.regex(r.stdout, /--gamma [^[]*\[string\] \[default: 0\.35,0\.35,0\.3\]/);
  t.regex(r.stdout, /--out [^[]*\[string\] \[default: results\/fig2\]/);
});

test('a bad --classes via the command line prints error: --classes: … (one line)', async (t) => {
  const r = await run(['--classes', '1,0,6', '--out', join(tmpdir(), 'fig2-never')]);
  t.is(r.code, 1);
  t.regex(r.stderr, /^error: --classes: every class needs at least 1 block/);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('in-process: an empty class (--classes 1,0,6) is rejected, naming the flag', async (t) => {
  const err = await t.throwsAsync(fig2(['--classes', '1,0,6', '--out', join(tmpdir(), 'fig2-never')], () => {}));
  t.regex(cliMessage(err), /^--classes: every class needs at least 1 block, got 0 at position 2/);
});

test('--out under /proc or /sys is refused at once with one line, no stack trace', async (t) => {
  for (const out of ['/proc/fig2-out', '/sys/fig2-out']) {
    const r = await run(['--out', out]);
    t.is(r.code, 1, out);
    t.regex(r.stderr, /^error: --out: /, out);
    t.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('in-process: --out naming an existing file is rejected', async (t) => {
  await withTmp(async (dir) => {
    const file = join(dir, 'plain');
    await writeFile(file, 'x');
    const err = await t.throwsAsync(fig2(['--out', file]));
    t.regex(cliMessage(err), /^--out: .*not a directory/);
  });
});

test('number lists and exact decimal ranges (the catalogue parser)', (t) => {
  const ranges = (text: string, key = 'times') => parseValue(OPTIONS.times.kind, text, key) as number[];
  const times = ranges('0:5:0.05');
  t.is(times.length, 101);
  t.is(times[20], 1);
  t.is(times[34], 1.7);
  t.is(times[100], 5);
  t.true(times.every((v, i) => v === Number((i * 0.05).toFixed(2))));
  t.deepEqual(ranges('0.25,0.5,1,2'), [0.25, 0.5, 1, 2]);
  t.deepEqual(ranges('0:0.3:0.1,1'), [0, 0.1, 0.2, 0.3, 1]);
  t.deepEqual(ranges('1e-3:3e-3:1e-3'), [0.001, 0.002, 0.003]);
  t.deepEqual(parseValue(OPTIONS.gamma.kind, '0.35, 0.35,0.30', 'gamma'), [0.35, 0.35, 0.3]);
  t.deepEqual(parseValue(OPTIONS.paperSchemes.kind, 'NOW,ew', 'paperSchemes'), ['now', 'ew']);
  for (const [fn, re] of [
    [() => ranges('0:1:0'), /^times: .*step > 0/],
    [() => ranges('2:1:0.5'), /^times: .*stop ≥ start/],
    [() => ranges('0:1'), /^times: .*start:stop:step/],
    [() => parseValue(OPTIONS.gamma.kind, '1,,2', 'gamma'), /^gamma: /],
    [() => parseValue(OPTIONS.gamma.kind, ['1', '2'], 'gamma'), /^gamma: .*more than once/],
    [() => parseValue({ type: 'numbers', integer: true, length: 3 }, '1,2', 'k'), /^k: expected 3 values/],
    [() => parseValue(OPTIONS.workers.kind, '2.5', 'workers'), /^workers: /],
    [() => parseValue(OPTIONS.paperSchemes.kind, 'now,now', 'paperSchemes'), /^paperSchemes: .*twice/],
  ] as Array<[() => unknown, RegExp]>) {
    const err = t.throws(fn, { instanceOf: RangeError });
    t.regex(err!.message, re);
  }
});
