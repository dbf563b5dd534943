/**
 * Test accuracy against wall-clock seconds, for a sweep whose coded products ran on real workers
 * (`npm run fig6 -- --runtime threads|nats`): one panel per T_max, one line per scheme (the mean
 * over seeds of both the seconds and the accuracy at each evaluation point; the baseline in
 * every panel). The seconds are the run's training steps (Σ step_ms up to the evaluation),
 * evaluations excluded, so a scheme that waits for its deadline every step is drawn where that
 * waiting puts it.
 */
import { panelChart, type Row, type TopLevelSpec } from '../plot/index.ts';
import { describeOptions, type Fig6PlotOptions, group, schemeLabel, schemeStyles, seedSeries, style, tmaxLabel } from './fig6-plot.ts';
import { schemeRank, type RunData } from './fig6-runs.ts';

/** True when some run's coded products ran on a real runtime. */
export function hasRealRuntime(runs: readonly RunData[]): boolean {
  return runs.some((r) => r.runtime !== 'sim');
}

/** The accuracy-vs-wall-clock spec. @throws RangeError when there are no runs */
export function wallclockSpec(runs: readonly RunData[], opts: Fig6PlotOptions = {}): TopLevelSpec {
  if (runs.length === 0) throw new RangeError('runs: no finished runs to plot');
  const { panels, groups, workers, seeds } = group(runs);
  const panelValues = panels.length ? panels.map(tmaxLabel) : ['baseline only'];
  const schemes = [...groups.keys()].sort((a, b) => schemeRank(a) - schemeRank(b));
  const labels = schemes.map((s) => schemeLabel(s, workers.get(s)));
  const { colours, dashes } = schemeStyles(schemes);
  const lines: Row[] = [];
  for (const [si, scheme] of schemes.entries()) {
    for (const [tmax, rs] of groups.get(scheme) as Map<number | null, RunData[]>) {
      const series = seedSeries(rs);
      const n = Math.min(...series.map((r) => r.testAcc.length));
      const targets = tmax === null ? panelValues : [tmaxLabel(tmax)];
      for (const panel of targets) {
        for (let i = 0; i < n; i++) {
          const mean = (f: (r: RunData) => number) => series.reduce((s, r) => s + f(r), 0) / series.length;
          lines.push({ panel, scheme: labels[si], seconds: mean((r) => r.testSeconds[i]), acc: mean((r) => r.testAcc[i]) });
        }
      }
    }
  }
  const runtimes = [...new Set(runs.filter((r) => r.scheme !== 'baseline').map((r) => r.runtime))].join(', ');
  const mark = opts.partial ? `PARTIAL (${opts.partial.present} of ${opts.partial.planned} runs): ` : '';
  const spec = panelChart({
    title: `${mark}MNIST test accuracy against wall-clock time (runtime ${runtimes || 'sim'})`,
    subtitle: [
      `Seconds of training steps up to each evaluation (evaluations excluded)${seeds.length > 1 ? '; mean over seeds' : ''}.`,
      describeOptions(runs, seeds),
    ],
    x: { field: 'seconds', title: 'wall-clock seconds of training steps' },
    y: { field: 'acc', title: 'test accuracy', domain: [0, 1] },
    color: { field: 'scheme', title: 'Scheme', sort: labels },
    dash: { field: 'scheme', title: 'Scheme', sort: labels },
    panel: { field: 'panel', title: '', sort: panelValues, columns: Math.min(2, panelValues.length) },
    width: 360,
    height: 230,
    lines,
    lineMarkers: true,
  });
  return style(spec, 'scheme', labels, colours, dashes);
}
