/**
 * Training on a real runtime: the run's coded multiply (src/training/run.ts `RunHooks.multiply`)
 * with the same named random stream ('code') as the simulator's, so that for one seed `sim` and
 * the real runtime draw the same code coefficients and worker times; only the wall clock decides
 * who arrives. The trainer awaits each step's products (grad input and grad weight of a layer in
 * flight together).
 */
import type { RunMultiply, TrainConfig } from '../training/index.ts';
import { Rng, streamSeed } from '../util/rng.ts';
import type { RealTiming } from './coded-call.ts';
import { makeRealMultiply } from './real-multiply.ts';
import type { Runtime } from './runtime.ts';

/** The run's multiply on `runtime`; `label` is recorded in config.json as the runtime. */
export function realRunMultiply(cfg: TrainConfig, runtime: Runtime, timing: RealTiming, label: string): RunMultiply & { runtime: string } {
  if (cfg.coded === 'baseline') throw new RangeError('--runtime: the baseline has exact products and no workers; use --runtime sim (the default) or a coded --scheme');
  const m = makeRealMultiply(cfg.coded, new Rng(streamSeed(cfg.seed, 'code')), runtime, timing, 0, cfg.sites);
  return { step: { async: m.multiply }, takeStepStats: () => m.takeStepStats(), runtime: label };
}
