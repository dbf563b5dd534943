/**
 * `npm run bench:report -- [--runs 500]`: how long the report of a generated tree of `--runs`
 * finished runs (src/bench/report-tree.ts: full-length Fig. 6 metrics, numbers from the seeded
 * generator) takes to write, and to open in headless chromium (Debian's, or $CHROMIUM_PATH, via
 * puppeteer-core): from navigation start until the table and every chart are drawn, three loads.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { writeReportTree } from '../src/bench/report-tree.ts';
import { writeReport } from '../src/report/index.ts';
import { commandLine, isMainModule, runCommand } from './cli-common.ts';

const KEYS = ['reportRuns', 'seed'] as const;

export async function benchReport(args: string[], log: (l: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number[]> {
  const argv = withOptions(commandLine('Times writing and opening the report of a generated results tree.', args), KEYS).parseSync();
  const v = resolveValues(KEYS, valuesFromArgv(argv as Record<string, unknown>, KEYS));
  const runs = v.reportRuns as number;
  const dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: [...(root ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    let t = performance.now();
    writeReportTree(join(dir, 'results', 'sweep'), runs, undefined, v.seed as number);
    log(`generated ${runs} runs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    const file = join(dir, 'report', 'index.html');
    await writeReport([join(dir, 'results')], file);
    log(`report written in ${((performance.now() - t) / 1000).toFixed(1)} s: ${((await stat(file)).size / 1e6).toFixed(1)} MB`);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 900 });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 120_000 });
      await page.waitForFunction(() => {
        const r = (window as unknown as { __report?: { ready: unknown; idle(): boolean } }).__report;
        return Boolean(r && r.ready && r.idle() && document.querySelectorAll('#runs tbody tr').length > 0);
      }, { polling: 'raf', timeout: 120_000 });
      const ms = await page.evaluate(() => performance.now());
      const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
      const rows = await page.$$eval('#runs tbody tr', (trs) => trs.length);
      if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
      const at = (name: string) => ((marks[name] ?? NaN) / 1000).toFixed(2);
      const charts = await page.evaluate(() => (window as unknown as { __report: { timings: Record<string, [number, number]> } }).__report.timings);
      log(`  charts (start → drawn, s): ${Object.entries(charts).map(([k, [a, b]]) => `${k} ${(a / 1000).toFixed(2)} → ${(b / 1000).toFixed(2)}`).join(', ')}`);
      log(`load ${i + 1}: table of ${rows} runs and the overlays drawn ${(ms / 1000).toFixed(2)} s after navigation start (script and model parsed at ${at('report-start')} s, table built at ${at('report-table')} s)`);
      times.push(ms);
      await page.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    log(`median ${(sorted[1] / 1000).toFixed(2)} s over 3 loads`);
    return times;
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    await benchReport(hideBin(process.argv));
  });
}
