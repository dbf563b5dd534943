/**
 * `npm run fig6:compare -- --compare design|surrogate`: one command for the two Fig. 6-style
 * comparisons of issue 12. It runs (or resumes) two sweeps into OUT/<arm>/ and compares their
 * final test accuracy (compare.csv, compare.png/.svg, a markdown table on stdout):
 *   design:    NOW and EW with the configured Γ (paper) against `--design auto --design-every 200`
 *              (auto), into results/fig6-design;
 *   surrogate: uncoded, rep, NOW and EW with the real decoder (real) against the authors'
 *              shortcut `--decoder surrogate` (surrogate), into results/fig6-surrogate.
 * --seeds, --tmax, --epochs, --limit and --jobs pass through to both sweeps (defaults: seeds
 * 1,2,3, the paper's T_max, 3 epochs, one job per core).
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { renderSpecFiles } from '../src/plot/index.ts';
import { comparisonSpec } from '../src/training/compare-chart.ts';
import { compareSweeps, comparisonColumns, comparisonCsvRows, comparisonMarkdown } from '../src/training/compare-sweeps.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OptionError } from '../src/config/index.ts';
import { commandLine, isMainModule, reportWritten, runCommand } from './cli-common.ts';

const FIG6 = fileURLToPath(new URL('./fig6.ts', import.meta.url));
const KEYS = ['comparison', 'seeds', 'tmaxes', 'epochs', 'limit', 'jobs', 'out'];

/** The two arms of each comparison: label and the fig6 flags of its sweep. */
export const COMPARISONS = {
  design: { schemes: 'now,ew', out: 'results/fig6-design', arms: [['paper', []], ['auto', ['--design', 'auto', '--design-every', '200']]] },
  surrogate: { schemes: 'uncoded,rep,now,ew', out: 'results/fig6-surrogate', arms: [['real', []], ['surrogate', ['--decoder', 'surrogate']]] },
} as const;

export async function fig6Compare(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(commandLine('Fig. 6-style comparisons: paper Γ vs designed Γ, or the real decoder vs the authors\' surrogate.', args), KEYS, 'dnn').parseSync();
  const given = valuesFromArgv(argv as Record<string, unknown>, KEYS);
  const v = resolveValues(KEYS, given, 'dnn');
  const which = COMPARISONS[v.comparison as keyof typeof COMPARISONS];
  const out = checkOutputDir((v.out as string | null) ?? which.out);
  const pass: string[] = [];
  const fmt = (x: unknown) => (Array.isArray(x) ? x.map((y) => (y === Infinity ? 'inf' : String(y))).join(',') : String(x));
  pass.push('--seeds', fmt(given.seeds ?? [1, 2, 3]));
  if (given.tmaxes !== undefined) pass.push('--tmax', fmt(v.tmaxes));
  if (given.epochs !== undefined) pass.push('--epochs', fmt(v.epochs));
  if (given.limit !== undefined) pass.push('--limit', fmt(v.limit));
  pass.push('--jobs', fmt(v.jobs));
  for (const [label, flags] of which.arms) {
    log(`fig6:compare ${String(v.comparison)}: sweep "${label}"`);
    // each sweep is `npm run fig6` in a child process (commands do not import each other)
    const res = spawnSync(process.execPath, ['--import', 'tsx', FIG6, '--schemes', which.schemes, ...pass, ...flags, '--out', join(out, label)], { stdio: 'inherit' });
    if (res.status !== 0) throw new OptionError('comparison', `the "${label}" sweep failed (exit ${res.status ?? res.signal}); its runs so far are kept in ${join(out, label)}`, 'compare');
  }
  const sweeps = which.arms.map(([label]) => ({ label, dir: join(out, label) }));
  const labels = sweeps.map((s) => s.label);
  const rows = await compareSweeps(sweeps);
  log(comparisonMarkdown(rows, labels));
  const title = v.comparison === 'design' ? 'MNIST final test accuracy: paper Γ vs Γ designed from the data' : 'MNIST final test accuracy: real decoder vs the authors\' surrogate';
  const spec = comparisonSpec(rows, labels, title, 'Mean over seeds; bars: min–max. `npm run fig6:compare -- --compare ' + String(v.comparison) + '`');
  return writeFilesAtomic([{ path: join(out, 'compare.csv'), data: formatCsv(comparisonCsvRows(rows, labels), comparisonColumns(labels)) }, ...(await renderSpecFiles(spec, join(out, 'compare')))]);
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => reportWritten(await fig6Compare(hideBin(process.argv))));
}
