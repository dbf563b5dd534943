/**
 * `npm run journal:cxr`: the journal's c×r figures (the authors' Figs_8_9_10_cxr.m set-up) with
 * the real c×r codes: normalised loss vs the deadline t and vs the number N of received results,
 * the formula (src/theory/cxr.ts) against the Monte Carlo (src/montecarlo/cxr.ts). The Monte
 * Carlo runs at small sizes (default A 10×45, B 45×10: 9 packets of 5) because the normalised
 * loss does not depend on the sizes for i.i.d. entries and equal packets (tested in
 * test/journal.test.ts); the formula is also reported at the journal's full size (U = Q = n = 900)
 * in the sidecar. Prints the r×c vs c×r formulas at the same W, λ, Γ (src/figures/journal.ts).
 * Writes, all validated before anything is computed and written together at the end:
 *   <out>/cxr-time.{csv,svg,png}, <out>/cxr-received.{csv,svg,png}, <out>/cxr.json
 */
import { join } from 'node:path';
import { hideBin } from 'yargs/helpers';
import { OptionError, resolveValues, valuesFromArgv, withOptions, type PresetValues } from '../src/config/index.ts';
import { journalCxrFiles, type CxrFigureRun } from '../src/figures/journal-cxr.ts';
import { comparisonLines, JOURNAL_CXR_SETUP, JOURNAL_RXC_SETUP, partitionComparison } from '../src/figures/journal.ts';
import { checkCxrSetup, zForConfidence, type CxrMcScheme, type CxrMonteCarloSetup } from '../src/montecarlo/index.ts';
import { writeFilesAtomic } from '../src/util/atomic-write.ts';
import { checkOutputDir } from '../src/util/output-dir.ts';
import { commandLine, FLOAT64_BACKEND, isMainModule, reportWritten, runCommand } from './cli-common.ts';
import { progressReporter } from './cli-montecarlo.ts';

const KEYS = [
  'trials',
  'seed',
  'workers',
  'gamma',
  'variances',
  'lambda',
  'K',
  'times',
  'U',
  'M',
  'Q',
  'packetClasses',
  'paperSchemes',
  'confidence',
  'progress',
  'yScale',
  'out',
] as const;

/** The journal's c×r set-up at Monte Carlo size (A 10×45, B 45×10), 2000 trials, results/journal. */
const PRESET = {
  workers: JOURNAL_CXR_SETUP.workers,
  lambda: JOURNAL_CXR_SETUP.lambda,
  K: JOURNAL_CXR_SETUP.K,
  gamma: [...JOURNAL_CXR_SETUP.gamma],
  variances: [...JOURNAL_CXR_SETUP.variances],
  packetClasses: [...JOURNAL_CXR_SETUP.classOf],
  times: '0:1.05:0.05',
  U: 10,
  M: 45,
  Q: 10,
  trials: 2000,
  yScale: 'log',
  out: 'results/journal',
} as PresetValues;

/** Deadlines of the printed r×c vs c×r comparison. */
export const COMPARISON_TIMES = [0.25, 0.5, 0.75, 1, 1.05];

export async function journalCxr(args: string[], log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const argv = withOptions(
    commandLine(
      "The journal's c×r figures: normalised loss vs deadline t and vs received results N, formula and Monte Carlo of the real c×r codes (--M is the inner dimension n, cut into one packet per --packet-classes entry).",
      args,
    ),
    KEYS,
    PRESET,
  ).parseSync();
  const v = resolveValues(KEYS, valuesFromArgv(argv as Record<string, unknown>, KEYS), PRESET);
  const classOf = v.packetClasses as number[];
  const setup: CxrMonteCarloSetup = {
    U: v.U as number,
    Q: v.Q as number,
    n: v.M as number,
    classOf,
    variances: v.variances as number[],
    workers: v.workers as number,
    lambda: v.lambda as number,
    K: v.K as number,
    gamma: v.gamma as number[],
    ordering: 'none',
  };
  const schemes = v.paperSchemes as CxrMcScheme[];
  const L = Math.max(...classOf) + 1;
  if (setup.variances.length !== L) throw new OptionError('variances', `needs one variance per packet class (${L} classes in --packet-classes), got ${setup.variances.length}`);
  if (setup.gamma.length !== L) throw new OptionError('gamma', `needs one entry per packet class (${L} classes in --packet-classes), got ${setup.gamma.length}`);
  if (classOf.length > setup.n) throw new OptionError('packetClasses', `K = ${classOf.length} packets is more than the inner dimension --M ${setup.n}`);
  try {
    checkCxrSetup(setup, schemes);
  } catch (err) {
    if (err instanceof OptionError) throw err;
    throw new OptionError('packetClasses', (err as Error).message);
  }
  const fullSize: CxrMonteCarloSetup = { ...setup, U: 900, Q: 900, n: 100 * classOf.length };
  const confidence = v.confidence as number;
  const run: CxrFigureRun = {
    setup,
    fullSize,
    schemes,
    trials: v.trials as number,
    seed: v.seed as number,
    times: v.times as number[],
    confidence,
    z: zForConfidence(confidence),
    yScale: v.yScale as 'linear' | 'log',
    ...(v.progress ? { onProgress: progressReporter('journal:cxr Monte Carlo') } : {}),
  };
  const dir = checkOutputDir(v.out as string);
  log(`backend: ${FLOAT64_BACKEND}`);
  log(`journal:cxr: ${run.trials} trials, seed ${run.seed}, schemes ${schemes.join(', ')}, A ${setup.U}×${setup.n}, B ${setup.n}×${setup.Q}, ${classOf.length} packets, W = ${setup.workers}`);
  const { files, elapsedSeconds } = await journalCxrFiles(run, join(dir, 'cxr'), args);
  const written = await writeFilesAtomic(files);
  log(`journal:cxr: Monte Carlo took ${elapsedSeconds.toFixed(1)} s`);
  const sidecar = JSON.parse(files.find((f) => f.path.endsWith('.json'))!.data as string) as { agreementWithFormula: Record<string, { time: { points: number; inside: number; outsideBelowResolution: number } }> };
  for (const [s, a] of Object.entries(sidecar.agreementWithFormula)) {
    log(`journal:cxr: ${s} vs t: formula inside the ${Math.round(confidence * 100)}% CI at ${a.time.inside + a.time.outsideBelowResolution} of ${a.time.points} deadlines`);
  }
  if (L === 3) {
    // the journal's r×c grid with this run's W, λ, K, Γ and σ²
    const rxc = { ...JOURNAL_RXC_SETUP, workers: setup.workers, lambda: setup.lambda, K: setup.K, gamma: setup.gamma, variances: setup.variances };
    log(`formulas at full size: the journal's r×c (3×3, classes {HH,HM,MH},{MM,HL,LH},{ML,LM,LL}) vs this c×r, W = ${setup.workers}, λ = ${setup.lambda}, Γ = (${setup.gamma.join(', ')}):`);
    for (const line of comparisonLines(partitionComparison(COMPARISON_TIMES, rxc, fullSize))) log(line);
  }
  return written;
}

if (isMainModule(import.meta.url)) {
  await runCommand(async () => {
    reportWritten(await journalCxr(hideBin(process.argv)));
  });
}
