/**
 * `npm run compare6 -- --sweeps paper=results/fig6-design/paper,auto=results/fig6-design/auto`:
 * the final test accuracy of Fig. 6-style sweeps side by side (mean over seeds, min–max), as a
 * markdown table on stdout and, with --out, a CSV (compare.csv). Reads only the runs' files.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { OptionError, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { compareSweeps, comparisonColumns, comparisonCsvRows, comparisonMarkdown, type SweepRef } from '../src/training/compare-sweeps.ts';
import { writeCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { existsSync } from 'node:fs';
import { commandLine, isMainModule, reportWritten, runCommand } from './cli-common.ts';

const KEYS = ['sweeps', 'out'];

/** Parses `label=DIR,label=DIR` (a bare DIR is labelled by its last path component). */
export function parseSweeps(text: string): SweepRef[] {
  const refs = text.split(',').filter(Boolean).map((item) => {
    const eq = item.indexOf('=');
    const dir = eq < 0 ? item : item.slice(eq + 1);
    const label = eq < 0 ? (dir.split('/').filter(Boolean).pop() ?? dir) : item.slice(0, eq);
    if (!existsSync(join(dir, 'runs'))) throw new OptionError('sweeps', `${dir} has no runs/ folder (a fig6 output directory is expected)`);
    return { label, dir };
  });
  if (refs.length === 0) throw new OptionError('sweeps', 'give at least one sweep directory, e.g. paper=results/fig6-design/paper,auto=results/fig6-design/auto');
  if (new Set(refs.map((r) => r.label)).size !== refs.length) throw new OptionError('sweeps', 'labels must differ');
  return refs;
}

export async function compare6(args: string[], say: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(commandLine('Compare the final test accuracy of Fig. 6-style sweeps.', args), KEYS).parseSync();
  const v = resolveValues(KEYS, valuesFromArgv(argv, KEYS));
  if (v.sweeps === null) throw new OptionError('sweeps', 'required: label=DIR,label=DIR');
  const sweeps = parseSweeps(v.sweeps as string);
  const rows = await compareSweeps(sweeps);
  const labels = sweeps.map((s) => s.label);
  say(comparisonMarkdown(rows, labels));
  if (v.out === null) return [];
  const dir = checkOutputDir(v.out as string);
  const path = join(dir, 'compare.csv');
  await writeCsv(path, comparisonCsvRows(rows, labels), comparisonColumns(labels));
  return [path];
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => reportWritten(await compare6(hideBin(process.argv))));
}
