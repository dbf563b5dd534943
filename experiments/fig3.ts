/**
 * `npm run fig3`: normalised loss vs the deadline t — the formula of Sec. IV and the Monte Carlo
 * of the real codes (src/figures/fig3.ts builds the files). Writes, all validated before
 * anything is computed and written together at the end:
 *   <out>/fig3.csv, <out>/fig3.json, <out>/fig3.svg, <out>/fig3.png
 * With --design also the codes with Γ optimised at each t (src/design) and <out>/fig3-design.csv.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { designedFig3Extras } from '../src/design/index.ts';
import { fig3Files } from '../src/figures/fig3.ts';
import { lineKey, PAPER_MC_SETUP } from '../src/montecarlo/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, parseNumbersOrRanges, reportWritten, runCommand } from './cli-common.ts';
import { commonFlags, parseCommonFlags, parsePositive } from './cli-montecarlo.ts';

/** Catalogue options (src/config) of `--design` (src/design/fig3-extras.ts). */
const DESIGN_FLAGS = ['design', 'designTimes'] as const;

/**
 * Fig. 3 with the given args (argv without node and script): validates every flag, runs the
 * Monte Carlo, renders and writes the four files as a group.
 * @returns the paths written (CSV, JSON, SVG, PNG)
 * @throws RangeError / UsageError naming the flag on bad input, before anything is computed or written
 */
export async function fig3(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(commandLine('Fig. 3: normalised loss vs deadline t — formula and Monte Carlo of the real codes.', args), DESIGN_FLAGS)
    .options(commonFlags('results/fig3'))
    .option('times', { type: 'string', default: '0:5:0.05', describe: 'deadlines t: numbers and start:stop:step ranges, comma-separated' })
    .option('lambda', { type: 'string', default: String(PAPER_MC_SETUP.lambda), describe: 'exponential rate λ of one worker' })
    .option('K', { type: 'string', default: String(PAPER_MC_SETUP.K), describe: 'time scaling K: worker times ~ Exp(λ·K) (CDF F(K·t))' })
    .parseSync();

  const times = parseNumbersOrRanges(argv.times, '--times', { min: 0 });
  if (times.length === 0) throw new RangeError('--times: the time grid is empty');
  if (times.length > 100_000) throw new RangeError(`--times: at most 100000 deadlines, got ${times.length}`);
  const lambda = parsePositive(argv.lambda, '--lambda');
  const K = parsePositive(argv.K, '--K');
  const { run, dir } = parseCommonFlags(argv as Record<string, unknown>, 'fig3', { lambda, K });
  const designOpts = resolveValues(DESIGN_FLAGS, valuesFromArgv(argv as Record<string, unknown>, DESIGN_FLAGS));

  log(`backend: ${FLOAT64_BACKEND}`);
  log(
    `fig3: ${run.trials} trials, seed ${run.seed}, lines ${run.lines.map(lineKey).join(', ')}, ` +
      `${times.length} deadlines, ${run.threads} thread(s)`,
  );
  const extras = designOpts.design
    ? await designedFig3Extras(run, times, designOpts.designTimes as number[], join(dir, 'fig3'), log)
    : undefined;
  for (const c of extras?.crossings ?? []) {
    const f = (x: number | null) => (x === null ? 'never worse on the grid' : `t ≈ ${x.toFixed(3)}`);
    log(`fig3 --design: ${c.scheme.toUpperCase()} crosses MDS at ${f(c.reference)} with Γ = (${c.referenceGamma.join(', ')}), at ${f(c.designed)} with Γ optimised at each t`);
  }
  const { files, elapsedSeconds } = await fig3Files(run, times, join(dir, 'fig3'), args, extras);
  const written = await writeFilesAtomic(files);
  log(`fig3: Monte Carlo took ${elapsedSeconds.toFixed(1)} s`);
  return written;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await fig3(hideBin(process.argv)));
  });
}
