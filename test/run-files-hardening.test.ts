/**
 * Issue 19's "other defects" in the sweep's files and small commands: a header-only metrics.csv
 * is an unfinished run (warned about, not drawn); a corrupt config.json or metrics.csv is named;
 * a completed sweep's figure replaces the PARTIAL ones; journal:probs takes the user's flags over
 * its own defaults; fig2 caps W; the latency error lists trace:FILE.
 */
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { latencyChoiceProblem } from '../src/coded-backprop/index.ts';
import { OPTIONS } from '../src/config/index.ts';
import { drawFig6 } from '../src/training/fig6-draw.ts';
import { readRuns } from '../src/training/fig6-runs.ts';
import { UserError } from '../src/util/user-error.ts';
import { fig2 } from '../experiments/fig2.ts';
import { JOURNAL_PROBS_PRESET } from '../experiments/fig2.ts';
import { sink, useTempDir } from './helpers/io.ts';
import { gridSize, parseGrid, planGrid } from '../src/queue/grid.ts';
import { trainCommand } from '../experiments/train.ts';
import { MAX_NONFINITE_STEPS, RunDivergedError } from '../src/training/run.ts';

const tempDir = useTempDir('run-files-');
const HEADER = 'iteration,epoch,train_acc,train_loss,test_acc,workers_received,blocks_recovered\n';
const config = (scheme: string, seed: number) => JSON.stringify({ options: { scheme, seed, epochs: 1 }, result: { finalTestAccuracy: 0.5, msPerStep: 1, wallSeconds: 1, iterations: 2, backend: 'fake' } });

function run(out: string, name: string, metrics: string, cfg: string): void {
  const dir = join(out, 'runs', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.csv'), metrics);
  writeFileSync(join(dir, 'config.json'), cfg);
}

test('a header-only metrics.csv is not a finished run: skipped with a warning naming it', async (t) => {
  const out = join(tempDir(), 'header-only');
  run(out, 'baseline-seed1', `${HEADER}1,1,0.5,1,0.5,,\n2,1,0.6,0.9,0.6,,\n`, config('baseline', 1));
  run(out, 'baseline-seed2', HEADER, config('baseline', 2));
  const warnings: string[] = [];
  const runs = await readRuns(join(out, 'runs'), undefined, (m) => warnings.push(m));
  t.deepEqual(runs.map((r) => r.name), ['baseline-seed1']);
  t.is(warnings.length, 1);
  t.regex(warnings[0], /baseline-seed2\/metrics\.csv has no rows: baseline-seed2 is counted as not finished/);
});

test('a corrupt config.json or a binary metrics.csv is a one-line error naming the file', async (t) => {
  const out = join(tempDir(), 'corrupt');
  run(out, 'baseline-seed1', `${HEADER}1,1,0.5,1,0.5,,\n`, '{"options": ');
  const e1 = await t.throwsAsync(readRuns(join(out, 'runs')), { instanceOf: UserError });
  t.regex(e1!.message, /baseline-seed1\/config\.json is not valid JSON/);
  const out2 = join(tempDir(), 'binary');
  run(out2, 'baseline-seed1', Buffer.from([0, 1, 2, 255, 10, 0]).toString('latin1'), config('baseline', 1));
  const e2 = await t.throwsAsync(readRuns(join(out2, 'runs')), { instanceOf: UserError });
  t.regex(e2!.message, /baseline-seed1\/metrics\.csv/);
  t.false(e2!.message.includes('\n'));
});

test('drawing the complete sweep removes the figures and summary drawn while it was partial', async (t) => {
  const out = join(tempDir(), 'partial');
  run(out, 'baseline-seed1', `${HEADER}1,1,0.5,1,0.5,,\n2,1,0.6,0.9,0.6,,\n`, config('baseline', 1));
  const partial = await drawFig6(out, ['baseline-seed1'], { window: 1, partial: { present: 1, planned: 2 } });
  t.true(partial.some((p) => p.endsWith('summary-partial.csv')));
  t.true(existsSync(join(out, 'fig6-partial.png')));
  await drawFig6(out, ['baseline-seed1'], { window: 1 });
  t.true(existsSync(join(out, 'fig6.png')));
  for (const f of ['fig6-partial.png', 'fig6-partial.svg', 'fig6-partial-test.png', 'summary-partial.csv']) t.false(existsSync(join(out, f)), f);
});

test('journal:probs: its set-up is a default the user overrides (no "given more than once"), and it is the old script\'s', async (t) => {
  const out = join(tempDir(), 'probs');
  const lines: string[] = [];
  const written = await fig2(['--setup', 'journal', '--workers', '12', '--out', out], (l) => lines.push(l));
  const csv = readFileSync(written.find((p) => p.endsWith('.csv'))!, 'utf8');
  // W = 12 (the user's), three classes of 3 (the journal's): received 0..12, classes 1..3
  t.regex(csv, /\n12,\w+,3,/);
  t.notRegex(csv, /\n13,/);
  // without flags: the journal's values, as the npm script gave them
  const dflt = await fig2(['--setup', 'journal', '--out', join(out, 'd')], () => undefined);
  t.is(JOURNAL_PROBS_PRESET.workers, 30);
  const dcsv = readFileSync(dflt.find((p) => p.endsWith('.csv'))!, 'utf8');
  t.regex(dcsv, /\n30,\w+,3,/);
});

test('fig2 refuses W over its cap, naming --workers', async (t) => {
  const err = await t.throwsAsync(fig2(['--workers', '30000', '--out', join(tempDir(), 'cap')], () => undefined));
  t.regex(String((err as { flagMessage?: string }).flagMessage ?? err?.message), /--workers: fig2 computes at most W = 5000/);
});

test('the error for an unknown --latency lists trace:FILE too', (t) => {
  const check = OPTIONS.latency.check as (v: string) => string | undefined;
  const msg = check('foo') ?? '';
  t.regex(msg, /trace-pool:FILE/);
  t.regex(msg, /trace:FILE/);
  t.is(latencyChoiceProblem('exponential'), undefined);
});

test('train --lr 1e30: a warning at the first non-finite loss, then the run stops after the stated number of such steps, nothing written', async (t) => {
  const out = join(tempDir(), 'nan');
  const stdout = sink();
  const err = await t.throwsAsync(trainCommand(['--scheme', 'baseline', '--lr', '1e30', '--limit', '1280', '--epochs', '1', '--test-limit', '100', '--eval-every', '0', '--out', out], { stdout, handleSignals: false }), { instanceOf: RunDivergedError });
  t.regex(err!.message, new RegExp(`not finite for ${MAX_NONFINITE_STEPS} iterations in a row`));
  const warnings = stdout.text().split('\n').filter((l) => l.startsWith('warning:'));
  t.is(warnings.length, 1);
  t.regex(warnings[0], /training loss is (NaN|Infinity|-Infinity).*stops after 10 such iterations/);
  t.false(existsSync(out));
});

test('train refuses to replace a finished run made with other options unless --force', async (t) => {
  const out = join(tempDir(), 'train-overwrite');
  const base = ['--scheme', 'baseline', '--epochs', '1', '--test-limit', '100', '--eval-every', '0', '--out', out];
  await trainCommand([...base, '--limit', '640'], { stdout: sink(), handleSignals: false });
  const before = readFileSync(join(out, 'metrics.csv'), 'utf8');
  const err = await t.throwsAsync(trainCommand([...base, '--limit', '320'], { stdout: sink(), handleSignals: false }));
  t.regex(err!.message, /^--out: .* holds a finished run made with other options \(limit: 640 → 320\): give another --out, or --force/);
  t.is(readFileSync(join(out, 'metrics.csv'), 'utf8'), before);
  // the same options again: a rerun replaces it as before
  await trainCommand([...base, '--limit', '640'], { stdout: sink(), handleSignals: false });
  await trainCommand([...base, '--limit', '320', '--force'], { stdout: sink(), handleSignals: false });
  t.not(readFileSync(join(out, 'metrics.csv'), 'utf8'), before);
});

test('a sweep grid over the cap is refused before it is expanded, naming --yes; its size is counted exactly', (t) => {
  const huge = parseGrid(JSON.stringify({ schemes: ['baseline', 'ew', 'now'], tmax: [0.5, 1], seeds: [1, 2], vary: { lambda: Array.from({ length: 100 }, (_, i) => 0.1 + i / 100), lr: Array.from({ length: 100 }, (_, i) => 0.001 * (i + 1)) } }));
  t.is(gridSize(huge), 2 * (1 + 2 * 2) * 100 * 100);
  const err = t.throws(() => planGrid(huge));
  t.regex((err as unknown as { flagMessage: string }).flagMessage, /--grid: the grid makes 100000 runs, over the 1000 a sweep runs without --yes/);
  const small = parseGrid(JSON.stringify({ schemes: ['baseline', 'ew'], tmax: [1], seeds: [1, 2], vary: { lambda: [0.5, 1] } }));
  t.is(planGrid(small).runs.length, gridSize(small));
});
