/**
 * `npm run energies`: trains the MLP exactly (baseline) and measures, every --energy-every
 * iterations, how much of ‖C‖² each class of blocks carries in each of the six backward products
 * under the engine's norm ordering (3×3 blocks, classes HH / HM+MH / rest). Writes
 *   <out>/energies.csv   iteration,layer,kind,class,energy,fraction,total
 *   <out>/energies.json  the command, every option, seed
 *   <out>/energies.svg, .png  class fractions over iterations, one panel per class, one line per product
 * These are the E_l a data-fitted design (src/design) takes.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { ENERGY_COLUMNS, energyRecordingMultiply, type EnergyRow } from '../src/design/energy-recorder.ts';
import { train } from '../src/model/trainer.ts';
import { panelChart, renderSpecFiles } from '../src/plot/index.ts';
import { datasetOf, loadTrainData, resolveTrainConfig } from '../src/training/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { initBackend } from '../src/util/backend.ts';
import { formatCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { commandLine, isMainModule, reportWritten, runCommand } from './cli-common.ts';

const KEYS = ['epochs', 'batch', 'lr', 'seed', 'limit', 'testLimit', 'dataDir', 'dataset', 'backend', 'energyEvery', 'out'] as const;
/** The training setup (preset dnn), one epoch, written to results/energies. */
const ENERGIES_VALUES = { ...PRESETS.dnn, epochs: 1, out: 'results/energies' };

/** Runs the command with `args`; @returns the paths written. */
export async function energies(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine('Measure the class energies of the six backward products during exact MNIST training (defaults: preset dnn, 1 epoch).', args),
    KEYS,
    ENERGIES_VALUES,
  ).parseSync();
  const given = valuesFromArgv(argv as Record<string, unknown>, KEYS);
  const v = resolveValues(['epochs', 'energyEvery', 'out'], { epochs: given.epochs, energyEvery: given.energyEvery, out: given.out }, ENERGIES_VALUES);
  const { energyEvery: _e, out: _o, ...trainGiven } = given;
  const cfg = resolveTrainConfig({ ...trainGiven, epochs: v.epochs as number, scheme: 'baseline', evalEvery: 0 });
  const dir = checkOutputDir(v.out as string);
  const backend = await initBackend(cfg.backend);
  log(`backend: ${backend}`);
  const data = loadTrainData(cfg);
  const rows: EnergyRow[] = [];
  const every = v.energyEvery as number;
  log(`energies: exact training, ${cfg.epochs} epoch(s), batch ${cfg.batch}, seed ${cfg.seed}, ${data.train.count} examples; measuring every ${every} iterations`);
  const started = Date.now();
  // the paper's MLP (its six products) on the dataset's input size
  const dataset = datasetOf(cfg);
  const network = { plan: cfg.plan, shape: dataset.shape, classes: dataset.classes, codeConv: false };
  const result = await train({ ...cfg, network }, data, { sync: energyRecordingMultiply(every, rows) });
  const seconds = (Date.now() - started) / 1000;
  log(`energies: ${result.iterations} iterations, test accuracy ${result.testAccuracy.toFixed(4)}, ${seconds.toFixed(0)} s`);

  const chartRows = rows.map((r) => ({ iteration: r.iteration, fraction: r.fraction, product: `layer ${r.layer} ${r.kind}`, class: `class ${r.class}` }));
  const spec = panelChart({
    title: 'Share of ‖C‖² per class of blocks, backward products of exact training',
    subtitle: `norm ordering, 3×3 blocks (class 1 = HH, 2 = HM+MH, 3 = rest; the Fig. 3 design assumed 81% / 16% / 2.6%), seed ${cfg.seed}`,
    x: { field: 'iteration', title: 'iteration' },
    y: { field: 'fraction', title: 'fraction of ‖C‖²', domain: [0, 1] },
    color: { field: 'product', title: 'product' },
    detail: 'product',
    lines: chartRows,
    panel: { field: 'class', title: 'class', columns: 3 },
    width: 260,
    height: 200,
  });
  const base = join(dir, 'energies');
  const sidecar = { command: 'energies', args, seed: cfg.seed, epochs: cfg.epochs, batch: cfg.batch, lr: cfg.lr, examples: data.train.count, every, iterations: result.iterations, backend, seconds };
  return writeFilesAtomic([
    { path: `${base}.csv`, data: formatCsv(rows, ENERGY_COLUMNS) },
    { path: `${base}.json`, data: `${JSON.stringify(sidecar, null, 2)}\n` },
    ...(await renderSpecFiles(spec, base)),
  ]);
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await energies(hideBin(process.argv)));
  });
}
