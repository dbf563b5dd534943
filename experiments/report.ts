/**
 * `npm run report -- [DIR…]`: one self-contained HTML page (default report/index.html) of every
 * figure folder and training run under the folders given (default results/): src/report.
 */
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { ReportInputError, writeReport } from '../src/report/index.ts';
import { commandLine, isMainModule, reportWritten, runCommand, UsageError } from './cli-common.ts';

const KEYS = ['reportOut'] as const;

/** The report of `args` (argv without node and script); returns the path written. */
export async function report(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(commandLine('HTML report of figure folders and training runs: report [DIR…] (default results/).', args).strict(false).strictOptions(), KEYS).parseSync();
  const v = resolveValues(KEYS, valuesFromArgv(argv as Record<string, unknown>, KEYS));
  const dirs = (argv._ as unknown[]).map(String);
  try {
    const { path, model } = await writeReport(dirs.length ? dirs : ['results'], v.reportOut as string);
    const counts = { done: 0, running: 0, queued: 0, failed: 0 };
    for (const r of model.runs) counts[r.state]++;
    log(`report: ${model.figures.length} figure folder(s), ${model.figures.reduce((n, f) => n + f.charts.length, 0)} interactive chart(s), ${model.runs.length} run(s) (${Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'})`);
    for (const u of model.unreadable) log(`unreadable: ${u.path}: ${u.reason}`);
    return [path];
  } catch (err) {
    if (err instanceof ReportInputError) throw new UsageError(err.message);
    throw err;
  }
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await report(hideBin(process.argv)));
  });
}
