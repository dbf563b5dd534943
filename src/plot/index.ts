/** Charts: vega-lite spec builders and rendering to SVG/PNG files. */
export * from './render.js';
export * from './charts.js';
