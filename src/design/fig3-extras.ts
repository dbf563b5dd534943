/**
 * `fig3 --design`: what the designed codes add to Fig. 3 (as {@link FigureExtras}):
 * - formula curves of NOW/EW with Γ optimised at each t (lower envelope), dashed, per scheme colour;
 * - Monte Carlo points of the real codes (class windows) at a few t, each with its own optimal Γ;
 * - the crossing with MDS of the paper-Γ curve and of the designed curve (first t where UEP
 *   becomes worse than MDS; none if it never does on the grid);
 * - <base>-design.csv: t,scheme,gamma_1..gamma_L,loss,reference_loss,mds_loss (one row per t and scheme).
 */
import { basename } from 'node:path';
import type { FigureExtras, McFigureRun } from '../figures/run.ts';
import { theoryVsTime } from '../montecarlo/index.ts';
import { formatCsv } from '../util/csv.ts';
import type { DesignScheme } from './objective.ts';
import { designedCurve, designedLossAt, designedMonteCarlo, firstCrossing, mdsCurve } from './fig3-design.ts';

/** Legend of the designed curves (dash) and points (shape). */
export const STYLE_DESIGNED = 'formula, Γ optimised at each t';
export const SHAPE_DESIGNED = 'class windows, Γ optimal at that t';

/** Legend names, as Fig. 3's. */
const LABELS: Record<DesignScheme, string> = { now: 'NOW-UEP', ew: 'EW-UEP' };

/** Crossing of one scheme with MDS: paper Γ vs designed Γ (null: never worse than MDS on the grid). */
export interface CrossingReport {
  scheme: DesignScheme;
  referenceGamma: number[];
  reference: number | null;
  designed: number | null;
}

/**
 * Builds the designed-code extras of Fig. 3 for the NOW/EW schemes among `run.lines`.
 * @param times the figure's deadline grid (increasing for the crossing search)
 * @param mcTimes deadlines of the Monte Carlo points (run.trials trials each)
 * @param base path of the figure without extension
 * @param log progress lines
 */
export async function designedFig3Extras(
  run: McFigureRun,
  times: readonly number[],
  mcTimes: readonly number[],
  base: string,
  log: (line: string) => void = () => undefined,
): Promise<FigureExtras & { crossings: CrossingReport[] }> {
  const setup = run.setup;
  const schemes = [...new Set(run.lines.map((l) => l.scheme))].filter((s): s is DesignScheme => s === 'now' || s === 'ew');
  const sorted = [...times].sort((a, b) => a - b);
  const mds = mdsCurve(setup, sorted);
  const mdsAt = (t: number) => mdsCurve(setup, [t])[0];
  const L = setup.variances.length;

  const csvRows: FigureExtras['csvRows'] = [];
  const lines: FigureExtras['lines'] = [];
  const points: FigureExtras['points'] = [];
  const gammaRows: Record<string, number | string>[] = [];
  const crossings: CrossingReport[] = [];
  const started = Date.now();
  for (const scheme of schemes) {
    log(`fig3 --design: optimising Γ of ${scheme.toUpperCase()} at ${sorted.length} deadlines`);
    const rows = designedCurve(setup, scheme, sorted);
    rows.forEach((r, i) => {
      csvRows.push({ t: r.tmax, scheme, granularity: 'class', method: 'theory-designed', normalized_loss: r.loss });
      lines.push({ t: r.tmax, loss: r.loss, scheme: LABELS[scheme], style: STYLE_DESIGNED, key: `${scheme}/designed` });
      gammaRows.push({
        t: r.tmax,
        scheme,
        ...Object.fromEntries(r.gamma.map((g, l) => [`gamma_${l + 1}`, Math.round(g * 1e9) / 1e9])),
        loss: r.loss,
        reference_loss: r.referenceLoss,
        mds_loss: mds[i],
      });
    });
    const refAt = (t: number) => theoryVsTime(setup, { scheme, granularity: 'class' }, [t])![0];
    const ref = sorted.map(refAt);
    crossings.push({
      scheme,
      referenceGamma: [...setup.gamma],
      reference: firstCrossing(sorted, ref, mds, refAt, mdsAt),
      designed: firstCrossing(sorted, rows.map((r) => r.loss), mds, (t) => designedLossAt(setup, scheme, t), mdsAt),
    });
  }
  const designSeconds = (Date.now() - started) / 1000;

  const mcStarted = Date.now();
  const mc = await designedMonteCarlo(setup, schemes, mcTimes, {
    trials: run.trials,
    seed: run.seed,
    threads: run.threads,
    z: run.z,
    onProgress: (label) => log(`fig3 --design: Monte Carlo ${label}, ${run.trials} trials`),
  });
  for (const p of mc) {
    csvRows.push({ t: p.t, scheme: p.scheme, granularity: 'class', method: 'montecarlo-designed', normalized_loss: p.mean, ci_low: p.ciLow, ci_high: p.ciHigh });
    points.push({ t: p.t, loss: p.mean, lo: p.ciLow, hi: p.ciHigh, scheme: LABELS[p.scheme], granularity: SHAPE_DESIGNED });
  }
  const mcSeconds = (Date.now() - mcStarted) / 1000;

  const fmt = (c: number | null) => (c === null ? `never worse up to t = ${sorted[sorted.length - 1]}` : c.toFixed(3));
  const subtitle = [
    `dashed: Γ optimised at each t (src/design); crossing with MDS, paper Γ → designed: ` +
      crossings.map((c) => `${LABELS[c.scheme]} ${fmt(c.reference)} → ${fmt(c.designed)}`).join('; '),
  ];
  const columns = ['t', 'scheme', ...Array.from({ length: L }, (_, l) => `gamma_${l + 1}`), 'loss', 'reference_loss', 'mds_loss'];
  return {
    csvRows,
    lines,
    points,
    lineStyles: [STYLE_DESIGNED],
    pointShapes: mc.length > 0 ? [SHAPE_DESIGNED] : [],
    subtitle,
    sidecarKey: 'design',
    sidecar: {
      what: 'NOW/EW with class windows and Γ optimised at each deadline (exact formula, src/design); Monte Carlo points use their own optimal Γ',
      crossingWithMds: crossings,
      monteCarlo: mc,
      monteCarloSeeds: 'streamSeed(seed, `design/<scheme>/t=<t>`)',
      optimiseSeconds: designSeconds,
      monteCarloSeconds: mcSeconds,
      // beside the sidecar: its name only (a path would record this machine's folders)
      gammaFile: basename(`${base}-design.csv`),
    },
    files: [{ path: `${base}-design.csv`, data: formatCsv(gammaRows, columns) }],
    crossings,
  };
}
