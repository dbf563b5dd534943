/**
 * The report page as one self-contained HTML text: vega, vega-lite and vega-embed copied inline
 * from node_modules (no network at view time), the page's script and style (page/), and the
 * report model as JSON. In live mode (the local server) the page polls `model.json` and redraws.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportModel } from './model.ts';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');

/** The minified browser build of a package, found beside its entry point. */
function browserBuild(pkg: string, file: string): string {
  return readFileSync(join(dirname(fileURLToPath(import.meta.resolve(pkg))), file), 'utf8');
}

let libsCache: string | null = null;

/** vega, vega-lite and vega-embed (globals vega, vegaLite, vegaEmbed), in load order. */
function libraries(): string {
  libsCache ??= [browserBuild('vega', 'vega.min.js'), browserBuild('vega-lite', 'vega-lite.min.js'), browserBuild('vega-embed', 'vega-embed.min.js')]
    .map((js) => `<script>${inlineScript(js)}</script>`)
    .join('\n');
  return libsCache;
}

/** Script text safe inside a <script> element (`</script` would end it). */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/** JSON safe inside a <script type="application/json"> element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export interface PageOptions {
  /** Poll `model.json` every this many ms (the local server's page); absent: a static report. */
  pollMs?: number;
}

/** The whole page for `model`. */
export function reportHtml(model: ReportModel, o: PageOptions = {}): string {
  const style = readFileSync(join(PAGE_DIR, 'style.css'), 'utf8');
  const app = readFileSync(join(PAGE_DIR, 'app.js'), 'utf8');
  const settings = { live: o.pollMs !== undefined, pollMs: o.pollMs ?? 0 };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(model.title)} — ${escapeHtml(model.roots.join(', '))}</title>
<style>${style}</style>
</head>
<body>
<div id="app"><p>Loading…</p></div>
<script type="application/json" id="report-model">${inlineJson(model)}</script>
<script type="application/json" id="report-settings">${inlineJson(settings)}</script>
${libraries()}
<script>${inlineScript(app)}</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
