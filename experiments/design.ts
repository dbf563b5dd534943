/**
 * `npm run design -- --scheme ew|now --tmax T`: the window distribution Γ (class granularity)
 * that minimises the exact expected normalised loss at the deadline T_max (Theorem 1), from the
 * Fig. 3 setup unless told otherwise. Prints the optimal Γ, its loss, the reference Γ's loss
 * (the paper's (0.35, 0.35, 0.30) by default) and their ratio. With several deadlines
 * (`--tmax 0.5,1,2` or `--tmax 0.25:3:0.25`) it also writes
 *   <out>/design-<scheme>.csv   tmax,scheme,gamma_1..gamma_L,loss,reference_loss,reference_over_optimal,grid_loss,evaluations
 *   <out>/design-<scheme>.json  the command, every parameter, the optimiser settings
 * Options come from the one catalogue (src/config, preset fig3).
 * The optimiser is src/design (grid + projected gradient + pairwise polish); nothing is random.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import type { LatencySpec } from '../src/coded-backprop/index.ts';
import { normaliseLatencyChoice } from '../src/coded-backprop/names.ts';
import { latencySpecOf, OptionError, PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import type { DesignScheme, DesignSetup } from '../src/design/index.ts';
import { checkGamma, paperClassEnergies } from '../src/theory/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { FLOAT64_BACKEND, commandLine, isMainModule, reportBackend, reportWritten, runCommand } from './cli-common.ts';

/** The catalogue options (src/config) this command takes; defaults from {@link DESIGN_VALUES}. */
export const DESIGN_KEYS = [
  'designScheme',
  'designTmaxes',
  'workers',
  'classSizes',
  'energies',
  'gamma',
  'latency',
  'lambda',
  'shift',
  'paretoScale',
  'paretoShape',
  'gammaShape',
  'K',
  'gridPoints',
  'granularity',
  'mcTrials',
  'seed',
  'out',
] as const;

/** The Fig. 3 setup (preset fig3: W = 40, λ = 0.25, K = 1, Γ = (0.35, 0.35, 0.30)), written to results/design. */
const DESIGN_VALUES = { ...PRESETS.fig3, out: 'results/design' };

/**
 * Runs the design command with `args` (argv without node and script).
 * @returns the paths written (none for a single deadline)
 * @throws OptionError / RangeError / UsageError naming the flag on bad input, before anything is computed
 */
export async function design(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine(
      'Design the UEP code: the window distribution Γ (class windows) minimising the exact expected normalised loss ' +
        'E‖C − Ĉ‖²/E‖C‖² at the deadline T_max, compared with a reference Γ (--gamma; the paper\'s (0.35, 0.35, 0.30) for ' +
        '3 classes, uniform otherwise). Defaults: the Fig. 3 setup (preset fig3: W = 40, λ = 0.25, K = 1; k = (1, 2, 6), ' +
        'σ² = 10/1/0.1). Several deadlines (e.g. --tmax 0.5,1,2 or 0.25:3:0.25) also write a CSV of optimal Γ and loss per deadline (to --out).',
      args,
    ),
    DESIGN_KEYS,
    DESIGN_VALUES,
  ).parseSync();
  const given = valuesFromArgv(argv as Record<string, unknown>, DESIGN_KEYS);
  const v = resolveValues(DESIGN_KEYS, given, DESIGN_VALUES);

  if (v.designScheme === null) throw new OptionError('designScheme', 'required, one of now, ew', 'scheme');
  const scheme = v.designScheme as DesignScheme;
  if (v.designTmaxes === null) throw new OptionError('designTmaxes', 'required, e.g. --tmax 1 or --tmax 0.5,1,2 or --tmax 0.25:3:0.25', 'tmax');
  const tmaxes = v.designTmaxes as number[];
  if (tmaxes.length > 10_000) throw new OptionError('designTmaxes', `at most 10000 deadlines, got ${tmaxes.length}`, 'tmax');
  const W = v.workers as number;
  const k = v.classSizes as number[];
  if (k.length > 8) throw new OptionError('classSizes', `at most 8 classes, got ${k.length}`);
  if (!k.some((x) => x > 0)) throw new OptionError('classSizes', 'at least one class must have a block');
  const L = k.length;
  let energies: number[];
  if (v.energies === null) {
    if (L !== 3) throw new OptionError('energies', `the default is the Fig. 3 setup's 3 classes; give ${L} energies for --class-sizes ${k.join(',')}`);
    energies = paperClassEnergies();
  } else {
    energies = v.energies as number[];
    if (energies.length !== L) throw new OptionError('energies', `expected ${L} values (one per class of --class-sizes), got ${energies.length}`);
    if (!energies.some((e) => e > 0)) throw new OptionError('energies', 'at least one energy must be > 0');
  }
  // The preset's Γ is the paper's for 3 classes; with another L and no --gamma, compare with uniform.
  const reference = given.gamma === undefined && L !== 3 ? new Array<number>(L).fill(1 / L) : (v.gamma as number[]);
  checkGamma(reference, L, '--gamma', 'one per class of --class-sizes');
  const spec: LatencySpec = { ...latencySpecOf(v), model: normaliseLatencyChoice(v.latency as string) };
  const K = v.K as number;
  const gridPoints = v.gridPoints as number;
  const dir = checkOutputDir(v.out as string);
  if (v.granularity === 'product') {
    for (const key of ['classSizes', 'energies'] as const) {
      if (given[key] !== undefined) throw new OptionError(key, 'applies to --granularity class only (product windows use the Fig. 3 matrices)');
    }
    if (spec.model !== 'exponential') throw new OptionError('latency', "--granularity product runs the Monte Carlo, which has the exponential model only (valid: exponential)");
    return await designProduct(scheme, tmaxes, { W, lambda: spec.lambda, K, reference, trials: v.mcTrials as number, seed: v.seed as number }, log);
  }

  // Every flag is checked: only now load the optimiser (its engine imports tfjs, seconds to load;
  // a bad flag is refused before that).
  const { designColumns, designCsvRows, describeDesign, designSweep } = await import('../src/design/index.ts');
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
    tmax: tmaxes.map((t) => (t === Infinity ? 'inf' : t)), // JSON has no ∞ (it would write null)
    elapsedSeconds: elapsed,
  };
  return writeFilesAtomic([
    { path: `${base}.csv`, data: formatCsv(designCsvRows(scheme, rows), designColumns(L)) },
    { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
  ]);
}

/**
 * Product windows (no formula): Γ by Monte Carlo with common random numbers at each deadline,
 * on the Fig. 3 matrices; prints, writes nothing.
 */
async function designProduct(
  scheme: DesignScheme,
  tmaxes: readonly number[],
  o: { W: number; lambda: number; K: number; reference: number[]; trials: number; seed: number },
  log: (line: string) => void,
): Promise<string[]> {
  const [{ designGammaMonteCarlo }, { PAPER_MC_SETUP }] = await Promise.all([import('../src/design/index.ts'), import('../src/montecarlo/index.ts')]);
  const setup = { ...PAPER_MC_SETUP, workers: o.W, lambda: o.lambda, K: o.K, gamma: o.reference };
  log(
    `design: ${scheme.toUpperCase()}, PRODUCT windows (no formula): Monte Carlo with common random numbers, ` +
      `${o.trials} trials per candidate Γ, seed ${o.seed}; W = ${o.W}, λ = ${o.lambda}, K = ${o.K}`,
  );
  const fmt = (g: readonly number[]) => `(${g.map((x) => x.toFixed(4)).join(', ')})`;
  const ci = (e: { mean: number; low: number; high: number }) => `${e.mean.toPrecision(4)} [${e.low.toPrecision(3)}, ${e.high.toPrecision(3)}]`;
  for (const t of tmaxes) {
    const started = Date.now();
    const d = designGammaMonteCarlo(setup, { scheme, granularity: 'product' }, t, { trials: o.trials, seed: o.seed });
    log(`${scheme.toUpperCase()} (product windows) at T_max = ${t}:`);
    log(`  optimal Γ      ${fmt(d.gamma)}  (best on the common-random-numbers trials, ${d.evaluations} candidates)`);
    log(`  its loss       ${ci(d.loss)}  (independent re-estimate, 95% CI)`);
    log(`  reference Γ    ${fmt(o.reference)}  loss ${ci(d.referenceLoss)}  (same re-estimate trials)`);
    log(`  ratio          reference / optimal = ${(d.referenceLoss.mean / d.loss.mean).toFixed(3)}`);
    log(`  ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return [];
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportBackend(FLOAT64_BACKEND);
    reportWritten(await design(hideBin(process.argv)));
  });
}
