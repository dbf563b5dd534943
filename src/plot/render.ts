/**
 * Rendering vega-lite specs to files: vega-lite compile → vega View (renderer 'none',
 * headless) → SVG text → PNG through resvg (white background, system fonts).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFilesAtomic, type FileToWrite } from '../util/atomic-write.ts';
import { installTextWidth } from './text-width.ts';

export type { TopLevelSpec };

/** Font family used in charts; DejaVu Sans ships on these machines, sans-serif elsewhere. */
export const CHART_FONT = 'DejaVu Sans';

/** Renders a vega-lite spec to SVG markup. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  installTextWidth();
  const vgSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises SVG markup to PNG bytes on a white background.
 * @param scale pixel density (2 gives a crisp image at the SVG's size ×2)
 */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}

/** Suffix of the vega-lite spec file written beside a chart's SVG and PNG. */
export const SPEC_SUFFIX = '.vl.json';

/**
 * Renders a spec in memory to the files `<outBase>.svg`, `<outBase>.png` and `<outBase>.vl.json`
 * (the vega-lite spec itself, data inline: the HTML report draws its interactive twin from it)
 * without writing them (so a command can write them together with its other outputs).
 */
export async function renderSpecFiles(spec: TopLevelSpec, outBase: string, scale = 2): Promise<FileToWrite[]> {
  const specText = `${JSON.stringify(spec)}\n`; // before rendering: vega tags the data rows it reads
  const svg = await specToSvg(spec);
  const png = svgToPng(svg, scale);
  return [
    { path: `${outBase}.svg`, data: svg },
    { path: `${outBase}.png`, data: png },
    { path: `${outBase}${SPEC_SUFFIX}`, data: specText },
  ];
}

/**
 * Renders a spec to `<outBase>.svg`, `<outBase>.png` and `<outBase>.vl.json`, written atomically.
 * @returns the paths written, SVG first
 */
export async function renderSpec(spec: TopLevelSpec, outBase: string, scale = 2): Promise<string[]> {
  return writeFilesAtomic(await renderSpecFiles(spec, outBase, scale));
}
