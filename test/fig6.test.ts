import test from 'ava';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fig6 } from '../experiments/fig6.ts';
import { plot6 } from '../experiments/plot6.ts';
import { movingAverage, readRuns, SUMMARY_COLUMNS } from '../src/training/fig6-plot.ts';
import { FIG6_SCHEMES, FIG6_TMAX } from '../src/config/index.ts';
import { planSweep, runSweep, type Launcher } from '../src/training/sweep.ts';
import { parseCsv } from '../src/util/csv.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { sink, useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('fig6-');

const TINY = ['--schemes', 'baseline,ew', '--tmax', '1', '--seeds', '1', '--limit', '320', '--epochs', '1', '--eval-every', '2', '--test-limit', '300', '--jobs', '2'];

test.serial('a tiny sweep runs, resumes without re-running, draws the figures; plot6 redraws them', async (t) => {
  const out = join(tempDir(), 'sweep');
  const so = sink();
  const first = await fig6([...TINY, '--out', out], { stdout: so, handleSignals: false });
  t.log(so.text());
  t.deepEqual(first.outcome.ran.map((r) => r.name).sort(), ['baseline-seed1', 'ew-tmax1-seed1']);
  t.is(first.outcome.failed.length, 0);
  t.regex(so.text(), /\[2\/2\] done .*: test acc 0\.\d{4}/);
  const files = ['fig6.png', 'fig6.svg', 'fig6.vl.json', 'fig6-test.png', 'fig6-test.svg', 'fig6-test.vl.json', 'summary.csv'];
  for (const f of files) t.true(existsSync(join(out, f)), f);
  t.deepEqual([...(await readFile(join(out, 'fig6.png'))).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  t.true((await readFile(join(out, 'fig6.svg'), 'utf8')).includes('moving average over 50 iterations'));

  const summaryText = await readFile(join(out, 'summary.csv'), 'utf8');
  t.is(summaryText.split('\n')[0], SUMMARY_COLUMNS.join(','));
  const summary = parseCsv(summaryText);
  t.is(summary.length, 2);
  t.like(summary[0], { scheme: 'baseline', tmax: null, seed: 1, mean_workers_received: null });
  t.like(summary[1], { scheme: 'ew', tmax: 1, seed: 1 });
  t.true((summary[1].mean_workers_received as number) >= 0 && (summary[1].mean_workers_received as number) <= 90);
  t.true((summary[1].ms_per_step as number) > 0);

  // Resume: everything is complete, nothing runs, the figures are redrawn.
  const so2 = sink();
  const second = await fig6([...TINY, '--out', out], { stdout: so2, handleSignals: false });
  t.is(second.outcome.ran.length, 0);
  t.is(second.outcome.skipped.length, 2);
  t.regex(so2.text(), /skip +baseline-seed1: already complete/);

  // Same directory, other options: refused, naming --out and the difference.
  const err = await t.throwsAsync(fig6([...TINY.map((a, i) => (TINY[i - 1] === '--epochs' ? '2' : a)), '--out', out], { stdout: sink(), handleSignals: false }));
  t.regex(cliMessage(err), /^--out: .*other options: baseline-seed1 \(epochs: 1 → 2\)/);

  // plot6 redraws from the files only, ignoring an unfinished run directory.
  mkdirSync(join(out, 'runs', 'ew-tmax2-seed1.partial-999999'), { recursive: true });
  writeFileSync(join(out, 'runs', 'ew-tmax2-seed1.partial-999999', 'metrics.csv'), 'iteration\n1\n');
  const before = statSync(join(out, 'fig6.png')).mtimeMs;
  await new Promise((r) => setTimeout(r, 20));
  const written = await plot6(['--out', out]);
  t.deepEqual(written.map((p) => p.slice(out.length + 1)).sort(), files.slice().sort());
  t.true(statSync(join(out, 'fig6.png')).mtimeMs > before);
  t.is(parseCsv(await readFile(join(out, 'summary.csv'), 'utf8')).length, 2);

  // A sweep with a planned run missing is drawn only as PARTIAL, under other file names.
  const plan = JSON.parse(await readFile(join(out, 'sweep.json'), 'utf8')) as { runs: string[] };
  t.deepEqual(plan.runs.sort(), ['baseline-seed1', 'ew-tmax1-seed1']);
  writeFileSync(join(out, 'sweep.json'), JSON.stringify({ runs: [...plan.runs, 'now-tmax1-seed1'] }));
  const said: string[] = [];
  const partial = await plot6(['--out', out], (l) => said.push(l));
  t.deepEqual(partial.map((p) => p.slice(out.length + 1)).sort(), ['fig6-partial-test.png', 'fig6-partial-test.svg', 'fig6-partial-test.vl.json', 'fig6-partial.png', 'fig6-partial.svg', 'fig6-partial.vl.json', 'summary-partial.csv']);
  t.regex(said.join('\n'), /not complete \(2 of 3 runs\)/);
  t.regex(await readFile(join(out, 'fig6-partial.svg'), 'utf8'), /PARTIAL \(2 of 3 runs\)/);
  // One evaluation point per run: the iteration axis still has integer tick labels.
  t.notRegex(await readFile(join(out, 'fig6-test.svg'), 'utf8'), />\d+\.0{3,}</);
});

test('plot6 on a directory without runs names --out', async (t) => {
  const err = await t.throwsAsync(plot6(['--out', join(tempDir(), 'nothing-here')]));
  t.regex(cliMessage(err), /^--out: /);
});

test('bad fig6 flags name the flag before anything runs', async (t) => {
  const out = join(tempDir(), 'bad');
  for (const [args, re] of [
    [['--schemes', 'baseline,turbo'], /^--schemes: 'turbo' is not one of/],
    [['--tmax', '0.5,0'], /^--tmax: /],
    [['--seeds', '1,1'], /^--seeds: /],
    [['--epochs', '0'], /^--epochs: /],
    [['--jobs', '0'], /^--jobs: /],
    [['--lambda', '-1'], /^--lambda: /],
    [['--limit', '0'], /^--limit: /],
  ] as Array<[string[], RegExp]>) {
    const err = await t.throwsAsync(fig6([...args, '--out', out], { stdout: sink(), handleSignals: false }));
    t.regex(cliMessage(err), re, args.join(' '));
  }
  t.false(existsSync(out));
});

test('the default grid: baseline once per seed, every other scheme per T_max and seed', (t) => {
  const plan = planSweep({ schemes: FIG6_SCHEMES, tmaxes: FIG6_TMAX, seeds: [1, 2, 3], common: { epochs: 3 } });
  t.is(plan.length, 3 * (1 + 4 * 4));
  t.is(new Set(plan.map((r) => r.name)).size, plan.length);
  t.is(plan.filter((r) => r.scheme === 'baseline').length, 3);
  t.deepEqual(plan.slice(0, 2).map((r) => r.name), ['baseline-seed1', 'uncoded-tmax0.25-seed1']);
  const ew = plan.find((r) => r.name === 'ew-tmax0.5-seed2');
  t.deepEqual(ew?.args, ['--scheme', 'ew', '--seed', '2', '--tmax', '0.5', '--epochs', '3']);
  t.is(ew?.resolved.workers, 15);
});

test('an interrupted or failing sweep keeps every finished run', async (t) => {
  const out = join(tempDir(), 'fake');
  const plan = planSweep({ schemes: ['baseline', 'uncoded'], tmaxes: [1, 2], seeds: [1], common: { epochs: 1 } });
  const controller = new AbortController();
  const killed: string[] = [];
  // A fake launcher: writes a finished run for baseline, fails uncoded-tmax1, and aborts the sweep.
  const launch: Launcher = (run, dir) => {
    if (run.scheme === 'baseline') {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'metrics.csv'), 'iteration,epoch,train_acc,train_loss,test_acc,workers_received,blocks_recovered\n1,1,0.5,1,0.5,,\n');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ options: { scheme: 'baseline', seed: 1, epochs: 1 }, result: { finalTestAccuracy: 0.5, msPerStep: 1, wallSeconds: 1, iterations: 1, backend: 'fake' } }));
      return { done: Promise.resolve({ code: 0, signal: null }), kill: () => undefined };
    }
    controller.abort();
    return { done: Promise.resolve({ code: 130, signal: null }), kill: (s) => void killed.push(`${run.name}:${s}`) };
  };
  const res = await runSweep(plan, out, { jobs: 1, launch, signal: controller.signal });
  t.deepEqual(res.ran.map((r) => r.name), ['baseline-seed1']);
  t.deepEqual(res.failed.map((r) => r.name), ['uncoded-tmax1-seed1']);
  t.deepEqual(res.notStarted.map((r) => r.name), ['uncoded-tmax2-seed1']);
  t.deepEqual((await readRuns(join(out, 'runs'))).map((r) => r.name), ['baseline-seed1']);
});

test('movingAverage is centred and truncated at the ends', (t) => {
  t.deepEqual(movingAverage([1, 2, 3, 4, 5], 3), [1.5, 2, 3, 4, 4.5]);
  t.deepEqual(movingAverage([1, 2, 3], 1), [1, 2, 3]);
  t.deepEqual(movingAverage([2, 4], 50), [3, 3]);
});

test.serial('fig6 --partition cxr: the coded runs use the c×r partition; an r×c rerun into the same folder is refused naming the partition', async (t) => {
  const out = join(tempDir(), 'cxr');
  const args = ['--schemes', 'ew', '--tmax', '1', '--seeds', '1', '--epochs', '1', '--limit', '192', '--test-limit', '100', '--jobs', '1', '--out', out];
  await fig6([...args, '--partition', 'cxr'], { stdout: sink(), handleSignals: false });
  const cfg = JSON.parse(await readFile(join(out, 'runs', 'ew-tmax1-seed1', 'config.json'), 'utf8'));
  t.is(cfg.coded.partition, 'cxr');
  await t.throwsAsync(fig6(args, { stdout: sink(), handleSignals: false }), { message: /partition: cxr → rxc/ });
});
