/**
 * The HTML report of a results tree (`npm run report`, `npm run serve`): scan.ts finds figure
 * folders and runs, html.ts writes the page, serve.ts serves it live.
 */
import { dirname, relative, sep } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { reportHtml } from './html.ts';
import type { ReportModel } from './model.ts';
import { emptyMessage, isEmpty, ReportInputError, scanResults } from './scan.ts';

export * from './model.ts';
export { reportHtml } from './html.ts';
export { emptyMessage, isEmpty, ReportInputError, scanResults } from './scan.ts';
export { startReportServer, type ReportServer, type ServeOptions } from './serve.ts';

/** A relative URL from folder `fromDir` to file `to` (each path segment escaped). */
export function relativeHref(fromDir: string, to: string): string {
  return relative(fromDir, to).split(sep).map(encodeURIComponent).join('/');
}

/**
 * Scans `roots` and writes the report to `outFile` (atomically), its links relative to it.
 * @throws ReportInputError when a root is missing, or nothing to show was found in any
 */
export async function writeReport(roots: readonly string[], outFile: string): Promise<{ path: string; model: ReportModel }> {
  const model = scanResults(roots, { href: (p) => relativeHref(dirname(outFile), p) });
  if (isEmpty(model)) throw new ReportInputError(emptyMessage(roots));
  await writeFileAtomic(outFile, reportHtml(model));
  return { path: outFile, model };
}
