/**
 * A sweep of any `train` configurations from a small JSON grid (`npm run sweep -- --grid FILE`):
 *
 *   {
 *     "schemes": ["baseline", "ew", "now"],      // required
 *     "tmax": [0.5, 1],                          // required with a coded scheme ("inf" allowed)
 *     "seeds": [1, 2, 3],                        // required
 *     "vary": { "lambda": [0.5, 1], "gamma": ["0.5,0.3,0.2", "0.7,0.2,0.1"] },  // optional: crossed
 *     "options": { "epochs": 1, "limit": 2000 }  // optional: given to every run
 *   }
 *
 * Keys of `vary` and `options` are train options, as catalogue keys (`testLimit`) or flags
 * (`test-limit`); values are what the flag takes. The runs are the Fig. 6 plan (baseline once per
 * seed, every other scheme once per (T_max, seed)) for each combination of the `vary` values;
 * a varied option is appended to the run's name (`ew-tmax1-seed2-lambda0.5`).
 */
import { InputFileError, readInputText } from '../util/read-input-file.ts';
import type { TrainingScheme } from '../coded-backprop/index.ts';
import { OptionError, OPTIONS, kebab } from '../config/index.ts';
import type { PlannedRun } from '../training/launcher.ts';
import { planSweep } from '../training/sweep.ts';
import { TRAIN_KEYS, type TrainConfigInput } from '../training/train-config.ts';

export interface Grid {
  schemes: TrainingScheme[];
  tmax: Array<number | string>;
  seeds: number[];
  vary: Record<string, unknown[]>;
  options: Record<string, unknown>;
}

/** Options a grid may set (the seed, scheme and T_max come from their own lists). */
const SETTABLE = TRAIN_KEYS.filter((k) => k !== 'scheme' && k !== 'tmax' && k !== 'seed');

function trainKey(name: string, where: string): string {
  for (const k of SETTABLE) if (k === name || (OPTIONS[k]?.flag ?? kebab(k)) === name) return k;
  throw new OptionError('grid', `${where}: '${name}' is not a train option a grid may set (${SETTABLE.map((k) => OPTIONS[k]?.flag ?? kebab(k)).join(', ')})`);
}

const list = (v: unknown, what: string, required: boolean): unknown[] => {
  if (v === undefined && !required) return [];
  if (!Array.isArray(v) || (required && v.length === 0)) throw new OptionError('grid', `"${what}" must be a non-empty list`);
  return v;
};

/** Parses and checks a grid (OptionError 'grid' naming the field). */
export function parseGrid(text: string, file = 'grid'): Grid {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new OptionError('grid', `${file} is not JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OptionError('grid', `${file}: expected an object`);
  for (const k of Object.keys(raw)) {
    if (!['schemes', 'tmax', 'seeds', 'vary', 'options'].includes(k)) throw new OptionError('grid', `${file}: unknown field "${k}" (schemes, tmax, seeds, vary, options)`);
  }
  const obj = (v: unknown, what: string): Record<string, unknown> => {
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OptionError('grid', `"${what}" must be an object`);
    return v as Record<string, unknown>;
  };
  const vary: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(obj(raw.vary, 'vary'))) vary[trainKey(k, 'vary')] = list(v, `vary.${k}`, true);
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj(raw.options, 'options'))) {
    const key = trainKey(k, 'options');
    if (key in vary) throw new OptionError('grid', `'${k}' is both in "vary" and in "options"`);
    options[key] = v;
  }
  return {
    schemes: list(raw.schemes, 'schemes', true) as TrainingScheme[],
    tmax: list(raw.tmax, 'tmax', false) as Array<number | string>,
    seeds: list(raw.seeds, 'seeds', true) as number[],
    vary,
    options,
  };
}

export function readGrid(file: string): Grid {
  let text: string;
  try {
    text = readInputText(file, 1024 * 1024);
  } catch (err) {
    if (err instanceof InputFileError) throw new OptionError('grid', err.detail);
    throw err;
  }
  return parseGrid(text, file);
}

const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v)).replace(/[^A-Za-z0-9.,_-]/g, '_');

/** Runs a grid may plan without `--yes` (each is a training of seconds to minutes). */
export const MAX_GRID_RUNS = 1000;

/** How many runs a grid makes (counted before anything is expanded). */
export function gridSize(g: Grid): number {
  const coded = g.schemes.filter((s) => s !== 'baseline').length;
  const perSeed = (g.schemes.includes('baseline') ? 1 : 0) + coded * g.tmax.length;
  return Object.values(g.vary).reduce((n, vs) => n * vs.length, g.seeds.length * perSeed);
}

/**
 * The runs of a grid, every one validated (OptionError naming the option). A grid of more than
 * `maxRuns` runs is refused before it is expanded (10⁶ runs once took minutes and GBs, silently).
 * `onProgress(planned, total)` is called as the runs are checked (after each seed of each `vary` combination).
 */
export function planGrid(
  g: Grid,
  extra: Record<string, unknown> = {},
  maxRuns = MAX_GRID_RUNS,
  onProgress?: (planned: number, total: number) => void,
): { runs: PlannedRun[]; varied: string[] } {
  const size = gridSize(g);
  if (size > maxRuns) throw new OptionError('grid', `the grid makes ${size} runs, over the ${maxRuns} a sweep runs without --yes (give --yes to run them all)`);
  const varied = Object.keys(g.vary);
  let combos: Array<Record<string, unknown>> = [{}];
  for (const k of varied) combos = combos.flatMap((c) => g.vary[k].map((v) => ({ ...c, [k]: v })));
  const tmaxes = g.tmax.map((t) => (t === 'inf' || t === Infinity ? Infinity : Number(t)));
  if (tmaxes.some((t) => Number.isNaN(t))) throw new OptionError('grid', `"tmax" must hold numbers or "inf" (got ${JSON.stringify(g.tmax)})`);
  const runs: PlannedRun[] = [];
  for (const combo of combos) {
    const common = { ...g.options, ...extra, ...combo } as Omit<TrainConfigInput, 'scheme' | 'tmax' | 'seed' | 'sites'>;
    const suffix = varied.map((k) => `-${OPTIONS[k]?.flag ?? kebab(k)}${show(combo[k])}`).join('');
    // One seed at a time (planSweep's outer loop, so the order is the same) to report progress:
    // each run is validated by the catalogue, which takes minutes for 10⁶ runs.
    for (const seed of g.seeds) {
      for (const r of planSweep({ schemes: g.schemes, tmaxes, seeds: [seed], common })) runs.push({ ...r, name: r.name + suffix });
      onProgress?.(runs.length, size);
    }
  }
  const names = new Set(runs.map((r) => r.name));
  if (names.size !== runs.length) throw new OptionError('grid', 'two runs of the grid have the same name (a repeated value?)');
  return { runs, varied };
}
