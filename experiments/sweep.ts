/**
 * `npm run sweep -- --grid FILE [--out DIR] [--jobs N] [--queue nats://HOST:4222]`: trains every
 * run of a JSON grid (schemes × T_max × seeds × any train option, src/queue/grid.ts) — locally
 * in persistent run processes, `--jobs` at a time, or on the JetStream queue for
 * `npm run worker -- --role sweep` processes — into <out>/runs/<name> (finished runs are
 * skipped, so an interrupted sweep resumes), and writes <out>/summary.csv (one row per finished
 * run: its grid coordinates and final test accuracy).
 */
import { UserError } from '../src/util/user-error.ts';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { resolveValues, withOptions } from '../src/config/index.ts';
import { openQueueFromArgv, QUEUE_CLI_OPTIONS } from '../src/queue/cli.ts';
import { gridSize, planGrid, readGrid, MAX_GRID_RUNS } from '../src/queue/grid.ts';
import { readStoredResult, runSweep, writeSweepPlan, type Launcher, type SweepEvent, type SweepOutcome } from '../src/training/sweep.ts';
import { writeCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { abortOnSignals, commandLine, isMainModule, progressReporter, runCommand, UsageError } from './cli-common.ts';

export interface SweepIo {
  stdout?: NodeJS.WritableStream;
  launch?: Launcher;
  handleSignals?: boolean;
}

/** Grids of at least this many runs report progress while they are checked (10⁶ took minutes). */
export const GRID_PROGRESS_RUNS = 500;

/**
 * Reads and checks the grid FILE (at most {@link MAX_GRID_RUNS} runs unless `yes`); a big grid
 * reports its progress on `out` (every ~10%, like the Monte Carlo commands) so it is not silent.
 */
export function planSweepGrid(file: string, yes: boolean, out: NodeJS.WritableStream): ReturnType<typeof planGrid> {
  const grid = readGrid(file);
  const size = gridSize(grid);
  const progress = size >= GRID_PROGRESS_RUNS ? progressReporter('sweep: checking the grid', 'runs', out) : undefined;
  return planGrid(grid, {}, yes ? Infinity : MAX_GRID_RUNS, progress);
}

export async function sweep(args: string[], io: SweepIo = {}): Promise<{ outcome: SweepOutcome; summary: string | null }> {
  const out = io.stdout ?? process.stdout;
  const argv = withOptions(commandLine('A sweep of training runs from a JSON grid (schemes × tmax × seeds × any train option), locally or on a NATS JetStream queue.', args), ['out', 'jobs'], 'dnn')
    .option('grid', { type: 'string', describe: 'the grid (JSON): {"schemes": [...], "tmax": [...], "seeds": [...], "vary": {"lambda": [...]}, "options": {"epochs": 1}}' })
    .options(QUEUE_CLI_OPTIONS)
    .option('token', { type: 'string', describe: '--queue: NATS auth token' })
    .option('user', { type: 'string', describe: '--queue: NATS user (with --pass)' })
    .option('pass', { type: 'string', describe: '--queue: NATS password (with --user)' })
    .option('yes', { type: 'boolean', describe: `run a grid of more than ${MAX_GRID_RUNS} runs` })
    .parseSync();
  if (typeof argv.grid !== 'string' || argv.grid === '') throw new UsageError('--grid: give the grid file (JSON)');
  const v = resolveValues(['out', 'jobs'], { out: argv.out ?? 'results/sweep', jobs: argv.jobs });
  const { runs: plan, varied } = planSweepGrid(argv.grid, argv.yes === true, out);
  const dir = checkOutputDir(v.out as string);
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const queue = await openQueueFromArgv(argv, dir, (s) => out.write(s));
  const jobs = queue ? plan.length : Math.min(v.jobs as number, plan.length);
  out.write(`sweep: ${plan.length} runs from ${argv.grid}${varied.length ? ` (varying ${varied.join(', ')})` : ''}, ${queue ? 'on the queue' : `${jobs} at a time`}, into ${rel(dir)}\n`);
  const t0 = performance.now();
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s`;
  const onEvent = (e: SweepEvent) => {
    if (e.type === 'skip') out.write(`${stamp()}  skip  ${e.run.name}: already complete\n`);
    else if (e.type === 'done') out.write(`${stamp()}  [${e.finished}/${e.total}] done ${e.run.name}: test acc ${e.result.finalTestAccuracy.toFixed(4)}\n`);
    else if (e.type === 'failed') out.write(`${stamp()}  [${e.finished}/${e.total}] FAILED ${e.run.name}; see ${rel(e.logPath)}\n`);
    else if (e.type === 'left') out.write(`${stamp()}  [${e.finished}/${e.total}] left on the queue: ${e.run.name} (its workers go on; run the same command again to reattach)\n`);
  };
  const interrupt = abortOnSignals((sig) => `${sig}: stopping${queue ? ' (the queued jobs stay with the workers; run again to reattach)' : ' the running trainings; finished runs are kept'}`, undefined, io.handleSignals ?? true);
  let outcome: SweepOutcome;
  try {
    await writeSweepPlan(dir, plan);
    outcome = await runSweep(plan, dir, { jobs, launch: queue?.launch ?? io.launch, onEvent, signal: interrupt.signal });
  } finally {
    interrupt.dispose();
    await queue?.close();
  }
  const finished = plan.filter((r) => outcome.ran.includes(r) || outcome.skipped.includes(r));
  let summary: string | null = null;
  if (finished.length > 0) {
    summary = join(dir, 'summary.csv');
    const rows = finished.map((r) => {
      const res = readStoredResult(join(dir, 'runs', r.name));
      const coords = Object.fromEntries(varied.map((k) => [k, String(r.resolved[k as keyof typeof r.resolved] ?? r.given[k as keyof typeof r.given])]));
      return { name: r.name, scheme: r.scheme, tmax: r.tmax, seed: r.seed, ...coords, final_test_accuracy: res.finalTestAccuracy, iterations: res.iterations, wall_seconds: res.wallSeconds, backend: res.backend };
    });
    await writeCsv(summary, rows, ['name', 'scheme', 'tmax', 'seed', ...varied, 'final_test_accuracy', 'iterations', 'wall_seconds', 'backend']);
    out.write(`wrote ${rel(summary)}\n`);
  }
  out.write(`sweep: ${outcome.ran.length} trained, ${outcome.skipped.length} skipped (complete), ${outcome.failed.length} failed, ${outcome.notStarted.length} not started\n`);
  const firstFailed = outcome.failed[0];
  if (firstFailed) {
    const log = readFileSync(join(dir, 'logs', `${firstFailed.name}.log`), 'utf8').trim().split('\n');
    out.write(`first failed run ${firstFailed.name}, last lines of its log:\n  ${log.slice(-8).join('\n  ')}\n`);
  }
  if (interrupt.signal.aborted) process.exitCode = 130;
  else if (outcome.failed.length > 0) throw new UserError(`${outcome.failed.length} run${outcome.failed.length === 1 ? '' : 's'} failed: ${outcome.failed.map((r) => r.name).join(', ')} (see ${rel(dir)}/logs)`);
  return { outcome, summary };
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    await sweep(hideBin(process.argv));
  });
}
