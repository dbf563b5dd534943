/**
 * The comparison figure of two or more Fig. 6-style sweeps: final test accuracy against T_max,
 * one panel per scheme, one line per sweep (mean over seeds, points with min–max bars).
 */
import { panelChart, type Row, type TopLevelSpec } from '../plot/index.ts';
import type { ComparisonRow } from './compare-sweeps.ts';
import { schemeLabel } from './fig6-plot.ts';

export function comparisonSpec(rows: readonly ComparisonRow[], labels: readonly string[], title: string, subtitle: string): TopLevelSpec {
  const lines: Row[] = [];
  const points: Row[] = [];
  const schemes: string[] = [];
  for (const r of rows) {
    if (r.tmax === null) continue;
    const panel = schemeLabel(r.scheme);
    if (!schemes.includes(panel)) schemes.push(panel);
    for (const l of labels) {
      const c = r.cells[l];
      if (!c) continue;
      const row = { panel, sweep: l, tmax: r.tmax, acc: c.mean, lo: c.min, hi: c.max };
      lines.push(row);
      points.push(row);
    }
  }
  const ts = lines.map((r) => r.tmax as number).filter((t) => Number.isFinite(t));
  const domain: [number, number] | undefined = ts.length ? [Math.min(...ts) / 1.25, Math.max(...ts) * 1.25] : undefined;
  return panelChart({
    title,
    subtitle,
    x: { field: 'tmax', title: 'deadline T_max', scale: 'log', ...(domain ? { domain } : {}) },
    y: { field: 'acc', title: 'final test accuracy', zero: false },
    color: { field: 'sweep', title: 'Sweep', sort: labels },
    panel: { field: 'panel', title: '', sort: schemes, columns: Math.min(2, schemes.length) },
    lines,
    points: { rows: points, yLow: 'lo', yHigh: 'hi' },
    width: 300,
    height: 200,
  });
}
