/**
 * The report in a real browser (headless chromium through puppeteer-core; one launch for the
 * file): the report of a small results tree made by the real commands (a 4-run fig6 sweep and
 * fig2) plus two broken runs draws every chart with no console error, lists the broken files,
 * links files that exist, sorts and filters its table, toggles a series from a legend, overlays a
 * selected run with tooltips on its points, and shows its config.json.
 */
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { fig2 } from '../experiments/fig2.ts';
import { fig6 } from '../experiments/fig6.ts';
import { report } from '../experiments/report.ts';
import type { ReportModel } from '../src/report/index.ts';
import { launchBrowser, openPage, reportIdle } from './helpers/browser.ts';
import { sink } from './helpers/io.ts';

let dir = '';
const tempDir = () => dir;
let browser: Browser;
let url = '';
let tree = '';

const TINY = ['--schemes', 'baseline,ew', '--tmax', '0.5', '--seeds', '1,2', '--limit', '320', '--epochs', '1', '--eval-every', '2', '--test-limit', '300', '--jobs', '2'];

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-browser-'));
  tree = join(tempDir(), 'results');
  const [, launched] = await Promise.all([
    (async () => {
      await fig6([...TINY, '--out', join(tree, 'sweep')], { stdout: sink(), handleSignals: false });
      await fig2(['--out', join(tree, 'fig2'), '--workers', '12', '--schemes', 'now,ew', '--classes', '3,3,3', '--gamma', '0.40,0.35,0.25'], () => undefined);
      // two broken runs beside the good ones
      for (const [name, cfg, metrics] of [['bad-config', '{"options": ', 'iteration\n1\n'], ['bad-metrics', '{"options": {}}', 'a,b\n1,2\n']]) {
        const d = join(tree, 'broken', 'runs', name);
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'config.json'), cfg);
        writeFileSync(join(d, 'metrics.csv'), metrics);
      }
      const file = join(tempDir(), 'report', 'index.html');
      await report([tree, '--out', file], () => undefined);
      url = pathToFileURL(file).href;
    })(),
    launchBrowser(),
  ]);
  browser = launched;
});

test.after.always(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(): Promise<{ page: Page; errors: string[]; model: ReportModel }> {
  const { page, errors } = await openPage(browser);
  await page.goto(url, { waitUntil: 'load' });
  await reportIdle(page);
  const model = (await page.evaluate(() => (window as unknown as { __report: { model(): unknown } }).__report.model())) as ReportModel;
  return { page, errors, model };
}

function specFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...specFiles(p));
    else if (n.endsWith('.vl.json')) out.push(p);
  }
  return out;
}

const cells = (page: Page, key: string) => page.$$eval(`#runs tbody td[data-key="${key}"]`, (tds) => tds.map((td) => td.textContent ?? ''));

test.serial('every chart renders with no console error; broken files are listed and the rest shown; links resolve', async (t) => {
  const { page, errors, model } = await load();
  const specs = specFiles(tree);
  t.is(specs.length, 3, 'fig6.vl.json, fig6-test.vl.json, fig2.vl.json');
  const charts = await page.$$eval('.figure-folder .chart', (els) => els.map((e) => ({ rendered: (e as HTMLElement).dataset.rendered, svg: Boolean(e.querySelector('svg .mark-group, svg g')) })));
  t.is(charts.length, specs.length, 'one interactive chart per spec file');
  t.true(charts.every((c) => c.rendered === '1' && c.svg), JSON.stringify(charts));
  // the overlays of the first runs, drawn at load
  for (const id of ['overlay-acc', 'overlay-rec']) t.is(await page.$eval(`#${id}`, (e) => (e as HTMLElement).dataset.rendered), '1', id);
  t.deepEqual(errors, []);
  t.deepEqual(await page.evaluate(() => (window as unknown as { __report: { errors: string[] } }).__report.errors), []);
  t.is(model.runs.length, 4);
  t.true(model.runs.every((r) => r.state === 'done' && r.curve !== null));
  const bad = await page.$$eval('#unreadable li', (lis) => lis.map((li) => li.textContent ?? ''));
  t.is(bad.length, 2);
  t.true(bad.some((b) => b.includes(join('broken', 'runs', 'bad-config', 'config.json')) && b.includes('not JSON')), bad.join('\n'));
  t.true(bad.some((b) => b.includes(join('broken', 'runs', 'bad-metrics', 'metrics.csv')) && b.includes('no "iteration" column')), bad.join('\n'));
  // every CSV, sidecar and spec link points at an existing file
  const hrefs = await page.$$eval('.figure-folder a.file', (as) => as.map((a) => (a as HTMLAnchorElement).href));
  t.true(hrefs.some((h) => h.endsWith('/fig2/fig2.csv')) && hrefs.some((h) => h.endsWith('/sweep/summary.csv')));
  for (const h of hrefs) t.true(existsSync(fileURLToPath(h)), h);
  await page.close();
});

test.serial('the runs table sorts and filters', async (t) => {
  const { page, errors, model } = await load();
  const acc = model.runs.map((r) => r.finalTestAcc as number);
  await page.click('#runs th[data-key="finalTestAcc"] button');
  const up = (await cells(page, 'finalTestAcc')).map(Number);
  t.is(up.length, 4);
  t.deepEqual(up, [...acc].sort((a, b) => a - b).map((x) => Number(x.toFixed(4))));
  await page.click('#runs th[data-key="finalTestAcc"] button');
  t.deepEqual((await cells(page, 'finalTestAcc')).map(Number), [...up].reverse());

  await page.type('#runs input[data-filter="scheme"]', 'ew');
  t.deepEqual(await cells(page, 'scheme'), ['ew', 'ew']);
  t.is(await page.$eval('#run-count', (e) => e.textContent), '2 of 4 runs shown');
  await page.type('#runs input[data-filter="seed"]', '=2');
  t.deepEqual(await cells(page, 'name'), ['ew-tmax0.5-seed2']);
  // clear the scheme filter: both seed-2 runs, sorted by name
  await page.$eval('#runs input[data-filter="scheme"]', (e) => {
    (e as HTMLInputElement).value = '';
    e.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.click('#runs th[data-key="name"] button');
  t.deepEqual(await cells(page, 'name'), ['baseline-seed2', 'ew-tmax0.5-seed2']);
  t.deepEqual(errors, []);
  await page.close();
});

test.serial('a legend entry toggles its series', async (t) => {
  const { page, errors } = await load();
  // fig2's chart: the first figure folder in path order
  const id = await page.$eval('.figure-folder[data-path$="fig2"] .chart', (e) => e.id);
  const state = () =>
    page.evaluate((cid) => {
      const r = (window as unknown as { __report: { views: Record<string, { data(n: string): unknown[] }>; toggles: Record<string, string[]> } }).__report;
      const name = r.toggles[cid][0];
      const dimmed = [...document.querySelectorAll(`#${cid} .role-mark path, #${cid} .role-mark line`)].filter((p) => Number(getComputedStyle(p).opacity) < 0.5 || Number(p.getAttribute('opacity') ?? 1) < 0.5).length;
      return { store: r.views[cid].data(`${name}_store`).length, dimmed };
    }, id);
  const before = await state();
  t.deepEqual(before, { store: 0, dimmed: 0 });
  // a legend entry's label (its symbol, a line, has no height to click on)
  const labels = await page.$$(`#${id} .role-legend-label text`);
  t.true(labels.length >= 2, `${labels.length} legend entries`);
  await labels[0].click();
  await page.waitForFunction((cid) => (window as unknown as { __report: { views: Record<string, { data(n: string): unknown[] }>; toggles: Record<string, string[]> } }).__report.views[cid].data(`${(window as unknown as { __report: { toggles: Record<string, string[]> } }).__report.toggles[cid][0]}_store`).length > 0, { timeout: 5000 }, id);
  const after = await state();
  t.true(after.store > 0, 'the legend entry is selected (one store entry per panel)');
  t.true(after.dimmed > 0, 'the other series are dimmed');
  t.deepEqual(errors, []);
  await page.close();
});

test.serial('a selected run is overlaid, and its config.json shown as a table', async (t) => {
  const { page, errors, model } = await load();
  // untick everything, then tick one run
  for (const box of await page.$$('#runs tbody input.sel:checked')) await box.click();
  t.regex(await page.$eval('#overlays', (e) => e.textContent ?? ''), /Tick runs/);
  const run = model.runs.find((r) => r.name === 'ew-tmax0.5-seed1')!;
  await page.click(`#runs tr[data-id="${run.id}"] input.sel`);
  await reportIdle(page);
  const rows = await page.evaluate(() => (window as unknown as { __report: { views: Record<string, { data(n: string): unknown[] }> } }).__report.views['overlay-acc'].data('curves').length);
  t.is(rows, run.curve!.test.length + run.curve!.trainAcc.filter((x) => x !== null).length);
  // a point's tooltip names its values
  const point = (await page.$$('#overlay-acc .mark-symbol.role-mark path'))[0];
  const box = (await point.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#vg-tooltip-element.visible', { timeout: 5000 });
  const tip = await page.$eval('#vg-tooltip-element', (e) => (e as HTMLElement).innerText);
  t.regex(tip, /iteration[\s\S]*accuracy[\s\S]*ew-tmax0\.5-seed1/);
  await page.click(`#runs tr[data-id="${run.id}"] a.run-link`);
  const config = await page.$$eval('#detail table.config tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  t.deepEqual(config.find(([k]) => k === 'options.scheme'), ['options.scheme', 'ew']);
  t.deepEqual(config.find(([k]) => k === 'coded.latency.model'), ['coded.latency.model', 'exponential']);
  t.deepEqual(errors, []);
  await page.close();
});
