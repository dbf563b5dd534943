/**
 * `npm run fig3`: normalised loss vs the deadline t — the formula of Sec. IV and the Monte Carlo
 * of the real codes (src/figures/fig3.ts builds the files). Writes, all validated before
 * anything is computed and written together at the end:
 *   <out>/fig3.csv, <out>/fig3.json, <out>/fig3.svg, <out>/fig3.png
 * With --design also the codes with Γ optimised at each t (src/design) and <out>/fig3-design.csv.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { OptionError, PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { designedFig3Extras } from '../src/design/index.ts';
import { fig3Files } from '../src/figures/fig3.ts';
import { cxrFigureFiles } from '../src/figures/journal-cxr.ts';
import { lineKey } from '../src/montecarlo/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, reportWritten, runCommand } from './cli-common.ts';
import { cxrFigureRun, gridFromValues, MC_FIGURE_KEYS, mcFigureRun } from './cli-montecarlo.ts';

/** The catalogue options (src/config) of Fig. 3, `--design` among them (src/design/fig3-extras.ts). */
const FIG3_KEYS = [...MC_FIGURE_KEYS, 'times', 'lambda', 'K', 'design', 'designTimes'] as const;
/** The Fig. 3 setup (W = 40, λ = 0.25, K = 1, Γ = (0.35, 0.35, 0.30)), written to results/fig3. */
const FIG3_PRESET = { ...PRESETS.fig3, out: 'results/fig3' };

/**
 * Fig. 3 with the given args (argv without node and script): validates every flag, runs the
 * Monte Carlo, renders and writes the four files as a group.
 * @returns the paths written (CSV, JSON, SVG, PNG)
 * @throws OptionError / UsageError naming the flag on bad input, before anything is computed or written
 */
export async function fig3(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine('Fig. 3: normalised loss vs deadline t — formula and Monte Carlo of the real codes.', args),
    FIG3_KEYS,
    FIG3_PRESET,
  ).parseSync();
  const v = resolveValues(FIG3_KEYS, valuesFromArgv(argv as Record<string, unknown>, FIG3_KEYS), FIG3_PRESET);
  const times = v.times as number[];
  if (v.partition === 'cxr') {
  if (v.design) throw new OptionError('design', 'designs Γ on the r×c partition only; drop it with --partition cxr');
    const crun = cxrFigureRun(v, 'fig3', argv as Record<string, unknown>);
    const cdir = checkOutputDir(v.out as string);
    const s = crun.setup;
    log(`backend: ${FLOAT64_BACKEND}`);
    log(`fig3 --partition cxr: ${crun.trials} trials, seed ${crun.seed}, schemes ${crun.schemes.join(', ')}, A ${s.U}×${s.n}, B ${s.n}×${s.Q}, ${s.classOf.length} packets, W = ${s.workers}`);
    const { files, elapsedSeconds } = await cxrFigureFiles(crun, { time: join(cdir, 'fig3'), sidecar: join(cdir, 'fig3.json'), command: 'fig3' }, args);
    const written = await writeFilesAtomic(files);
    log(`fig3: Monte Carlo took ${elapsedSeconds.toFixed(1)} s`);
    return written;
  }
  const run = mcFigureRun(v, 'fig3', gridFromValues(v, argv as Record<string, unknown>), (argv as Record<string, unknown>).workers !== undefined);
  const dir = checkOutputDir(v.out as string);

  log(`backend: ${FLOAT64_BACKEND}`);
  log(
    `fig3: ${run.trials} trials, seed ${run.seed}, lines ${run.lines.map(lineKey).join(', ')}, ` +
      `${times.length} deadlines, ${run.threads} thread(s)`,
  );
  const extras = v.design
    ? await designedFig3Extras(run, times, v.designTimes as number[], join(dir, 'fig3'), log)
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
