/**
 * `npm run journal:rxc`: the journal's r×c set-up (the authors' Figs_8_9_rxc.m): 3×3 grid, levels
 * H, M, L with σ² = (10, 1, 0.1), classes (3, 3, 3) = {HH, HM, MH}, {MM, HL, LH}, {ML, LM, LL},
 * W = 30, Exp(λ = 1), Γ = (0.40, 0.35, 0.25), t = 0..1.05: normalised loss vs t and vs N, the
 * formula of Sec. IV (lines) and the Monte Carlo of the real codes (points), built by the Fig. 3
 * and Fig. 4 builders (src/figures/fig3.ts, fig4.ts). The Monte Carlo runs at A 15×100, B 100×15
 * (blocks 5×100·100×5); the formula is printed at the journal's full size (s = 300, m = 900)
 * too: normalised, it does not depend on the sizes (test/journal.test.ts). Takes every flag of
 * fig3 (and --class-table, --row-blocks, --col-blocks). Writes to <out> (default results/journal):
 *   rxc-time.{csv,json,svg,png}, rxc-received.{csv,json,svg,png}
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { OptionError, resolveValues, valuesFromArgv, withOptions, type PresetValues } from '../src/config/index.ts';
import { fig3Files } from '../src/figures/fig3.ts';
import { fig4Files } from '../src/figures/fig4.ts';
import { JOURNAL_CLASS_TABLE, JOURNAL_RXC_SETUP } from '../src/figures/journal.ts';
import { lineKey, theoryVsTime } from '../src/montecarlo/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, reportWritten, runCommand } from './cli-common.ts';
import { gridFromValues, MC_FIGURE_KEYS, mcFigureRun } from './cli-montecarlo.ts';

const KEYS = [...MC_FIGURE_KEYS, 'times', 'lambda', 'K'] as const;

/** The journal's r×c set-up at Monte Carlo size, 4000 trials, class windows, log y axis. */
const PRESET = {
  workers: JOURNAL_RXC_SETUP.workers,
  lambda: JOURNAL_RXC_SETUP.lambda,
  K: JOURNAL_RXC_SETUP.K,
  gamma: [...JOURNAL_RXC_SETUP.gamma],
  variances: [...JOURNAL_RXC_SETUP.variances],
  times: '0:1.05:0.05',
  granularities: ['class'],
  ordering: 'none',
  U: 5,
  M: 100,
  Q: 5,
  trials: 4000,
  yScale: 'log',
  out: 'results/journal',
} as PresetValues;

/** Deadlines at which the full-size formula is printed. */
const PRINT_TIMES = [0.25, 0.5, 0.75, 1, 1.05];

export async function journalRxc(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine("The journal's r×c figures: normalised loss vs deadline t and vs received results N, formula and Monte Carlo of the real codes, class table {HH,HM,MH},{MM,HL,LH},{ML,LM,LL}.", args),
    KEYS,
    PRESET,
  ).parseSync() as Record<string, unknown>;
  const v = resolveValues(KEYS, valuesFromArgv(argv, KEYS), PRESET);
  if (v.partition === 'cxr') throw new OptionError('partition', "journal:rxc is the journal's r×c set-up; its c×r set-up is npm run journal:cxr");
  const grid = gridFromValues(v, argv);
  const table = grid.classTable ?? (grid.rowBlocks === undefined && grid.colBlocks === undefined ? JOURNAL_CLASS_TABLE.map((r) => [...r]) : undefined);
  const run = mcFigureRun(v, 'journal:rxc', { ...grid, ...(table ? { classTable: table } : {}) }, true);
  const times = v.times as number[];
  const dir = checkOutputDir(v.out as string);
  log(`backend: ${FLOAT64_BACKEND}`);
  log(`journal:rxc: ${run.trials} trials, seed ${run.seed}, lines ${run.lines.map(lineKey).join(', ')}, W = ${run.setup.workers}, class table ${JSON.stringify(run.setup.classTable ?? 'level rule')}`);
  const a = await fig3Files(run, times, join(dir, 'rxc-time'), args);
  const b = await fig4Files(run, join(dir, 'rxc-received'), args);
  const written = await writeFilesAtomic([...a.files, ...b.files]);
  log(`journal:rxc: Monte Carlo took ${(a.elapsedSeconds + b.elapsedSeconds).toFixed(1)} s`);
  for (const [name, files] of [['vs t', a.files], ['vs N', b.files]] as const) {
    const json = files.find((f) => f.path.endsWith('.json'));
    const agreement = (JSON.parse(String(json?.data ?? '{}')) as { agreementWithFormula?: Record<string, { points: number; inside: number; outsideBelowResolution: number }> }).agreementWithFormula ?? {};
    for (const [key, g] of Object.entries(agreement)) {
      log(`journal:rxc: ${key} ${name}: formula inside the ${Math.round(run.confidence * 100)}% CI at ${g.inside} of ${g.points} points (${g.outsideBelowResolution} more outside but below the resolution 3/trials)`);
    }
  }
  const full = { ...run.setup, U: JOURNAL_RXC_SETUP.U, M: JOURNAL_RXC_SETUP.M, Q: JOURNAL_RXC_SETUP.Q };
  log(`formula at full size (blocks ${full.U}×${full.M}·${full.M}×${full.Q}) and at the Monte Carlo size:`);
  for (const line of run.lines) {
    const big = theoryVsTime(full, line, PRINT_TIMES);
    const small = theoryVsTime(run.setup, line, PRINT_TIMES);
    if (!big || !small) continue;
    log(`  ${lineKey(line).padEnd(10)} ${PRINT_TIMES.map((t, g) => `t=${t}: ${big[g].toExponential(3)} (${small[g].toExponential(3)})`).join('  ')}`);
  }
  return written;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await journalRxc(hideBin(process.argv)));
  });
}
