/**
 * The report's scanner (src/report/scan.ts) on a hand-made results tree: figure folders found by
 * their files, every run state (done, running from its partial directory's status.json, failed
 * from the sweep's status file with its log's tail, queued from sweep.json), curves thinned by
 * means, unreadable files listed by path while the rest is read; the report and serve commands'
 * bad-input messages.
 */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { report } from '../experiments/report.ts';
import { serve } from '../experiments/serve.ts';
import { lineChart } from '../src/plot/index.ts';
import { MAX_STEP_POINTS, ReportInputError, scanResults, startReportServer } from '../src/report/index.ts';
import { metricsCurve } from '../src/report/run-files.ts';
import { METRICS_COLUMNS, formatMetricsRow } from '../src/training/metrics-file.ts';
import { parseRunStatus, readStatusFile, runStatus, sweepStatusPath, writeRunStatus, writeStatusFile } from '../src/training/run-status.ts';
import { planSweep, runSweep, type Launcher } from '../src/training/sweep.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('report-scan-');

const header = METRICS_COLUMNS.join(',') + '\n';
/** metrics.csv of `n` steps: train_acc = i/n, blocks_recovered = i, test every 10 steps. */
function metricsText(n: number): string {
  let s = header;
  for (let i = 1; i <= n; i++) s += formatMetricsRow({ iteration: i, epoch: 1, train_acc: i / n, train_loss: 1, test_acc: i % 10 === 0 ? i / (2 * n) : undefined, workers_received: 12, blocks_recovered: i, blocks_withheld: 0, step_ms: 1 });
  return s;
}
function config(scheme: string, seed: number, extra: Record<string, unknown> = {}) {
  return {
    command: 'train', seed, runtime: 'sim',
    options: { scheme, seed, tmax: scheme === 'baseline' ? 'Infinity' : 0.5, ...extra },
    coded: scheme === 'baseline' ? null : { latency: { model: 'exponential', lambda: 0.5 } },
    result: { finalTestAccuracy: 0.9, wallSeconds: 3.5, meanClassRecovered: scheme === 'baseline' ? null : [4.5, 1.25, 0] },
  };
}
function writeRun(dir: string, cfg: unknown, metrics: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), typeof cfg === 'string' ? cfg : JSON.stringify(cfg));
  writeFileSync(join(dir, 'metrics.csv'), metrics);
}

test('metricsCurve keeps every test point and thins the steps to means over bins', (t) => {
  const n = 1000;
  const c = metricsCurve(metricsText(n));
  t.is(c.steps, n);
  t.is(c.test.length, n / 10);
  t.deepEqual(c.test[0], [10, 10 / (2 * n)]);
  const per = Math.ceil(n / MAX_STEP_POINTS); // 9 steps a bin
  t.is(c.it.length, Math.ceil(n / per));
  t.is(c.it[0], per);
  t.is(c.blocks[0], (1 + per) / 2, 'mean of blocks 1..per');
  t.is(c.it[c.it.length - 1], n);
  t.is(c.late[0], null, 'an empty column stays empty');
  // a running run's file may end in half a row: only whole lines count
  const partial = metricsCurve(metricsText(20) + '21,1,0.5', true);
  t.is(partial.steps, 20);
  t.throws(() => metricsCurve('a,b\n1,2\n'), { message: /no "iteration" column/ });
  t.throws(() => metricsCurve(header + `x${',1'.repeat(10)}\n`), { message: /row 2: iteration "x" is not a number/ });
  t.throws(() => metricsCurve(header + '1,1\n'), { message: /CSV error at row 2: Too few fields/ });
});

test('the scan finds figures and runs in every state, lists unreadable files, reads the rest', async (t) => {
  const root = join(tempDir(), 'results');
  // a figure folder: a spec, its CSV and sidecar
  const fig = join(root, 'figA');
  mkdirSync(fig, { recursive: true });
  const spec = lineChart({ x: { field: 'x', title: 'x' }, y: { field: 'y', title: 'y' }, color: { field: 's', title: 's' }, lines: [{ x: 0, y: 1, s: 'a' }, { x: 1, y: 2, s: 'a' }] });
  writeFileSync(join(fig, 'a.vl.json'), JSON.stringify(spec));
  writeFileSync(join(fig, 'a.csv'), 'x,y\n0,1\n');
  writeFileSync(join(fig, 'a.json'), '{}');
  writeFileSync(join(fig, 'broken.vl.json'), '{nope');
  // a sweep: done, running, failed, queued
  const sweep = join(root, 'sweep');
  const runs = join(sweep, 'runs');
  mkdirSync(runs, { recursive: true });
  writeFileSync(join(sweep, 'sweep.json'), JSON.stringify({ runs: ['baseline-seed1', 'ew-tmax0.5-seed1', 'ew-tmax1-seed1', 'now-tmax0.5-seed2'] }));
  writeRun(join(runs, 'baseline-seed1'), config('baseline', 1, { dataset: 'fashion', model: 'cnn' }), metricsText(30));
  const partial = join(runs, 'ew-tmax0.5-seed1.partial-4242');
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, 'metrics.csv'), metricsText(12) + '13,1');
  await writeRunStatus(partial, runStatus('running', { step: 12, totalSteps: 40, epoch: 1, trainAcc: 0.5, testAcc: NaN }));
  await writeStatusFile(sweepStatusPath(join(runs, 'ew-tmax1-seed1')), runStatus('failed', { step: 0, totalSteps: 0, epoch: 0 }, 'exit code 1'));
  mkdirSync(join(sweep, 'logs'), { recursive: true });
  writeFileSync(join(sweep, 'logs', 'ew-tmax1-seed1.log'), Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  // unreadable runs in another folder
  writeRun(join(root, 'other', 'runs', 'bad-config'), '{"options": ', metricsText(3));
  writeRun(join(root, 'other', 'runs', 'bad-metrics'), config('ew', 3), 'a,b\n1,2\n');
  writeRun(join(root, 'other', 'runs', 'ew-tmax2-seed3'), config('ew', 3), metricsText(5));

  const m = scanResults([root], { href: (p) => `href:${p}`, base: root });
  t.deepEqual(m.figures.map((f) => f.path), ['figA']);
  t.deepEqual(m.figures[0].charts.map((c) => c.name), ['a']);
  t.deepEqual(m.figures[0].charts[0].spec, JSON.parse(JSON.stringify(spec)));
  t.deepEqual(m.figures[0].files.map((f) => [f.name, f.kind]), [['a.csv', 'csv'], ['a.json', 'json'], ['a.vl.json', 'spec']]);
  t.is(m.figures[0].files[0].href, `href:${join(fig, 'a.csv')}`);
  const by = Object.fromEntries(m.runs.map((r) => [r.id, r]));
  t.deepEqual(Object.keys(by).sort(), [
    'other/runs/ew-tmax2-seed3',
    'sweep/runs/baseline-seed1',
    'sweep/runs/ew-tmax0.5-seed1',
    'sweep/runs/ew-tmax1-seed1',
    'sweep/runs/now-tmax0.5-seed2',
  ]);
  t.like(by['sweep/runs/baseline-seed1'], { folder: 'sweep', state: 'done', dataset: 'fashion', model: 'cnn', scheme: 'baseline', tmax: null, seed: 1, finalTestAcc: 0.9, time: 3.5, classRecovered: null });
  t.like(by['other/runs/ew-tmax2-seed3'], { folder: 'other', state: 'done', dataset: null, model: null, scheme: 'ew', tmax: 0.5, latency: 'exponential', classRecovered: [4.5, 1.25, 0] });
  t.true(by['other/runs/ew-tmax2-seed3'].config!.some(([k, v]) => k === 'coded.latency.lambda' && v === '0.5'));
  const running = by['sweep/runs/ew-tmax0.5-seed1'];
  t.like(running, { state: 'running', step: 12, totalSteps: 40, scheme: 'ew', tmax: 0.5, seed: 1, config: null });
  t.is(running.curve!.steps, 12, 'the half-written row is not read');
  const failed = by['sweep/runs/ew-tmax1-seed1'];
  t.like(failed, { state: 'failed', message: 'exit code 1' });
  t.deepEqual(failed.logTail, Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));
  t.like(by['sweep/runs/now-tmax0.5-seed2'], { state: 'queued', scheme: 'now', tmax: 0.5, seed: 2, curve: null });
  t.deepEqual(
    m.unreadable.map((u) => u.path).sort(),
    ['figA/broken.vl.json', 'other/runs/bad-config/config.json', 'other/runs/bad-metrics/metrics.csv'],
  );
  t.regex(m.unreadable.find((u) => u.path.endsWith('metrics.csv'))!.reason, /no "iteration" column/);

  // a finished run wins over a leftover partial directory and status file
  writeRun(join(runs, 'ew-tmax1-seed1'), config('ew', 1), metricsText(4));
  t.is(scanResults([root], { href: String, base: root }).runs.find((r) => r.name === 'ew-tmax1-seed1')!.state, 'done');
});

test('a sweep marks a failed run in its status file (the report shows it failed with its log); a rerun that succeeds clears it', async (t) => {
  const out = join(tempDir(), 'failing');
  const plan = planSweep({ schemes: ['uncoded'], tmaxes: [1], seeds: [1], common: { epochs: 1 } });
  let fail = true;
  // a fake launcher: the first attempt fails with a log, the second writes a finished run
  const launch: Launcher = (run, dir, logPath) => {
    if (fail) {
      writeFileSync(logPath, 'starting\nError: the disk is on fire\n');
      return { done: Promise.resolve({ code: 1, signal: null }), kill: () => undefined };
    }
    writeRun(dir, config('uncoded', 1), metricsText(3));
    return { done: Promise.resolve({ code: 0, signal: null }), kill: () => undefined };
  };
  await runSweep(plan, out, { jobs: 1, launch });
  const runDir = join(out, 'runs', 'uncoded-tmax1-seed1');
  t.like(readStatusFile(sweepStatusPath(runDir)), { state: 'failed', message: `uncoded-tmax1-seed1: exit code 1; log ${join(out, 'logs', 'uncoded-tmax1-seed1.log')}` });
  const row = scanResults([out], { href: String }).runs[0];
  t.like(row, { name: 'uncoded-tmax1-seed1', state: 'failed' });
  t.deepEqual(row.logTail, ['starting', 'Error: the disk is on fire']);
  fail = false;
  await runSweep(plan, out, { jobs: 1, launch });
  t.is(readStatusFile(sweepStatusPath(runDir)), null);
  t.is(scanResults([out], { href: String }).runs[0].state, 'done');
});

test('status records from the network are checked before use', (t) => {
  const ok = runStatus('running', { step: 3, totalSteps: 10, epoch: 1, trainAcc: 0.25, testAcc: 0.5 });
  t.deepEqual(parseRunStatus(JSON.parse(JSON.stringify(ok))), ok);
  t.is(parseRunStatus({ ...ok, state: 'exploded' }), null);
  t.is(parseRunStatus({ ...ok, step: -1 }), null);
  t.is(parseRunStatus({ ...ok, testAcc: 7 }), null);
  t.is(parseRunStatus({ ...ok, message: 'x'.repeat(5000) }), null);
  t.is(parseRunStatus('running'), null);
});

test('bad input: a missing folder, a folder without results, a port in use', async (t) => {
  const empty = join(tempDir(), 'empty');
  mkdirSync(empty, { recursive: true });
  const out = join(tempDir(), 'r', 'index.html');
  await t.throwsAsync(report([empty, '--out', out], () => undefined), { message: `${empty}: no results found (no figure files — *.vl.json, *.csv, *.json, *.png, *.svg — and no run folders with config.json and metrics.csv)` });
  await t.throwsAsync(report([join(tempDir(), 'nope'), '--out', out], () => undefined), { message: `${join(tempDir(), 'nope')}: no such folder` });
  t.throws(() => scanResults([join(empty, 'x')], { href: String }), { instanceOf: ReportInputError });
  const first = await startReportServer({ dir: empty, host: '127.0.0.1', port: 0, pollMs: 1000 });
  try {
    const port = new URL(first.url).port;
    const err = await t.throwsAsync(serve([empty, '--port', port], () => undefined));
    t.is(cliMessage(err), `--port: port ${port} on 127.0.0.1 is in use; choose another with --port (0: any free port)`);
    // only files inside the folder are served
    writeFileSync(join(empty, 'a.csv'), 'x\n1\n');
    t.is(await (await fetch(`${first.url}files/a.csv`)).text(), 'x\n1\n');
    t.is((await fetch(`${first.url}files/..%2F..%2Fetc%2Fpasswd`)).status, 404);
    t.is((await fetch(`${first.url}files/%2Fetc%2Fpasswd`)).status, 404);
    // model.json: an unchanged model is a 304 to a page that has it; a change gives a new body
    const m1 = await fetch(`${first.url}model.json`);
    const etag = m1.headers.get('etag')!;
    t.is(((await m1.json()) as { figures: unknown[] }).figures.length, 1);
    t.is((await fetch(`${first.url}model.json`, { headers: { 'if-none-match': etag } })).status, 304);
    writeFileSync(join(empty, 'b.csv'), 'y\n2\n');
    const m2 = await fetch(`${first.url}model.json`, { headers: { 'if-none-match': etag } });
    t.is(m2.status, 200);
    t.deepEqual(((await m2.json()) as { figures: Array<{ files: Array<{ name: string }> }> }).figures[0].files.map((f) => f.name), ['a.csv', 'b.csv']);
  } finally {
    await first.close();
  }
});
