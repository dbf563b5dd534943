/**
 * Fig. 2: decoding probability P_{d,l}(N) of each class versus the number N of received
 * results (N = 0..W), from the formulas of Sec. IV (no simulation).
 *
 * Writes <out>/fig2.csv (received, scheme, class, probability; class is 1-based) and
 * <out>/fig2.svg + <out>/fig2.png, all validated before anything is written.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { OptionError, PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { lineChart, panelChart, renderSpecFiles, type Row } from '../src/plot/index.ts';
import { decodingTable, type Scheme } from '../src/theory/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, reportWritten, runCommand } from './cli-common.ts';

/** Panel labels; the MDS curves of all classes coincide, which the label says. */
export const SCHEME_LABELS: Record<Scheme, string> = { now: 'NOW-UEP', ew: 'EW-UEP', mds: 'MDS (all classes coincide)' };
export const FIG2_COLUMNS = ['received', 'scheme', 'class', 'probability'] as const;

/** The catalogue options (src/config) of Fig. 2. */
const FIG2_KEYS = ['workers', 'gamma', 'classes', 'paperSchemes', 'out'] as const;
/** The Fig. 3 setup (W = 40, Γ = (0.35, 0.35, 0.30)), written to results/fig2. */
/**
 * Largest W fig2 computes: the decoding table grows as W² per class (10 000 took 22 s and 1.5 GB
 * on a loaded 2-core machine; 30 000 did not finish), 5000 stays within seconds and well under 2 GB.
 */
export const FIG2_MAX_WORKERS = 5000;

/** From this W on, fig2 reports each step (the tables, then the chart), which take seconds near the cap. */
export const FIG2_PROGRESS_WORKERS = 1000;

export const FIG2_PRESET = { ...PRESETS.fig3, out: 'results/fig2' };
/** `--setup journal` (npm run journal:probs): the journal's set-up, as defaults the user's flags override. */
export const JOURNAL_PROBS_PRESET = { ...FIG2_PRESET, workers: 30, classes: [3, 3, 3], gamma: [0.4, 0.35, 0.25], out: 'results/journal/probs' };

/**
 * Runs the Fig. 2 command on `args` (argv without node and script): validates every flag,
 * computes the table, renders the chart and writes the three files as a group.
 * @returns the paths written (CSV, SVG, PNG)
 * @throws OptionError / UsageError naming the flag on bad input, before anything is written
 */
export async function fig2(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`), preset: Record<string, unknown> = FIG2_PRESET): Promise<string[]> {
  // --setup journal (npm run journal:probs): the journal's values as defaults, so the user's flags override them
  const setup = args.includes('--setup') ? args[args.indexOf('--setup') + 1] : undefined;
  if (setup === 'journal') preset = JOURNAL_PROBS_PRESET;
  const argv = withOptions(
    commandLine(`Fig. 2: decoding probability of each class vs the number N = 0..W of received results (W ≤ ${FIG2_MAX_WORKERS}).`, args),
    FIG2_KEYS,
    preset,
  )
    .option('setup', { type: 'string', choices: ['paper', 'journal'], default: 'paper', describe: 'defaults: the paper\'s Fig. 2, or the journal\'s (W = 30, classes 3,3,3, Γ = 0.4,0.35,0.25, --out results/journal/probs)' })
    .parseSync();

  // Validate every flag before computing or writing anything.
  const v = resolveValues(FIG2_KEYS, valuesFromArgv(argv as Record<string, unknown>, FIG2_KEYS), preset);
  const W = v.workers as number;
  if (W > FIG2_MAX_WORKERS) throw new OptionError('workers', `fig2 computes at most W = ${FIG2_MAX_WORKERS} (its table grows as W²; got ${W})`);
  const k = v.classes as number[];
  const gamma = v.gamma as number[];
  if (gamma.length !== k.length) throw new OptionError('gamma', `must have ${k.length} entries (one per class of --classes ${k.join(',')}), got ${gamma.length}`);
  const schemes = v.paperSchemes as Scheme[];
  const dir = checkOutputDir(v.out as string);
  log(`backend: ${FLOAT64_BACKEND}`);

  const csvRows: Row[] = [];
  const chartRows: Row[] = [];
  const started = Date.now();
  const secs = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const progress = W >= FIG2_PROGRESS_WORKERS ? log : () => undefined;
  for (const [i, scheme] of schemes.entries()) {
    progress(`fig2: [${i + 1}/${schemes.length}] ${scheme.toUpperCase()} decoding probabilities for N = 0..${W} (${secs()})`);
    const table = decodingTable(scheme, k, gamma, W);
    table.forEach((probs, received) =>
      probs.forEach((probability, l) => {
        csvRows.push({ received, scheme, class: l + 1, probability });
        chartRows.push({ received, scheme: SCHEME_LABELS[scheme], class: `class ${l + 1} (k = ${k[l]})`, probability });
      }),
    );
  }

  const classSort = k.map((kl, l) => `class ${l + 1} (k = ${kl})`);
  const common = {
    title: 'Decoding probability of each class vs results received',
    subtitle: `W = ${W}, Γ = (${gamma.join(', ')}), k = (${k.join(', ')})`,
    x: { field: 'received', title: 'number of received results N' },
    y: { field: 'probability', title: 'decoding probability P_d,l(N)', domain: [0, 1] as [number, number] },
    color: { field: 'class', title: 'Class', sort: classSort },
    lines: chartRows,
  };
  const spec =
    schemes.length === 1
      ? lineChart({ ...common, title: `${SCHEME_LABELS[schemes[0]]}: ${common.title}`, width: 460, height: 300 })
      : panelChart({
          ...common,
          panel: { field: 'scheme', title: '', sort: schemes.map((s) => SCHEME_LABELS[s]), columns: schemes.length },
          width: 280,
          height: 240,
        });

  progress(`fig2: drawing ${chartRows.length} points (${secs()})`);
  const base = join(dir, 'fig2');
  const files = [{ path: `${base}.csv`, data: formatCsv(csvRows, FIG2_COLUMNS) }, ...(await renderSpecFiles(spec, base))];
  return writeFilesAtomic(files);
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await fig2(hideBin(process.argv)));
  });
}
