/**
 * Training-step benchmark as a library: several training runs (one per scheme) trained
 * concurrently in this process through runTraining, so their steps interleave (runTraining
 * yields every 10 iterations) and machine noise hits them alike; each run's step times are the
 * trainer's own (metrics.csv step_ms, result.msPerStep). Also the fixed costs of one run in a
 * long-lived executor (wall time minus steps and evaluations: setup, between steps, writing), of
 * loading the data, and of starting a run process (modules, backend, first-run warm-up).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingScheme } from '../coded-backprop/index.ts';
import { runTraining, type RunResult, type RunTiming } from '../training/run.ts';
import { makeLocalRunner } from '../training/local-runner.ts';
import { startRunPool } from '../training/run-pool.ts';
import { planSweep } from '../training/sweep.ts';
import { resolveTrainConfig, type TrainConfigInput } from '../training/train-config.ts';
import { loadTrainData } from '../training/train-data.ts';
import { initBackend } from '../util/backend.ts';
import { parseCsv } from '../util/csv.ts';

export interface StepBenchRow {
  scheme: TrainingScheme;
  /** Mean step_ms over the first `head` steps, and over the whole run. */
  headMs: number;
  wholeMs: number;
  iterations: number;
  evalMs: number;
  evaluations: number;
  finalTestAccuracy: number;
}

export interface StepBenchOptions {
  schemes: readonly TrainingScheme[];
  /** Options shared by every run (tmax, seed, epochs, limit, evalEvery…). */
  common: TrainConfigInput;
  /** Steps of the "first steps" mean (the issue's 300). */
  head: number;
}

/** Trains one run per scheme concurrently (interleaved) and returns their step statistics. */
export async function interleavedSteps(o: StepBenchOptions): Promise<StepBenchRow[]> {
  const tmp = await mkdtemp(join(tmpdir(), 'bench-steps-'));
  try {
    const configs = o.schemes.map((scheme) => resolveTrainConfig({ ...o.common, scheme }));
    await initBackend(configs[0].backend);
    const data = loadTrainData(configs[0]);
    const results: RunResult[] = await Promise.all(configs.map((c) => runTraining(c, data, join(tmp, c.scheme))));
    const rows: StepBenchRow[] = [];
    for (let i = 0; i < configs.length; i++) {
      const csv = parseCsv(await readFile(join(tmp, configs[i].scheme, 'metrics.csv'), 'utf8'));
      const ms = csv.map((r) => r.step_ms as number);
      const head = ms.slice(0, o.head);
      rows.push({
        scheme: configs[i].scheme,
        headMs: head.reduce((a, b) => a + b, 0) / head.length,
        wholeMs: results[i].msPerStep,
        iterations: results[i].iterations,
        evalMs: results[i].evalMs,
        evaluations: csv.filter((r) => r.test_acc !== null).length,
        finalTestAccuracy: results[i].finalTestAccuracy,
      });
    }
    return rows;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export interface FixedCosts {
  /**
   * One run in a long-lived executor (data loaded, backend warm), in ms: wall = steps +
   * evaluations + rest, and rest = setup (to the first step) + between steps + write (after the
   * last step, to the run directory in place).
   */
  run: {
    wallMs: number;
    stepsMs: number;
    evalMs: number;
    evaluations: number;
    restMs: number;
    setupMs: number;
    betweenMs: number;
    writeMs: number;
    iterations: number;
  };
  /** Loading the run's MNIST splits and packing its test set: once per run process and data set. */
  dataLoadMs: number;
  /**
   * Starting a run process, once per process: `totalMs` is the first tiny run in a new run
   * process minus the second; of which, from the process's log, node + tsx + the module graph
   * (`modulesMs`) and initialising the backend (`backendMs`); `otherMs` is the rest (first-run
   * warm-up: JIT, the git commit lookup, …).
   */
  processStart: { totalMs: number; modulesMs: number; backendMs: number; otherMs: number };
}

/** Measures the fixed costs of a run of `input` in this process, and of a run process start. */
export async function fixedCosts(input: TrainConfigInput): Promise<FixedCosts> {
  const tmp = await mkdtemp(join(tmpdir(), 'bench-fixed-'));
  try {
    const runner = makeLocalRunner();
    // As after a sweep's first runs in a process: backend and code warm (twice, so that the
    // optimising compiler has seen the setup code), the wasm heap grown to hold the test set.
    // (A process's first full-size run pays those once, ≈ 40 ms here: in neither figure below.)
    for (const warm of ['warm-1', 'warm-2']) await runner.run({ input: { ...input, epochs: 1, limit: 64, evalEvery: 0 }, dir: join(tmp, warm) });
    const l0 = performance.now();
    await runner.preload(input); // as in a sweep, where every run shares the data
    const dataLoadMs = performance.now() - l0;
    const timing: RunTiming = { setupMs: NaN, writeMs: NaN };
    const t0 = performance.now();
    const r = await runner.run({ input, dir: join(tmp, 'run') }, { timing });
    const wallMs = performance.now() - t0;
    const stepsMs = r.msPerStep * r.iterations;
    const restMs = wallMs - stepsMs - r.evalMs;
    const csv = parseCsv(await readFile(join(tmp, 'run', 'metrics.csv'), 'utf8'));
    const evaluations = csv.filter((row) => row.test_acc !== null).length;

    // Process start: same tiny run twice in one fresh run process.
    const plan = planSweep({ schemes: ['baseline'], tmaxes: [], seeds: [1, 2], common: { epochs: 1, limit: 64, testLimit: 64 } });
    const pool = startRunPool(1);
    const times: number[] = [];
    try {
      for (const p of plan) {
        const s = performance.now();
        const out = await pool.launch(p, join(tmp, p.name), join(tmp, `${p.name}.log`)).done;
        if (out.code !== 0) throw new Error(`bench run ${p.name} failed: ${await readFile(join(tmp, `${p.name}.log`), 'utf8')}`);
        times.push(performance.now() - s);
      }
    } finally {
      await pool.close();
    }
    const log = await readFile(join(tmp, `${plan[0].name}.log`), 'utf8');
    const logged = (re: RegExp) => {
      const m = re.exec(log);
      if (!m) throw new Error(`bench: the run process's log has no ${re.source}:\n${log}`);
      return Number(m[1]);
    };
    const totalMs = times[0] - times[1];
    const modulesMs = logged(/modules loaded (\d+) ms after the process started/);
    const backendMs = logged(/backend (\d+) ms\)/);
    return {
      run: {
        wallMs,
        stepsMs,
        evalMs: r.evalMs,
        evaluations,
        restMs,
        setupMs: timing.setupMs,
        betweenMs: restMs - timing.setupMs - timing.writeMs,
        writeMs: timing.writeMs,
        iterations: r.iterations,
      },
      dataLoadMs,
      processStart: { totalMs, modulesMs, backendMs, otherMs: totalMs - modulesMs - backendMs },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
