/**
 * `npm run bench:train`: the trainer's own ms/step of coded training runs against the exact
 * (baseline) run, all trained concurrently in one process so their steps interleave (ratios
 * from one run), over the first `--head` steps and the whole run; the test-evaluation time
 * separately; and the fixed costs of one run (in a long-lived executor, and of a process start).
 */
import { hideBin } from 'yargs/helpers';
import type { TrainingScheme } from '../src/coded-backprop/index.ts';
import { fixedCosts, interleavedSteps } from '../src/bench/train-steps.ts';
import { initBackend } from '../src/util/backend.ts';
import { commandLine, isMainModule, parseChoiceList, parseInteger, runCommand } from './cli-common.ts';

const SCHEMES = ['baseline', 'uncoded', 'rep', 'mds', 'now', 'ew'] as const;

export async function benchTrain(args: string[]): Promise<void> {
  const argv = commandLine('Times training steps of coded runs against the exact run, interleaved in one process.', args)
    .option('schemes', { type: 'string', default: SCHEMES.join(','), describe: `schemes (${SCHEMES.join(', ')}); baseline is the reference` })
    .option('tmax', { type: 'number', default: 1, describe: 'deadline T_max of the coded runs' })
    .option('epochs', { type: 'number', default: 1, describe: 'epochs of each run' })
    .option('limit', { type: 'number', describe: 'training examples (default all 60000)' })
    .option('head', { type: 'number', default: 300, describe: 'steps of the "first steps" mean' })
    .option('seed', { type: 'number', default: 1 })
    .option('fixed', { type: 'boolean', default: true, describe: 'also measure fixed per-run costs (--no-fixed to skip)' })
    .parseSync();
  const schemes = parseChoiceList(argv.schemes, '--schemes', SCHEMES) as TrainingScheme[];
  if (!schemes.includes('baseline')) schemes.unshift('baseline');
  const epochs = parseInteger(argv.epochs, '--epochs', 1);
  const head = parseInteger(argv.head, '--head', 1);
  const seed = parseInteger(argv.seed, '--seed', 0);
  const limit = argv.limit === undefined ? undefined : parseInteger(argv.limit, '--limit', 1, 60000);
  const common = { tmax: argv.tmax, epochs, seed, ...(limit === undefined ? {} : { limit }) };
  console.log(`backend: ${await initBackend('auto')}`);
  console.log(`${schemes.length} runs trained concurrently (steps interleaved by 10), T_max ${argv.tmax}, ${epochs} epoch(s), seed ${seed}, ${new Date().toISOString()}`);
  const rows = await interleavedSteps({ schemes, common, head });
  const base = rows.find((r) => r.scheme === 'baseline')!;
  const f = (x: number) => x.toFixed(3).padStart(8);
  const q = (x: number) => `${x.toFixed(2)}×`.padStart(7);
  console.log(`\nscheme    ms/step first ${head}        ms/step whole run      ms/eval  evals  test acc`);
  for (const r of rows) {
    console.log(
      `${r.scheme.padEnd(10)}${f(r.headMs)} ${r.scheme === 'baseline' ? '       ' : q(r.headMs / base.headMs)}     ` +
        `${f(r.wholeMs)} ${r.scheme === 'baseline' ? '       ' : q(r.wholeMs / base.wholeMs)}   ${f(r.evalMs / Math.max(1, r.evaluations))} ${String(r.evaluations).padStart(6)}  ${r.finalTestAccuracy.toFixed(4)}`,
    );
  }
  if (!argv.fixed) return;
  const fc = await fixedCosts({ scheme: 'baseline', ...common });
  const pct = (x: number) => `${((100 * x) / fc.run.stepsMs).toFixed(1)}% of its steps`;
  console.log(`\nfixed costs of one baseline run (${fc.run.iterations} steps) in a long-lived executor (data loaded, backend warm):`);
  console.log(`  wall ${fc.run.wallMs.toFixed(0)} ms = steps ${fc.run.stepsMs.toFixed(0)} + evaluations ${fc.run.evalMs.toFixed(0)} (${pct(fc.run.evalMs)}) + rest ${fc.run.restMs.toFixed(0)} ms (${pct(fc.run.restMs)})`);
  console.log(`  loading the data, paid once per run process: ${fc.dataLoadMs.toFixed(0)} ms (${pct(fc.dataLoadMs)})`);
  console.log(`  starting a run process (tsx, tfjs, wasm, MNIST), paid once per process: ${fc.processStartMs.toFixed(0)} ms (${pct(fc.processStartMs)})`);
}

if (isMainModule(import.meta.url)) void runCommand(() => benchTrain(hideBin(process.argv)));
