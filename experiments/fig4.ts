/**
 * `npm run fig4`: normalised loss vs the number N of received results — the formula ℓ(N) of
 * Sec. IV and the Monte Carlo of the real codes (src/figures/fig4.ts builds the files). Writes,
 * all validated before anything is computed and written together at the end:
 *   <out>/fig4.csv, <out>/fig4.json, <out>/fig4.svg, <out>/fig4.png
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { fig4Files } from '../src/figures/fig4.ts';
import { cxrFigureFiles } from '../src/figures/journal-cxr.ts';
import { lineKey } from '../src/montecarlo/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, reportWritten, runCommand } from './cli-common.ts';
import { cxrFigureRun, gridFromValues, MC_FIGURE_KEYS, mcFigureRun } from './cli-montecarlo.ts';

/** The Fig. 3 setup (W = 40, Γ = (0.35, 0.35, 0.30)), written to results/fig4. */
const FIG4_PRESET = { ...PRESETS.fig3, out: 'results/fig4' };

/**
 * Fig. 4 with the given args (argv without node and script): validates every flag, runs the
 * Monte Carlo, renders and writes the four files as a group.
 * @returns the paths written (CSV, JSON, SVG, PNG)
 * @throws OptionError / UsageError naming the flag on bad input, before anything is computed or written
 */
export async function fig4(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine('Fig. 4: normalised loss vs number of received results — formula and Monte Carlo of the real codes.', args),
    MC_FIGURE_KEYS,
    FIG4_PRESET,
  ).parseSync();
  // λ and K are not flags here: only the arrival order matters, and any rate gives the same
  // (uniformly random) order; they keep the preset's values (recorded in the sidecar).
  const v = resolveValues([...MC_FIGURE_KEYS, 'lambda', 'K'], valuesFromArgv(argv as Record<string, unknown>, MC_FIGURE_KEYS), FIG4_PRESET);
  if (v.partition === 'cxr') {
    const crun = cxrFigureRun(v, 'fig4', argv as Record<string, unknown>);
    const cdir = checkOutputDir(v.out as string);
    const s = crun.setup;
    log(`backend: ${FLOAT64_BACKEND}`);
    log(`fig4 --partition cxr: ${crun.trials} trials, seed ${crun.seed}, schemes ${crun.schemes.join(', ')}, A ${s.U}×${s.n}, B ${s.n}×${s.Q}, ${s.classOf.length} packets, W = ${s.workers}`);
    const { files, elapsedSeconds } = await cxrFigureFiles(crun, { received: join(cdir, 'fig4'), sidecar: join(cdir, 'fig4.json'), command: 'fig4' }, args);
    const written = await writeFilesAtomic(files);
    log(`fig4: Monte Carlo took ${elapsedSeconds.toFixed(1)} s`);
    return written;
  }
  const run = mcFigureRun(v, 'fig4', gridFromValues(v, argv as Record<string, unknown>), (argv as Record<string, unknown>).workers !== undefined);
  const dir = checkOutputDir(v.out as string);

  log(`backend: ${FLOAT64_BACKEND}`);
  log(`fig4: ${run.trials} trials, seed ${run.seed}, lines ${run.lines.map(lineKey).join(', ')}, N = 0..${run.setup.workers}, ${run.threads} thread(s)`);
  const { files, elapsedSeconds } = await fig4Files(run, join(dir, 'fig4'), args);
  const written = await writeFilesAtomic(files);
  log(`fig4: Monte Carlo took ${elapsedSeconds.toFixed(1)} s`);
  return written;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await fig4(hideBin(process.argv)));
  });
}
