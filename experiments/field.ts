/**
 * `npm run field`: UEP beside the field's codes (issue 22), two figures into results/field/:
 *  - matrix level (src/figures/field.ts): normalised loss vs t and vs the number of results on the
 *    Fig. 3 setup (3×3) and on the 1-D 9×1 setup where BACC lives, every code with its formula
 *    where one exists;
 *  - training (src/training/field-draw.ts): MNIST final test accuracy vs T_max with min–max bars
 *    over the seeds, for the variants of src/training/field-sweep.ts, run like fig6: resumable
 *    (finished runs are skipped), `--jobs` at a time, or on the queue (--queue).
 * `--part matrix|train` runs one of them.
 */
import { relative } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { fieldMatrixFiles } from '../src/figures/field.ts';
import { designedCurve, designedMonteCarlo } from '../src/design/index.ts';
import { loadTrainData } from '../src/training/index.ts';
import { runSweep, writeSweepPlan, type SweepEvent } from '../src/training/sweep.ts';
import { FIELD_VARIANTS, planFieldSweep } from '../src/training/field-sweep.ts';
import { drawFieldTraining } from '../src/training/field-draw.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { openQueueFromArgv, QUEUE_CLI_OPTIONS } from '../src/queue/cli.ts';
import { abortOnSignals, commandLine, isMainModule, runCommand } from './cli-common.ts';

const TRAIN_COMMON = ['epochs', 'lambda', 'evalEvery', 'limit', 'testLimit', 'backend', 'dataDir'] as const;
const KEYS = ['fieldPart', 'seeds', 'tmaxes', ...TRAIN_COMMON, 'jobs', 'trials', 'threads', 'seed', 'out'];

/** Runs the command on `args`; returns the files written. */
export async function field(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(commandLine('UEP beside the field’s codes: the matrix-level figure and the MNIST training figure.', args), KEYS, 'dnn')
    .options(QUEUE_CLI_OPTIONS)
    .parseSync();
  const given = valuesFromArgv(argv, KEYS);
  const v = resolveValues(KEYS, { ...given, out: given.out ?? 'results/field', trials: given.trials ?? 2000 }, 'dnn');
  const dir = checkOutputDir(v.out as string);
  const part = v.fieldPart as string;
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const written: string[] = [];

  // validate the training plan before running anything
  const common = Object.fromEntries(TRAIN_COMMON.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]));
  const plan = part === 'matrix' ? [] : planFieldSweep(FIELD_VARIANTS, { tmaxes: v.tmaxes as number[], seeds: v.seeds as number[], common });

  if (part !== 'train') {
    const t0 = performance.now();
    const trials = v.trials as number;
    const seed = v.seed as number;
    const threads = v.threads as number;
    const designedEw = async (setup: Parameters<typeof designedCurve>[0], times: readonly number[], pointTimes: readonly number[]) => ({
      curve: designedCurve(setup, 'ew', times).map((d) => d.loss),
      points: await designedMonteCarlo(setup, ['ew'], pointTimes, { trials, seed, threads, z: 1.959964 }),
    });
    const files = await fieldMatrixFiles(dir, { trials, seed, threads, designedEw, onProgress: (m) => log(`field: ${m}`) }, args);
    written.push(...(await writeFilesAtomic(files)));
    log(`field: matrix-level figure in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  if (part !== 'matrix') {
    loadTrainData(plan[0].resolved);
    const epochs = plan[0].resolved.epochs;
    const limit = plan[0].resolved.limit;
    log(`field: ${plan.length} training runs (${FIELD_VARIANTS.map((x) => x.key).join(', ')}; T_max ${(v.tmaxes as number[]).join(',')}; seeds ${(v.seeds as number[]).join(',')}; ${epochs} epoch(s)${limit ? `, first ${limit} examples` : ''}), ${v.jobs as number} at a time, into ${rel(dir)}`);
    const t0 = performance.now();
    const stamp = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s`;
    const onEvent = (e: SweepEvent) => {
      if (e.type === 'done') log(`${stamp()}  [${e.finished}/${e.total}] done ${e.run.name}: test acc ${e.result.finalTestAccuracy.toFixed(4)} (${e.result.msPerStep.toFixed(1)} ms/step)`);
      else if (e.type === 'failed') log(`${stamp()}  [${e.finished}/${e.total}] FAILED ${e.run.name}; see ${rel(e.logPath)}`);
      else if (e.type === 'skip') log(`${stamp()}  skip  ${e.run.name}: already complete`);
    };
    const queue = await openQueueFromArgv(argv, dir, (s) => log(s.trimEnd()));
    const interrupt = abortOnSignals((sig) => `${sig}: stopping the running trainings; finished runs are kept`);
    let finished: string[];
    try {
      await writeSweepPlan(dir, plan);
      const outcome = await runSweep(plan, dir, { jobs: queue ? plan.length : (v.jobs as number), launch: queue?.launch, onEvent, signal: interrupt.signal });
      finished = [...outcome.ran, ...outcome.skipped].map((r) => r.name);
      log(`field: ${outcome.ran.length} trained, ${outcome.skipped.length} skipped, ${outcome.failed.length} failed, ${outcome.notStarted.length} not started`);
    } finally {
      interrupt.dispose();
      await queue?.close();
    }
    if (finished.length > 0) {
      const note = `MNIST, ${epochs} epoch(s)${limit ? ` on the first ${limit} training examples` : ''}, λ = ${plan[0].resolved.lambda}` + (finished.length < plan.length ? ` — PARTIAL: ${finished.length} of ${plan.length} runs` : '');
      written.push(...(await drawFieldTraining(dir, finished, note)));
    }
    if (interrupt.signal.aborted) process.exitCode = 130;
  }
  for (const p of written) log(`wrote ${rel(p)}`);
  return written;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    await field(hideBin(process.argv));
  });
}
