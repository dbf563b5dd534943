import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isRunComplete } from '../src/training/index.ts';
import { startRunPool } from '../src/training/run-pool.ts';
import { planSweep, runSweep } from '../src/training/sweep.ts';
import { useTempDir } from './helpers/io.ts';

const ROOT = resolve(import.meta.dirname, '..');
const tempDir = useTempDir('run-executor-');

function run(cmd: string, args: string[], opts: { detached?: boolean } = {}) {
  const child = spawn(cmd, args, { cwd: ROOT, detached: opts.detached });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) =>
    child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** metrics.csv without its step_ms column (wall-clock time, the only column allowed to differ). */
async function metricsWithoutTiming(dir: string): Promise<string> {
  const lines = (await readFile(join(dir, 'metrics.csv'), 'utf8')).split('\n');
  const col = lines[0].split(',').indexOf('step_ms');
  if (col < 0) throw new Error('no step_ms column');
  return lines.map((l) => l.split(',').filter((_, i) => i !== col).join(',')).join('\n');
}

test('a run trained second in a persistent run process writes the same metrics.csv as `npm run train`', async (t) => {
  const opts = { limit: 640, testLimit: 500, evalEvery: 3, epochs: 1 };
  const flags = ['--limit', '640', '--test-limit', '500', '--eval-every', '3', '--epochs', '1'];
  const alone = join(tempDir(), 'alone');
  const child = run(process.execPath, ['--import', 'tsx', join(ROOT, 'experiments', 'train.ts'), '--scheme', 'ew', '--tmax', '1', '--seed', '2', ...flags, '--out', alone]);

  // The same run through one persistent process, after another run (state must not carry over).
  const out = join(tempDir(), 'sweep');
  const plan = planSweep({ schemes: ['baseline', 'ew'], tmaxes: [1], seeds: [2], common: opts });
  const pool = startRunPool(1);
  const res = await runSweep(plan, out, { jobs: 1, launch: pool.launch }).finally(() => pool.close());
  t.is(pool.started(), 1, 'one process trained both runs');
  t.deepEqual(res.ran.map((r) => r.name), ['baseline-seed2', 'ew-tmax1-seed2']);
  const log = await readFile(join(out, 'logs', 'ew-tmax1-seed2.log'), 'utf8');
  t.regex(log, /run 2 of this process/);
  t.regex(log, /tensors 0 before, 0 after; data loads in this process 1/);

  const r = await child.done;
  t.is(r.code, 0, r.stderr);
  const swept = join(out, 'runs', 'ew-tmax1-seed2');
  t.true(isRunComplete(swept));
  const a = await metricsWithoutTiming(alone);
  t.is(a.split('\n').filter(Boolean).length, 11, 'header + 10 steps');
  t.is(await metricsWithoutTiming(swept), a);
  const cfg = (dir: string) => readFile(join(dir, 'config.json'), 'utf8').then((s) => JSON.parse(s) as { options: unknown; coded: unknown; result: { finalTestAccuracy: number } });
  const [ca, cs] = await Promise.all([cfg(alone), cfg(swept)]);
  t.deepEqual(cs.options, ca.options);
  t.deepEqual(cs.coded, ca.coded);
  t.is(cs.result.finalTestAccuracy, ca.result.finalTestAccuracy);
});

test('Ctrl-C (SIGINT to the process group of `npm run fig6`) keeps finished runs and leaves no partial directory', async (t) => {
  const out = join(tempDir(), 'ctrl-c');
  // detached: npm leads a new process group, as a terminal's foreground job does.
  const c = run('npm', ['run', '--silent', 'fig6', '--', '--schemes', 'baseline,uncoded', '--tmax', '1', '--seeds', '1', '--epochs', '1',
    '--limit', '19200', '--eval-every', '0', '--test-limit', '500', '--jobs', '1', '--out', out], { detached: true });
  const runs = join(out, 'runs');
  const started = Date.now();
  let partial: string | undefined;
  while (!partial && Date.now() - started < 180_000) {
    await new Promise((r) => setTimeout(r, 100));
    partial = existsSync(runs) ? readdirSync(runs).find((n) => n.startsWith('uncoded-tmax1-seed1.partial-')) : undefined;
    if (partial && !existsSync(join(runs, partial, 'metrics.csv'))) partial = undefined;
  }
  t.truthy(partial, 'the second run started');
  process.kill(-(c.child.pid as number), 'SIGINT');
  const r = await c.done;
  t.true(r.code === 130 || r.signal === 'SIGINT', `code ${r.code}, signal ${r.signal}; ${r.stdout}\n${r.stderr}`);
  t.regex(r.stdout, /1 trained, 0 skipped \(complete\), 1 failed, 0 not started/);
  t.true(isRunComplete(join(runs, 'baseline-seed1')));
  t.deepEqual(readdirSync(runs), ['baseline-seed1'], 'the interrupted run left no directory');
  t.regex(await readFile(join(out, 'logs', 'uncoded-tmax1-seed1.log'), 'utf8'), /interrupted: no output directory written/);
});
