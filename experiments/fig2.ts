/**
 * Fig. 2: decoding probability P_{d,l}(N) of each class versus the number N of received
 * results (N = 0..W), from the formulas of Sec. IV (no simulation).
 *
 * Writes <out>/fig2.csv (received, scheme, class, probability; class is 1-based) and
 * <out>/fig2.svg + <out>/fig2.png, all validated before anything is written.
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { lineChart, panelChart, renderSpecFiles, type Row } from '../src/plot/index.ts';
import { PAPER_SETUP, SCHEMES, checkClassSizes, checkGamma, decodingTable, type Scheme } from '../src/theory/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv } from '../src/util/csv.ts';
import {
  commandLine,
  FLOAT64_BACKEND,
  isMainModule,
  outDir,
  parseChoiceList,
  parseInteger,
  parseNumberList,
  reportWritten,
  runCommand,
} from './cli-common.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';

/** Panel labels; the MDS curves of all classes coincide, which the label says. */
export const SCHEME_LABELS: Record<Scheme, string> = { now: 'NOW-UEP', ew: 'EW-UEP', mds: 'MDS (all classes coincide)' };
export const FIG2_COLUMNS = ['received', 'scheme', 'class', 'probability'] as const;

/**
 * Runs the Fig. 2 command on `args` (argv without node and script): validates every flag,
 * computes the table, renders the chart and writes the three files as a group.
 * @returns the paths written (CSV, SVG, PNG)
 * @throws RangeError / UsageError naming the flag on bad input, before anything is written
 */
export async function fig2(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = commandLine('Fig. 2: decoding probability of each class vs the number of received results.', args)
    .option('workers', {
      type: 'number',
      default: PAPER_SETUP.W,
      describe: 'number of workers W; the x axis runs over received N = 0..W',
    })
    .option('gamma', {
      type: 'string',
      default: PAPER_SETUP.gamma.map((g) => g.toFixed(2)).join(','),
      describe: 'window-selection probabilities Γ, one per class, summing to 1 (ignored by mds)',
    })
    .option('classes', {
      type: 'string',
      default: PAPER_SETUP.k.join(','),
      describe: 'class sizes k (number of blocks in each class), most important class first',
    })
    .option('schemes', {
      type: 'string',
      default: SCHEMES.join(','),
      describe: `schemes to plot, comma-separated (${SCHEMES.join(', ')})`,
    })
    .option('out', { type: 'string', default: 'results/fig2', describe: 'output directory' })
    .parseSync();

  // Validate every flag before computing or writing anything.
  const W = parseInteger(argv.workers, '--workers', 1, 100_000);
  const k = parseNumberList(argv.classes, '--classes', { integer: true, min: 0 });
  checkClassSizes(k, '--classes');
  k.forEach((kl, i) => {
    // An empty class would be drawn at P = 1 over the others: not a meaningful curve.
    if (kl < 1) throw new RangeError(`--classes: every class needs at least 1 block, got ${kl} at position ${i + 1} of ${k.join(',')}`);
  });
  const gamma = parseNumberList(argv.gamma, '--gamma');
  checkGamma(gamma, k.length, '--gamma', `one per class of --classes ${k.join(',')}`);
  const schemes = parseChoiceList(argv.schemes, '--schemes', SCHEMES);
  const dir = checkOutputDir(outDir(argv.out, '--out'));
  log(`backend: ${FLOAT64_BACKEND}`);

  const csvRows: Row[] = [];
  const chartRows: Row[] = [];
  for (const scheme of schemes) {
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

  const base = join(dir, 'fig2');
  const files = [{ path: `${base}.csv`, data: formatCsv(csvRows, FIG2_COLUMNS) }, ...(await renderSpecFiles(spec, base))];
  return writeFilesAtomic(files);
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await fig2(hideBin(process.argv)));
  });
}
