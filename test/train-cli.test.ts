import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { trainCommand } from '../experiments/train.ts';
import { readRuns } from '../src/training/fig6-plot.ts';
import { TRAIN_SCHEMES } from '../src/config/index.ts';
import { isRunComplete, METRICS_COLUMNS, removeStalePartials } from '../src/training/index.ts';
import { parseCsv } from '../src/util/csv.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { sink, useTempDir } from './helpers/io.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'experiments', 'train.ts');

const tempDir = useTempDir('train-cli-');

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startChild(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise<Child>((res) => child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
}

const WORKERS: Record<string, number> = { uncoded: 9, rep: 18, mds: 15, now: 15, ew: 15, sysmds: 15, product: 16, bacc: 15 };
const SMALL = ['--limit', '320', '--epochs', '1', '--eval-every', '1000', '--test-limit', '500', '--tmax', '1'];

// One in-process smoke run per scheme (5 steps each): files well-formed and complete.
for (const scheme of TRAIN_SCHEMES) {
  test.serial(`${scheme}: metrics.csv and config.json are well-formed and complete`, async (t) => {
    const out = join(tempDir(), `smoke-${scheme}`);
    const so = sink();
    const res = await trainCommand(['--scheme', scheme, ...SMALL, '--out', out], { stdout: so, handleSignals: false });
    t.regex(so.text(), /^backend: \w+\n/);
    t.regex(so.text(), /final test accuracy: 0\.\d{4}/);
    t.deepEqual(readdirSync(tempDir()).filter((n) => n.startsWith(`smoke-${scheme}.`)), [], 'no temporary directory left');
    t.deepEqual(readdirSync(out).sort(), ['config.json', 'metrics.csv']);
    t.true(isRunComplete(out));

    const text = await readFile(join(out, 'metrics.csv'), 'utf8');
    t.is(text.split('\n')[0], METRICS_COLUMNS.join(','));
    const rows = parseCsv(text);
    t.is(rows.length, 5, '320 examples / batch 64');
    t.is(res.iterations, 5);
    rows.forEach((r, i) => {
      t.is(r.iteration, i + 1);
      t.is(r.epoch, 1);
      t.true(typeof r.train_acc === 'number' && r.train_acc >= 0 && r.train_acc <= 1);
      t.true(typeof r.train_loss === 'number' && Number.isFinite(r.train_loss));
      if (scheme === 'baseline') {
        t.is(r.workers_received, null);
        t.is(r.blocks_recovered, null);
        t.is(r.blocks_withheld, null);
      } else {
        t.true(Number.isInteger(r.workers_received) && (r.workers_received as number) <= 6 * (res.meanWorkersReceived === null ? 0 : WORKERS[scheme]));
        t.true(Number.isInteger(r.blocks_recovered) && Number.isInteger(r.blocks_withheld));
        t.true((r.blocks_recovered as number) + (r.blocks_withheld as number) <= 54, 'recovered and withheld are disjoint');
        t.true((r.step_ms as number) > 0);
      }
      t.is(r.late, null, 'late/rejected replies exist only on real runtimes');
      t.is(r.rejected, null);
    });
    t.is(rows.filter((r) => r.test_acc !== null).length, 1, 'evaluated at the epoch end only');
    t.is(rows[4].test_acc, res.finalTestAccuracy);

    const cfg = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    for (const k of ['options', 'coded', 'backend', 'versions', 'data', 'startedAt', 'endedAt', 'result']) t.true(k in cfg, k);
    t.is(cfg.options.scheme, scheme);
    t.is(cfg.options.seed, 1);
    t.is(cfg.options.epochs, 1);
    t.is(cfg.options.lr, 0.01);
    t.is(cfg.options.batch, 64);
    t.is(cfg.options.evalEvery, 1000);
    t.is(cfg.data.trainExamples, 320);
    t.is(cfg.data.testExamples, 500);
    t.is(cfg.versions.node, process.version);
    t.is(cfg.versions.tfjs, tf.version.tfjs);
    t.is(cfg.seed, 1);
    t.is(cfg.runtime, 'sim');
    t.true(Date.parse(cfg.endedAt) >= Date.parse(cfg.startedAt));
    t.is(cfg.result.finalTestAccuracy, res.finalTestAccuracy);
    if (scheme === 'baseline') {
      t.is(cfg.coded, null);
      t.is(cfg.options.tmax, null);
      t.is(cfg.result.meanWorkersReceived, null);
    } else {
      const W = WORKERS[scheme];
      t.is(cfg.options.workers, W, 'Table III default');
      t.is(cfg.coded.workers, W);
      t.is(cfg.options.tmax, 1);
      t.is(cfg.options.lambda, 0.5);
      t.is(cfg.coded.K, 9 / W, 'W scaling');
      t.is(cfg.options.granularity, 'class');
      // Each step sends six products to W workers, each arriving by T_max = 1 with probability
      // F(K·1) = 1 − exp(−λ·K): the mean per-step count over the 5 steps lies within 4.5 standard
      // errors of 6·W·F.
      const F = 1 - Math.exp(-0.5 * (9 / W));
      const sd = Math.sqrt((6 * W * F * (1 - F)) / rows.length);
      t.true(Math.abs(cfg.result.meanWorkersReceived - 6 * W * F) < 4.5 * sd, `${cfg.result.meanWorkersReceived} vs ${6 * W * F} ± ${sd}`);
    }
  });
}

test.serial('baseline: loss falls and test accuracy ends well above chance', async (t) => {
  const out = join(tempDir(), 'learn');
  const args = ['--scheme', 'baseline', '--limit', '1920', '--epochs', '1', '--lr', '0.1', '--test-limit', '1000', '--out', out];
  const res = await trainCommand(args, { stdout: sink(), handleSignals: false });
  const rows = parseCsv(await readFile(join(out, 'metrics.csv'), 'utf8'));
  t.is(rows.length, 30);
  const mean = (rs: typeof rows) => rs.reduce((a, r) => a + (r.train_loss as number), 0) / rs.length;
  const first = mean(rows.slice(0, 5));
  const last = mean(rows.slice(-5));
  t.log(`loss ${first.toFixed(3)} → ${last.toFixed(3)}, test acc ${res.finalTestAccuracy}`);
  t.true(last < 0.7 * first);
  t.true(res.finalTestAccuracy > 0.5);
});

// Bad flags, in process: each names its flag and leaves no directory.
const BAD: Array<[string[], RegExp]> = [
  [['--scheme', 'turbo'], /^--scheme: 'turbo' is not one of baseline, /],
  [['--tmax', '0'], /^--tmax: must be > 0/],
  [['--tmax', '-1'], /^--tmax: must be > 0/],
  [['--epochs', '0'], /^--epochs: must be ≥ 1/],
  [['--batch', '400', '--limit', '300'], /^--batch: 400 is larger than the 300 training examples/],
  [['--lambda', '0'], /^--lambda: must be > 0/],
  [['--gamma', '0.5,0.5,0.5'], /^--gamma: .*sum to 1/],
  [['--gamma', '0.5,0.5'], /^--gamma: /],
  [['--workers', '0'], /^--workers: /],
  [['--granularity', 'row'], /^--granularity: 'row' is not one of class, product/],
  [['--limit', '70000'], /^--limit: 70000 exceeds the 60000/],
  [['--test-limit', '20000'], /^--test-limit: 20000 exceeds the 10000/],
  [['--eval-every', '-1'], /^--eval-every: /],
  [['--data-dir', '/nonexistent/mnist'], /^--data-dir: .*does not exist/],
  [['--data-dir', '.'], /^--data-dir: .*train-images-idx3-ubyte: file not found/],
  [['--bogus', '1'], /Unknown argument/],
];
for (const [args, re] of BAD) {
  test.serial(`bad flags ${args.join(' ')} → error naming the flag, nothing written`, async (t) => {
    const out = join(tempDir(), `bad-${args.join('_').replace(/[^\w.-]/g, '')}`);
    const err = await t.throwsAsync(trainCommand([...args, '--out', out], { stdout: sink(), handleSignals: false }));
    t.regex(cliMessage(err), re);
    t.false(existsSync(out));
    t.deepEqual(readdirSync(tempDir()).filter((n) => n.startsWith(`${out.split('/').pop()}.`)), []);
  });
}

test('as a command: a bad flag exits non-zero with the flag named and writes nothing', async (t) => {
  const out = join(tempDir(), 'cli-bad');
  const [a, b] = await Promise.all([
    startChild(['--scheme', 'turbo', '--out', out]).done,
    startChild(['--data-dir', tempDir(), '--out', out]).done,
  ]);
  t.is(a.code, 1);
  t.regex(a.stderr, /^error: --scheme: 'turbo'/);
  t.is(b.code, 1);
  t.regex(b.stderr, /^error: --data-dir: .*train-images-idx3-ubyte: file not found/);
  t.false(b.stderr.includes('    at '), 'no stack trace for a user error');
  t.false(existsSync(out));
});

/** Waits until `dir` holds a metrics.csv with more than a header (rows are written every 256 steps). */
async function waitForRows(dir: string, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      if ((await readFile(join(dir, 'metrics.csv'), 'utf8')).split('\n').length > 3) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no rows in ${dir} after ${timeoutMs} ms`);
}

for (const sig of ['SIGINT', 'SIGKILL'] as const) {
  test(`a run interrupted by ${sig} leaves nothing that counts as complete`, async (t) => {
    const parent = join(tempDir(), `kill-${sig}`);
    const out = join(parent, 'run');
    // A full epoch of 938 steps takes several seconds: long enough to interrupt mid-run.
    const c = startChild(['--scheme', 'uncoded', '--epochs', '1', '--eval-every', '0', '--test-limit', '500', '--out', out]);
    const partial = join(parent, `run.partial-${c.child.pid}`);
    await waitForRows(partial);
    t.false(existsSync(out));
    c.child.kill(sig);
    const r = await c.done;
    t.regex(r.stdout, /^backend: \w+/);
    t.false(existsSync(out), 'the final directory never appears');
    t.false(isRunComplete(out));
    t.deepEqual(await readRuns(parent), [], 'fig6 sees no finished run');
    if (sig === 'SIGINT') {
      t.is(r.code, 130);
      t.regex(r.stderr, /interrupted/);
      t.false(existsSync(partial), 'the temporary directory is removed');
    } else {
      t.is(r.signal, 'SIGKILL');
      t.true(existsSync(partial), 'a killed run cannot clean up…');
      t.false(existsSync(join(partial, 'config.json')), '…but its directory has no config.json and is not the final name');
      t.deepEqual(removeStalePartials(out), [partial], 'and the next run of that directory removes it');
      t.false(existsSync(partial));
    }
  });
}

test('Ctrl-C in a terminal (SIGINT to the whole process group of `npm run train`) stops cleanly', async (t) => {
  const parent = join(tempDir(), 'ctrl-c');
  const out = join(parent, 'run');
  // detached: the npm process leads a new process group, as a terminal's foreground job does.
  const child = spawn('npm', ['run', '--silent', 'train', '--', '--scheme', 'uncoded', '--epochs', '1', '--eval-every', '0', '--test-limit', '500', '--out', out], {
    cwd: ROOT,
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  // Wait until a partial directory with rows exists (the run is mid-way).
  const started = Date.now();
  let partial: string | undefined;
  while (!partial && Date.now() - started < 120_000) {
    await new Promise((r) => setTimeout(r, 100));
    partial = existsSync(parent) ? readdirSync(parent).find((n) => n.startsWith('run.partial-')) : undefined;
  }
  t.truthy(partial, 'the run started');
  await new Promise((r) => setTimeout(r, 300));
  process.kill(-(child.pid as number), 'SIGINT');
  const { code, signal } = await done;
  // npm re-raises the signal on itself after its child exits (the shell then reports 130).
  t.true(code === 130 || signal === 'SIGINT', `code ${code}, signal ${signal}; stdout: ${stdout}\nstderr: ${stderr}`);
  t.regex(stderr, /SIGINT: stopping after this step/);
  t.regex(stderr, /interrupted: no output directory written/);
  t.deepEqual(readdirSync(parent), [], 'neither the run nor its temporary directory remains');
});
