/**
 * `npm run design -- --scheme ew|now --tmax T`: the window distribution Γ (class granularity)
 * that minimises the exact expected normalised loss at the deadline T_max (Theorem 1), from the
 * Fig. 3 setup unless told otherwise. Prints the optimal Γ, its loss, the reference Γ's loss
 * (the paper's (0.35, 0.35, 0.30) by default) and their ratio. With several deadlines
 * (`--tmax 0.5,1,2` or `--tmax 0.25:3:0.25`) it also writes
 *   <out>/design-<scheme>.csv   tmax,scheme,gamma_1..gamma_L,loss,reference_loss,reference_over_optimal,grid_loss,evaluations
 *   <out>/design-<scheme>.json  the command, every parameter, the optimiser settings
 * The optimiser is src/design (grid + projected gradient + pairwise polish); nothing is random.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { LATENCY_MODELS, type LatencySpec } from '../src/coded-backprop/latency.ts';
import {
  DESIGN_SCHEMES,
  designColumns,
  designCsvRows,
  describeDesign,
  designSweep,
  type DesignSetup,
} from '../src/design/index.ts';
import { PAPER_SETUP, checkGamma, paperClassEnergies } from '../src/theory/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import {
  FLOAT64_BACKEND,
  commandLine,
  isMainModule,
  outDir,
  parseInteger,
  parseNumberList,
  parseNumbersOrRanges,
  reportBackend,
  reportWritten,
  runCommand,
} from './cli-common.ts';
import { parseChoice, parsePositive } from './cli-montecarlo.ts';

const PAPER_GAMMA = PAPER_SETUP.gamma.map((g) => g.toFixed(2)).join(',');

/**
 * Runs the design command with `args` (argv without node and script).
 * @returns the paths written (none for a single deadline)
 * @throws RangeError / UsageError naming the flag on bad input, before anything is computed
 */
export async function design(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = commandLine(
    'Design the UEP code: the window distribution Γ (class windows) minimising the exact expected normalised loss ' +
      'E‖C − Ĉ‖²/E‖C‖² at the deadline T_max. Defaults: the Fig. 3 setup (W = 40, λ = 0.25, K = 1, k = (1, 2, 6), ' +
      'σ² = 10/1/0.1 → class energies 2500·(100, 20, 3.21)). Several deadlines write a CSV of optimal Γ and loss per deadline.',
    args,
  )
    .option('scheme', { type: 'string', describe: `code whose Γ is designed: ${DESIGN_SCHEMES.join(' or ')} (required)` })
    .option('tmax', { type: 'string', describe: 'deadline(s) T_max: numbers and start:stop:step ranges, comma-separated (required)' })
    .option('workers', { type: 'string', default: String(PAPER_SETUP.W), describe: 'number of workers W' })
    .option('class-sizes', { type: 'string', default: PAPER_SETUP.k.join(','), describe: 'blocks per class k, most important first' })
    .option('energies', {
      type: 'string',
      default: 'paper',
      describe: 'class energies E_l (expected ‖C‖² carried by each class; only ratios matter), or "paper" = the Fig. 3 setup (needs 3 classes)',
    })
    .option('gamma', {
      type: 'string',
      describe: `reference Γ to compare with (default: the paper's ${PAPER_GAMMA} for 3 classes, else uniform)`,
    })
    .option('latency', { type: 'string', default: 'exponential', describe: `worker time model: ${LATENCY_MODELS.join(', ')}` })
    .option('lambda', { type: 'string', default: String(PAPER_SETUP.lambda), describe: 'rate λ of the (shifted) exponential' })
    .option('shift', { type: 'string', default: '0', describe: 'start-up time of the shifted exponential' })
    .option('pareto-scale', { type: 'string', default: '1', describe: 'Pareto scale x_m' })
    .option('pareto-shape', { type: 'string', default: '2', describe: 'Pareto shape α' })
    .option('K', { type: 'string', default: String(PAPER_SETUP.K), describe: 'time scaling K: worker CDF F(K·t)' })
    .option('grid-points', { type: 'string', default: '300', describe: 'points of the optimiser’s starting grid on the simplex' })
    .option('out', { type: 'string', default: 'results/design', describe: 'output directory (CSV + JSON when several deadlines)' })
    .parseSync();

  if (argv.scheme === undefined) throw new RangeError(`--scheme: required, one of ${DESIGN_SCHEMES.join(', ')}`);
  const scheme = parseChoice(argv.scheme, '--scheme', DESIGN_SCHEMES);
  if (argv.tmax === undefined) throw new RangeError('--tmax: required, e.g. --tmax 1 or --tmax 0.5,1,2 or --tmax 0.25:3:0.25');
  const tmaxes = parseNumbersOrRanges(argv.tmax, '--tmax', { min: 0 });
  if (tmaxes.length > 10_000) throw new RangeError(`--tmax: at most 10000 deadlines, got ${tmaxes.length}`);
  const W = parseInteger(argv.workers, '--workers', 1, 100_000);
  const k = parseNumberList(argv['class-sizes'], '--class-sizes', { integer: true, min: 0 });
  if (k.length > 8) throw new RangeError(`--class-sizes: at most 8 classes, got ${k.length}`);
  if (!k.some((v) => v > 0)) throw new RangeError('--class-sizes: at least one class must have a block');
  const L = k.length;
  let energies: number[];
  if (argv.energies === 'paper') {
    if (L !== 3) throw new RangeError(`--energies: "paper" is for the paper's 3 classes; give ${L} energies for --class-sizes ${k.join(',')}`);
    energies = paperClassEnergies();
  } else {
    energies = parseNumberList(argv.energies, '--energies', { length: L, min: 0 });
    if (!energies.some((e) => e > 0)) throw new RangeError('--energies: at least one energy must be > 0');
  }
  const reference =
    argv.gamma !== undefined ? parseNumberList(argv.gamma, '--gamma', { length: L, min: 0 }) : L === 3 ? [...PAPER_SETUP.gamma] : new Array<number>(L).fill(1 / L);
  checkGamma(reference, L, '--gamma');
  const spec: LatencySpec = {
    model: parseChoice(argv.latency, '--latency', LATENCY_MODELS),
    lambda: parsePositive(argv.lambda, '--lambda'),
    shift: parseNumberList(argv.shift, '--shift', { length: 1, min: 0 })[0],
    paretoScale: parsePositive(argv['pareto-scale'], '--pareto-scale'),
    paretoShape: parsePositive(argv['pareto-shape'], '--pareto-shape'),
  };
  const K = parsePositive(argv.K, '--K');
  const gridPoints = parseInteger(argv['grid-points'], '--grid-points', 1, 1_000_000);
  const dir = outDir(argv.out, '--out');

  const setup: DesignSetup = { scheme, k, energies, W, latency: { spec, K } };
  const started = Date.now();
  const rows = designSweep(setup, tmaxes, reference, { gridPoints });
  const elapsed = (Date.now() - started) / 1000;

  log(`design: ${scheme.toUpperCase()}, class windows, W = ${W}, k = (${k.join(', ')}), E = (${energies.map((e) => e.toPrecision(4)).join(', ')}), latency ${spec.model}, K = ${K}`);
  if (rows.length <= 8) for (const r of rows) for (const line of describeDesign(scheme, r, reference)) log(line);
  else log(`design: ${rows.length} deadlines optimised`);
  log(`design: ${elapsed.toFixed(2)} s`);
  if (rows.length === 1) return [];

  const base = join(dir, `design-${scheme}`);
  const sidecar = {
    command: 'design',
    args,
    randomness: 'none (exact formula, deterministic optimiser)',
    scheme,
    granularity: 'class',
    objective: 'expected normalised loss E[L(T_max)]/E‖C‖² (Theorem 1, exact)',
    optimiser: { method: 'simplex grid + projected gradient (finite differences) + pairwise-transfer polish', gridPoints, tolerance: 1e-7 },
    workers: W,
    classSizes: k,
    classEnergies: energies,
    referenceGamma: reference,
    latency: spec,
    K,
    tmax: tmaxes,
    elapsedSeconds: elapsed,
  };
  return writeFilesAtomic([
    { path: `${base}.csv`, data: formatCsv(designCsvRows(scheme, rows), designColumns(L)) },
    { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
  ]);
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportBackend(FLOAT64_BACKEND);
    reportWritten(await design(hideBin(process.argv)));
  });
}
