/**
 * Writes the Fig. 6 outputs of a sweep directory from its finished runs (`<out>/runs`):
 *   fig6.{png,svg}, fig6-test.{png,svg}   (fig6-plot.ts)
 *   fig6-wallclock.{png,svg}             when coded runs ran on a real runtime (fig6-wallclock.ts)
 *   summary.csv                          one row per run (fig6-runs.ts)
 * all as one atomic group; a partial sweep writes `-partial` names instead.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { renderSpecFiles } from '../plot/index.ts';
import { writeFilesAtomic } from '../util/atomic-write.ts';
import { formatCsv } from '../util/csv.ts';
import { OptionError } from '../util/option-error.ts';
import { fig6Specs, type Fig6PlotOptions } from './fig6-plot.ts';
import { readRuns, SUMMARY_COLUMNS, summaryRows } from './fig6-runs.ts';
import { hasRealRuntime, wallclockSpec } from './fig6-wallclock.ts';

/** Draws the figures and writes summary.csv in `out` from its finished runs (all, or those named). Returns the paths written. */
export async function drawFig6(out: string, names?: readonly string[], opts: Fig6PlotOptions = {}): Promise<string[]> {
  const runs = await readRuns(join(out, 'runs'), names, opts.onWarning);
  if (runs.length === 0) throw new OptionError('out', `no finished runs in ${join(out, 'runs')}`);
  const { train, test } = fig6Specs(runs, opts);
  const suffix = opts.partial ? '-partial' : '';
  const files = [
    { path: join(out, `summary${suffix}.csv`), data: formatCsv(summaryRows(runs), SUMMARY_COLUMNS) },
    ...(await renderSpecFiles(train, join(out, `fig6${suffix}`))),
    ...(await renderSpecFiles(test, join(out, `fig6${suffix}-test`))),
    ...(hasRealRuntime(runs) ? await renderSpecFiles(wallclockSpec(runs, opts), join(out, `fig6${suffix}-wallclock`)) : []),
  ];
  const written = await writeFilesAtomic(files);
  // the final figure replaces any drawn while the sweep was partial
  if (!opts.partial) {
    for (const f of readdirSync(out)) if (/^(fig6-partial.*\.(png|svg)|summary-partial\.csv)$/.test(f)) rmSync(join(out, f), { force: true });
  }
  return written;
}
