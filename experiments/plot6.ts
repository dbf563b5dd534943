/**
 * `npm run plot6 -- --out DIR`: redraws DIR/fig6.{png,svg}, DIR/fig6-test.{png,svg} and
 * DIR/summary.csv from the finished runs in DIR/runs (their metrics.csv and config.json only;
 * nothing is trained). Unfinished (.partial-*) run directories are ignored.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { drawFig6 } from '../src/training/fig6-plot.ts';
import { commandLine, isMainModule, outDir, parseInteger, reportWritten, runCommand } from './cli-common.ts';

/**
 * Runs the plot6 command on `args`.
 * @returns the paths written
 * @throws RangeError naming --out when DIR has no finished runs
 */
export async function plot6(args: string[]): Promise<string[]> {
  const argv = commandLine('Redraw Fig. 6 from the runs of a fig6 output directory.', args)
    .option('out', { type: 'string', default: 'results/fig6', describe: 'the fig6 output directory' })
    .option('window', { type: 'number', default: 50, describe: 'moving-average window of the plotted training accuracy' })
    .parseSync();
  const dir = outDir(argv.out, '--out');
  const window = parseInteger(argv.window, '--window', 1);
  if (!existsSync(join(dir, 'runs'))) throw new RangeError(`--out: ${argv.out} has no runs/ folder (run npm run fig6 first)`);
  try {
    return await drawFig6(dir, undefined, { window });
  } catch (err) {
    if (err instanceof RangeError && err.message.startsWith('out: ')) throw new RangeError(`--${err.message}`);
    throw err;
  }
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => reportWritten(await plot6(hideBin(process.argv))));
}
