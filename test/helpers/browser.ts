/**
 * Headless chromium for the report's browser tests: Debian's /usr/bin/chromium (or
 * $CHROMIUM_PATH) driven by puppeteer-core, which never downloads a browser. As root, chromium
 * needs --no-sandbox. Each page records its console errors and uncaught exceptions.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

/** A new page that collects console errors and page errors into `errors`. */
export async function openPage(browser: Browser, width = 1400, height = 900): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${(e as Error).message}`));
  return { page, errors };
}

/** Waits until the report page has drawn (or failed) every chart it started. */
export async function reportIdle(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => {
    const r = (window as unknown as { __report?: { ready: unknown; idle(): boolean } }).__report;
    return Boolean(r && r.ready && r.idle());
  }, { timeout, polling: 50 });
}
