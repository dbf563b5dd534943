import { LATENCY_PANELS, MATRIX_LINES, simulateLine } from './src/figures/stragglers-matrix.ts';
for (const line of MATRIX_LINES) {
  const t0 = performance.now();
  const p = simulateLine(LATENCY_PANELS[2], line, [2], 10, 100, 1);
  console.log(line.label, p[0].mean.toFixed(4), p[0].low.toFixed(4), p[0].high.toFixed(4), ((performance.now()-t0)/1000).toFixed(2)+'s');
}
