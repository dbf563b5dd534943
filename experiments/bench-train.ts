/**
 * `npm run bench:train`: the trainer's own ms/step of coded training runs against the exact
 * (baseline) run, all trained concurrently in one process so their steps interleave (ratios
 * from one run), over the first `--head` steps and the whole run; the test-evaluation time
 * separately; and the fixed costs of one run (in a long-lived executor, and of a process start).
 */
import { hideBin } from 'yargs/helpers';
import type { TrainingScheme } from '../src/coded-backprop/index.ts';
import { PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { fixedCosts, interleavedSteps } from '../src/bench/train-steps.ts';
import { initBackend } from '../src/util/backend.ts';
import { commandLine, isMainModule, runCommand } from './cli-common.ts';

/** The catalogue options (src/config) of this benchmark; `--schemes` lists the codes, the baseline always runs. */
const BENCH_TRAIN_KEYS = ['codeSchemes', 'tmax', 'epochs', 'limit', 'head', 'seed', 'fixed'] as const;
/** The timing benchmark's setup (preset bench: the training setup at T_max = 1), one epoch per run. */
const BENCH_TRAIN_VALUES = { ...PRESETS.bench, epochs: 1 };

export async function benchTrain(args: string[]): Promise<void> {
  const argv = withOptions(
    commandLine('Times training steps of coded runs against the exact (baseline) run, interleaved in one process.', args),
    BENCH_TRAIN_KEYS,
    BENCH_TRAIN_VALUES,
  ).parseSync();
  const v = resolveValues(BENCH_TRAIN_KEYS, valuesFromArgv(argv as Record<string, unknown>, BENCH_TRAIN_KEYS), BENCH_TRAIN_VALUES);
  const schemes: TrainingScheme[] = ['baseline', ...(v.codeSchemes as TrainingScheme[])];
  const tmax = v.tmax as number;
  const epochs = v.epochs as number;
  const head = v.head as number;
  const seed = v.seed as number;
  const limit = v.limit as number | null;
  const common = { tmax, epochs, seed, ...(limit === null ? {} : { limit }) };
  const backend = await initBackend('auto');
  console.log(`backend: ${backend}`);
  console.log(`${schemes.length} runs trained concurrently (steps interleaved by 10), T_max ${tmax}, ${epochs} epoch(s), seed ${seed}, ${new Date().toISOString()}`);
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
  if (!v.fixed) return;
  const fc = await fixedCosts({ scheme: 'baseline', ...common });
  const { run } = fc;
  const ps = fc.processStart;
  const pct = (x: number) => `${((100 * x) / run.stepsMs).toFixed(1)}%`.padStart(7);
  const line = (label: string, x: number, share = true) => console.log(`  ${label.padEnd(80)}${x.toFixed(0).padStart(6)} ms${share ? pct(x) : ''}`);
  console.log(`\nfixed costs of one baseline run (${run.iterations} steps, ${epochs} epoch(s)); % of its steps' time:`);
  console.log(`in a long-lived executor (data loaded, backend warm): wall = steps + test evaluations + rest`);
  line('wall', run.wallMs, false);
  line('steps', run.stepsMs, false);
  line(`test evaluations (${run.evaluations} × ${(run.evalMs / Math.max(1, run.evaluations)).toFixed(1)} ms)`, run.evalMs);
  line('rest', run.restMs);
  line('  setup to the first step (run directory, metrics.csv, weights, test upload)', run.setupMs);
  line('  between steps (event-loop turns every 10 steps, metrics rows)', run.betweenMs);
  line('  after the last step (metrics.csv, config.json, fsyncs, rename)', run.writeMs);
  console.log(`once per run process (shared by the runs a sweep gives that process):`);
  line('data: MNIST splits loaded, test set packed', fc.dataLoadMs);
  line('start of a run process (first tiny run in a new process minus the second)', ps.totalMs);
  line('  node, tsx and the module graph', ps.modulesMs);
  line(`  backend (tfjs ${backend})`, ps.backendMs);
  line('  first-run warm-up (JIT, git commit lookup, …)', ps.otherMs);
  const perRun = (n: number) => ((100 * (run.restMs + (fc.dataLoadMs + ps.totalMs) / n)) / run.stepsMs).toFixed(1);
  console.log(`all fixed costs but test evaluations, per run of this size, when one process trains n runs: rest + (start + data) / n`);
  console.log(`  n = 1: ${perRun(1)}%   n = 4: ${perRun(4)}%   n = 17 (fig6 --seeds 1 --jobs 1): ${perRun(17)}% of its steps`);
}

if (isMainModule(import.meta.url)) void runCommand(() => benchTrain(hideBin(process.argv)));
