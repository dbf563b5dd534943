/**
 * The live report (npm run serve) in a real browser: serving an empty folder, the page shows a
 * run appear while a short training (a child `train` process) writes into the folder, watches
 * its step and curve grow (status.json and metrics.csv in its `.partial-<pid>` directory, read
 * through model.json polls), and sees it done when the directory is in place.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { startReportServer, type ReportModel, type ReportServer } from '../src/report/index.ts';
import { launchBrowser, openPage, reportIdle } from './helpers/browser.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';
let browser: Browser;
let server: ReportServer;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-serve-'));
  mkdirSync(join(dir, 'runs'));
  [browser, server] = await Promise.all([launchBrowser(), startReportServer({ dir, host: '127.0.0.1', port: 0, pollMs: 150 })]);
});

test.after.always(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Seen {
  state: string;
  step: number | null;
  points: number;
  plotted: number;
  cell: string;
}

test('the live page shows a run appear, its step and curve grow, then done', async (t) => {
  const { page, errors } = await openPage(browser);
  await page.goto(server.url, { waitUntil: 'load' });
  await reportIdle(page);
  t.is(await page.$eval('#run-count', (e) => e.textContent), '0 of 0 runs shown');

  const runDir = join(dir, 'runs', 'ew-tmax0.5-seed1');
  // 800 steps of batch 16: long enough for several status records (every 0.5 s)
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'experiments', 'train.ts'), '--out', runDir, '--scheme', 'ew', '--tmax', '0.5', '--limit', '6400', '--epochs', '2', '--batch', '16', '--eval-every', '20', '--test-limit', '200', '--progress-every', '0'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));

  // watch the page (what the user sees, and what its chart holds) until the run is done
  const seen: Seen[] = [];
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const s = await page.evaluate(() => {
      const r = (window as unknown as { __report: { model(): ReportModel; views: Record<string, { data(n: string): unknown[] }> } }).__report;
      const run = r.model().runs.find((x) => x.name === 'ew-tmax0.5-seed1');
      if (!run) return null;
      const box = document.querySelector(`#runs tr[data-id$="ew-tmax0.5-seed1"] input.sel`) as HTMLInputElement | null;
      // tick it once it has a curve: the overlay then follows it
      if (box && !box.disabled && !box.checked) box.click();
      const view = r.views['overlay-acc'];
      return {
        state: run.state,
        step: run.step,
        points: run.curve ? run.curve.steps : 0,
        plotted: view && box?.checked ? view.data('curves').length : 0,
        cell: document.querySelector(`#runs tr[data-id$="ew-tmax0.5-seed1"] td[data-key="state"]`)?.textContent ?? '',
      };
    });
    if (s) seen.push(s);
    if (s?.state === 'done' && s.plotted > 0) break;
    if (code !== undefined && code !== 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.is(await exited, 0, stderr);
  const running = seen.filter((s) => s.state === 'running');
  t.log(`${seen.length} observations, ${running.length} while running; steps seen ${[...new Set(running.map((s) => s.step))].join(', ')}`);
  t.true(running.length > 0, 'the run was seen running');
  // the step and the curve grow while it runs (two distinct records), and the table says so
  const steps = running.map((s) => s.step ?? 0);
  t.true(steps.some((a, i) => steps.slice(i + 1).some((b) => b > a)), `steps seen: ${steps.join(',')}`);
  const grew = seen.filter((s) => s.points > 0).map((s) => s.points);
  t.true(grew.some((a, i) => grew.slice(i + 1).some((b) => b > a)), `metrics rows seen: ${grew.join(',')}`);
  const plotted = seen.filter((s) => s.plotted > 0).map((s) => s.plotted);
  t.true(plotted.some((a, i) => plotted.slice(i + 1).some((b) => b > a)), `chart rows seen: ${plotted.join(',')}`);
  t.true(running.some((s) => /^running \d+\/800$/.test(s.cell)), running.map((s) => s.cell).join(' | '));
  const last = seen[seen.length - 1];
  t.is(last.state, 'done');
  t.is(last.points, 800);
  t.is(last.cell, 'done');
  t.deepEqual(errors, []);
  await page.close();
});
