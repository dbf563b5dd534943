/** Charts: vega-lite spec builders and rendering to SVG/PNG files. */
export * from './render.ts';
export * from './charts.ts';
