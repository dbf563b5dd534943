/**
 * `npm run plot6 -- --out DIR`: redraws DIR/fig6.{png,svg}, DIR/fig6-test.{png,svg} and
 * DIR/summary.csv from the finished runs in DIR/runs (their metrics.csv and config.json only;
 * nothing is trained). Unfinished (.partial-*) run directories are ignored.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { OptionError, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { drawFig6 } from '../src/training/fig6-draw.ts';
import { isRunComplete } from '../src/training/index.ts';
import { readSweepPlan } from '../src/training/sweep.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { commandLine, isMainModule, reportWritten, runCommand } from './cli-common.ts';

const KEYS = ['out', 'window'];

/**
 * Runs the plot6 command on `args`.
 * @returns the paths written
 * @throws OptionError naming --out when DIR has no finished runs
 */
export async function plot6(args: string[], say: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(commandLine('Redraw Fig. 6 from the runs of a fig6 output directory.', args), KEYS).parseSync();
  const v = resolveValues(KEYS, { out: 'results/fig6', ...valuesFromArgv(argv, KEYS) });
  const dir = checkOutputDir(v.out as string);
  if (!existsSync(join(dir, 'runs'))) throw new OptionError('out', `${String(v.out)} has no runs/ folder (run npm run fig6 first)`);
  const planned = readSweepPlan(dir);
  const present = planned?.filter((name) => isRunComplete(join(dir, 'runs', name))) ?? undefined;
  const partial = planned && present && present.length < planned.length ? { present: present.length, planned: planned.length } : undefined;
  if (partial) say(`plot6: the sweep is not complete (${partial.present} of ${partial.planned} runs): drawing it as PARTIAL`);
  return drawFig6(dir, present, { window: v.window as number, partial, onWarning: (m) => say(`warning: ${m}`) });
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => reportWritten(await plot6(hideBin(process.argv))));
}
