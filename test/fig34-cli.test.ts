import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isUserError } from '../experiments/cli-common.ts';
import { fig3 } from '../experiments/fig3.ts';
import { fig4 } from '../experiments/fig4.ts';
import { parseCsv, type CsvRow } from '../src/util/csv.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { decodePng, emptyRightColumns, nonBackgroundPixels } from './helpers/png.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(TSX, [join(ROOT, 'experiments', script), ...args], { cwd: ROOT, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fig34-cli-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The PNG has the chart's size at 2× (620×380 plot + axes, titles, legend), is drawn on, and has no wide empty margin. */
async function checkPictures(t: import('ava').ExecutionContext, out: string, name: string): Promise<void> {
  const img = decodePng(await readFile(join(out, `${name}.png`)));
  t.true(img.width > 1600 && img.width < 2600 && img.height > 800 && img.height < 1200, `${name}: ${img.width}×${img.height}`);
  t.true(nonBackgroundPixels(img) > 0.03 * img.width * img.height, `${name}: lines, points and text cover the picture`);
  t.true(emptyRightColumns(img) < 0.05 * img.width, `${name}: empty right margin ${emptyRightColumns(img)} px of ${img.width}`);
}

function count(rows: CsvRow[], method: string): number {
  return rows.filter((r) => r.method === method).length;
}

test('fig3 subprocess: few trials, coarse grid → CSV columns and rows, PNG, SVG, JSON sidecar', async (t) => {
  await withTmp(async (dir) => {
    const out = join(dir, 'fig3');
    const r = await run('fig3.ts', ['--out', out, '--trials', '300', '--times', '0:2:0.5', '--seed', '4', '--threads', '1']);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /seed 4/);
    t.regex(r.stderr, /300\/300 trials/, 'progress line');
    for (const f of ['fig3.csv', 'fig3.json', 'fig3.svg', 'fig3.png']) t.true(r.stdout.includes(f), `stdout names ${f}`);
    t.deepEqual((await readdir(out)).sort(), ['fig3.csv', 'fig3.json', 'fig3.png', 'fig3.svg', 'fig3.vl.json']);
    const csv = await readFile(join(out, 'fig3.csv'), 'utf8');
    t.is(csv.split('\n')[0], 't,scheme,granularity,method,normalized_loss,ci_low,ci_high,workers');
    const rows = parseCsv(csv);
    // 5 deadlines; formula for now/class, ew/class, mds/class; Monte Carlo for those and now/product, ew/product.
    t.is(count(rows, 'theory'), 3 * 5);
    t.is(count(rows, 'montecarlo'), 5 * 5);
    t.is(rows.length, 40);
    t.false(rows.some((row) => row.method === 'theory' && row.granularity === 'product'), 'no formula for product granularity');
    t.true(rows.filter((row) => row.scheme === 'mds').every((row) => row.granularity === 'class'));
    for (const row of rows) {
      const v = row.normalized_loss as number;
      t.true(Number.isFinite(v) && v >= 0);
      if (row.method === 'theory') t.true(row.ci_low === null && row.ci_high === null);
      else t.true((row.ci_low as number) <= v && v <= (row.ci_high as number));
    }
    await checkPictures(t, out, 'fig3');
    const json = JSON.parse(await readFile(join(out, 'fig3.json'), 'utf8'));
    t.is(json.seed, 4);
    t.is(json.trials, 300);
    t.deepEqual(json.times, [0, 0.5, 1, 1.5, 2]);
    t.is(json.confidence, 0.95);
    t.is(json.setup.workers, 40);
    t.is(json.setup.lambda, 0.25);
    t.deepEqual(json.setup.gamma, [0.35, 0.35, 0.3]);
    t.deepEqual(json.setup.variances, [10, 1, 0.1]);
    t.deepEqual(json.lines, ['now/class', 'now/product', 'ew/class', 'ew/product', 'mds/class']);
    const mds = json.diagnostics['mds/class'];
    t.is(mds.trialsWithABlockWorseThanNoEstimate, 0);
    t.true(mds.maxTrialLossAfterAllResults < 1e-10, `MDS worst trial loss ${mds.maxTrialLossAfterAllResults}`);
    t.false((await readFile(join(out, 'fig3.svg'), 'utf8')).includes('⚠'), 'no decode warning in the subtitle');
  });
});

test('fig4 subprocess: N = 0..W rows, PNG, SVG, JSON sidecar', async (t) => {
  await withTmp(async (dir) => {
    const out = join(dir, 'fig4');
    const r = await run('fig4.ts', ['--out', out, '--trials', '200', '--workers', '12', '--seed', '2', '--threads', '1', '--no-progress']);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /seed 2/);
    const csv = await readFile(join(out, 'fig4.csv'), 'utf8');
    t.is(csv.split('\n')[0], 'received,scheme,granularity,method,normalized_loss,ci_low,ci_high,workers');
    const rows = parseCsv(csv);
    t.is(count(rows, 'theory'), 3 * 13);
    t.is(count(rows, 'montecarlo'), 5 * 13);
    const mdsTheory = rows.filter((row) => row.scheme === 'mds' && row.method === 'theory');
    t.deepEqual(
      mdsTheory.map((row) => row.normalized_loss),
      Array.from({ length: 13 }, (_, n) => (n < 9 ? 1 : 0)),
    );
    await checkPictures(t, out, 'fig4');
    const json = JSON.parse(await readFile(join(out, 'fig4.json'), 'utf8'));
    t.is(json.seed, 2);
    t.is(json.setup.workers, 12);
    t.deepEqual(json.received, Array.from({ length: 13 }, (_, n) => n));
  });
});

test('fig3 subprocess: a bad flag exits non-zero, names the flag, writes nothing', async (t) => {
  await withTmp(async (dir) => {
    const out = join(dir, 'fig3');
    const r = await run('fig3.ts', ['--out', out, '--gamma', '0.5,0.4,0.05']);
    t.not(r.code, 0);
    t.regex(r.stderr, /^error: --gamma: .*sum to 1/);
    t.false(r.stderr.includes('    at '), 'no stack trace for a user error');
    t.false(existsSync(out));
  });
});

// In-process: the commands' exported entry points (same parsing and validation, no process start).
const BAD: Array<[string[], RegExp]> = [
  [['--gamma', '0.5,0.5'], /^--gamma: .*3 entries/],
  [['--gamma', '0.5,0.4,0.05'], /^--gamma: .*sum to 1/],
  [['--lambda', '-1'], /^--lambda: .*> 0/],
  [['--lambda', '0'], /^--lambda: .*> 0/],
  [['--K', '0'], /^--K: .*> 0/],
  [['--times', ''], /^--times: /],
  [['--times', '2:1:0.5'], /^--times: .*stop ≥ start/],
  [['--times=-1,1'], /^--times: .*≥ 0/],
  [['--trials', '0'], /^--trials: /],
  [['--trials', '1.5'], /^--trials: /],
  [['--seed', 'x'], /^--seed: /],
  [['--schemes', 'now,lt'], /^--schemes: .*now, ew, mds/],
  [['--schemes', 'uncoded,rep,uncoded'], /^--schemes: .*twice/],
  [['--granularities', 'class,block'], /^--granularities: /],
  [['--variances', '10,-1,0.1'], /^--variances: /],
  [['--variances', '10,1'], /^--gamma: .*2 entries/],
  [['--workers', '5'], /^--workers: .*MDS needs at least/],
  [['--U', '0'], /^--U: /],
  [['--confidence', '1.5'], /^--confidence: /],
  [['--ordering', 'size'], /^--ordering: /],
  [['--y-scale', 'cubic'], /^--y-scale: /],
  [['--threads', '0'], /^--threads: /],
  [['--threads', '257'], /^--threads: must be ≤ 256/],
  [['--seed', '-1'], /^--seed: must be ≥ 0/],
  [['--times', '0:20000:0.1'], /^--times: at most 100000 deadlines/],
  [['--variances', '0,0,0'], /^--variances: at least one variance must be > 0/],
  [['--confidence', '1'], /^--confidence: must be in \(0, 1\)/],
  [['--decode', 'qr'], /Unknown argument/i],
  [['--residual-check', '1e-6'], /Unknown argument/i],
  [['--bogus', '1'], /Unknown argument/i],
];

for (const [args, re] of BAD) {
  test(`fig3 in-process: ${args.join(' ')} is rejected before writing`, async (t) => {
    await withTmp(async (dir) => {
      const out = join(dir, 'fig3');
      // Few trials, in case a bad flag were accepted (the test then fails fast).
      const extra = args.includes('--trials') ? [] : ['--trials', '2', '--no-progress'];
      const err = await t.throwsAsync(fig3(['--out', out, ...extra, ...args], () => {}));
      t.true(isUserError(err), `user error, got ${err?.name}: ${err?.message}`);
      t.regex(cliMessage(err), re);
      t.false(existsSync(out));
    });
  });
}

test('fig3 subprocess: --trials 0 prints error: --trials: … and writes nothing', async (t) => {
  await withTmp(async (dir) => {
    const out = join(dir, 'fig3');
    const r = await run('fig3.ts', ['--out', out, '--trials', '0']);
    t.is(r.code, 1);
    t.regex(r.stderr, /^error: --trials: must be ≥ 1 \(got 0\)/);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.false(existsSync(out));
  });
});

test('fig3 and fig4 --help: every flag with its default, the setup from the fig3 preset', async (t) => {
  for (const [script, out] of [['fig3.ts', 'results/fig3'], ['fig4.ts', 'results/fig4']]) {
    const r = await run(script, ['--help']);
    t.is(r.code, 0, r.stderr);
    // (yargs may wrap a long help text: the default then ends the next line)
    const shows = (flag: string, value: string) => t.regex(r.stdout, new RegExp(`${flag} [^[]*\\[(string|boolean)\\][^\\n]*\\[default: ${value.replace(/[.]/g, '\\.')}\\]`), `${script} ${flag}`);
    shows('--workers', '40');
    shows('--gamma', '0.35,0.35,0.3');
    shows('--trials', '10000');
    shows('--seed', '1');
    shows('--variances', '10,1,0.1');
    shows('--threads', 'auto');
    shows('--y-scale', 'linear');
    shows('--out', out);
    if (script === 'fig3.ts') {
      shows('--lambda', '0.25');
      shows('--times', '0:5:0.05');
    } else t.notRegex(r.stdout, /--lambda|--times/);
  }
});

const BAD4: Array<[string[], RegExp]> = [
  [['--gamma', '0.2,0.2,0.2'], /^--gamma: .*sum to 1/],
  [['--trials', '0'], /^--trials: /],
  [['--schemes', 'lt'], /^--schemes: /],
  [['--times', '0:1:0.5'], /Unknown argument/i],
  [['--lambda', '1'], /Unknown argument/i],
];

for (const [args, re] of BAD4) {
  test(`fig4 in-process: ${args.join(' ')} is rejected before writing`, async (t) => {
    await withTmp(async (dir) => {
      const out = join(dir, 'fig4');
      const extra = args.includes('--trials') ? [] : ['--trials', '2', '--no-progress'];
      const err = await t.throwsAsync(fig4(['--out', out, ...extra, ...args], () => {}));
      t.true(isUserError(err), `user error, got ${err?.name}: ${err?.message}`);
      t.regex(cliMessage(err), re);
      t.false(existsSync(out));
    });
  });
}
