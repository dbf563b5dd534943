/**
 * The journal's set-ups (issue 9): size independence of the normalised loss (the Monte Carlo runs
 * small, the formula is quoted at full size), theory against the Monte Carlo of the real codes on a
 * non-3×3 r×c grid and on c×r, and the commands (journal:rxc, journal:cxr, fig4 on a 4×4 grid).
 * Trial counts are small (2 shared cores): the checks are within the Monte Carlo's own CI.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalCxr } from '../experiments/journal-cxr.ts';
import { journalRxc } from '../experiments/journal-rxc.ts';
import { fig3 } from '../experiments/fig3.ts';
import { fig4 } from '../experiments/fig4.ts';
import { JOURNAL_CLASS_TABLE, JOURNAL_RXC_SETUP, partitionComparison } from '../src/figures/journal.ts';
import {
  classSizesOfSetup,
  cxrTheoryVsReceived,
  cxrTheoryVsTime,
  gridOf,
  JOURNAL_CXR_SETUP,
  simulate,
  simulateCxr,
  theoryVsReceived,
  theoryVsTime,
  type CxrMonteCarloSetup,
  type MeanEstimate,
  type MonteCarloSetup,
} from '../src/montecarlo/index.ts';
import { parseCsv } from '../src/util/csv.ts';

const TIMES = [0.2, 0.4, 0.6];
const Z = 3; // 3 standard errors: several points per test, few trials

function se(e: MeanEstimate): number {
  return e.sd / Math.sqrt(e.n);
}

/** |MC − formula| ≤ Z·se (+ a floor for the collapsed interval of rare events). */
function near(t: import('ava').ExecutionContext, e: MeanEstimate, formula: number, what: string): void {
  t.true(Math.abs(e.mean - formula) <= Z * se(e) + 3 / e.n, `${what}: MC ${e.mean.toFixed(4)} ± ${(Z * se(e)).toFixed(4)} vs formula ${formula.toFixed(4)}`);
}

/** The two estimates agree within Z combined standard errors. */
function together(t: import('ava').ExecutionContext, a: MeanEstimate, b: MeanEstimate, what: string): void {
  const s = Math.sqrt(se(a) ** 2 + se(b) ** 2);
  t.true(Math.abs(a.mean - b.mean) <= Z * s + 3 / a.n, `${what}: ${a.mean.toFixed(4)} vs ${b.mean.toFixed(4)} (combined se ${s.toFixed(4)})`);
}

const rxcSmall = (U: number, M: number): MonteCarloSetup => ({ ...JOURNAL_RXC_SETUP, U, M, Q: U });
const cxrSmall = (U: number, n: number): CxrMonteCarloSetup => ({ ...JOURNAL_CXR_SETUP, U, Q: U, n });

test('journal r×c: the normalised formula is the same at full size (s = 300, m = 900) and at Monte Carlo sizes', (t) => {
  const line = { scheme: 'ew', granularity: 'class' } as const;
  const full = theoryVsTime(JOURNAL_RXC_SETUP, line, TIMES)!;
  for (const [U, M] of [[2, 10], [5, 100]]) {
    const small = theoryVsTime(rxcSmall(U, M), line, TIMES)!;
    small.forEach((v, g) => t.true(Math.abs(v - full[g]) <= 1e-12 * Math.max(1, full[g]), `U=${U} M=${M} t=${TIMES[g]}`));
  }
  t.deepEqual(classSizesOfSetup(JOURNAL_RXC_SETUP), [3, 3, 3]);
});

test('journal r×c: the Monte Carlo at two block sizes agrees with the formula and with each other (size independence)', (t) => {
  const lines = [{ scheme: 'now', granularity: 'class' }, { scheme: 'ew', granularity: 'class' }] as const;
  const runs = [rxcSmall(2, 8), rxcSmall(6, 40)].map((s) => ({ s, r: simulate(s, lines, { trials: 400, seed: 11, times: TIMES }) }));
  for (const { s, r } of runs) {
    r.lines.forEach((l) => {
      const th = theoryVsTime(s, l.line, TIMES)!;
      TIMES.forEach((tt, g) => near(t, l.byTime[g], th[g], `r×c ${s.U}×${s.M} ${l.line.scheme} t=${tt}`));
    });
  }
  runs[0].r.lines.forEach((l, li) => TIMES.forEach((tt, g) => together(t, l.byTime[g], runs[1].r.lines[li].byTime[g], `r×c sizes ${l.line.scheme} t=${tt}`)));
});

test('journal c×r: the Monte Carlo of the real codes at two packet sizes agrees with the formula and with each other', (t) => {
  const schemes = ['now', 'ew', 'mds'] as const;
  const full = Object.fromEntries(schemes.map((s) => [s, cxrTheoryVsTime(JOURNAL_CXR_SETUP, s, TIMES)]));
  const runs = [cxrSmall(3, 9), cxrSmall(8, 36)].map((s) => ({ s, r: simulateCxr(s, schemes, { trials: 300, seed: 5, times: TIMES }) }));
  for (const { s, r } of runs) {
    r.lines.forEach((l) => {
      const th = cxrTheoryVsTime(s, l.scheme, TIMES);
      th.forEach((v, g) => t.true(Math.abs(v - full[l.scheme][g]) <= 1e-12, 'formula does not depend on the sizes'));
      TIMES.forEach((tt, g) => near(t, l.byTime[g], th[g], `c×r U=${s.U} n=${s.n} ${l.scheme} t=${tt}`));
      const thN = cxrTheoryVsReceived(s, l.scheme);
      for (const N of [4, 9, 17]) near(t, l.byReceived[N], thN[N], `c×r U=${s.U} n=${s.n} ${l.scheme} N=${N}`);
    });
  }
  runs[0].r.lines.forEach((l, li) => TIMES.forEach((tt, g) => together(t, l.byTime[g], runs[1].r.lines[li].byTime[g], `c×r sizes ${l.scheme} t=${tt}`)));
});

test('general grid: Monte Carlo agrees with the theory on a 2×4 r×c grid (levels 2, default workers round(5/3·8) = 13)', (t) => {
  const setup: MonteCarloSetup = { U: 3, M: 20, Q: 3, variances: [4, 0.5], rowBlocks: 2, colBlocks: 4, workers: 13, lambda: 1, K: 1, gamma: [0.5, 0.5], ordering: 'none' };
  t.deepEqual(gridOf(setup), { N: 2, P: 4, blocks: 8 });
  t.deepEqual(classSizesOfSetup(setup), [2, 6]);
  const lines = [{ scheme: 'now', granularity: 'class' }, { scheme: 'ew', granularity: 'class' }, { scheme: 'mds', granularity: 'class' }] as const;
  const r = simulate(setup, lines, { trials: 400, seed: 3, times: [0.3, 0.8] });
  for (const l of r.lines) {
    const th = theoryVsReceived(setup, l.line)!;
    for (const N of [3, 6, 8, 10]) near(t, l.byReceived[N], th[N], `2×4 ${l.line.scheme} N=${N}`);
    const tt = theoryVsTime(setup, l.line, [0.3, 0.8])!;
    tt.forEach((v, g) => near(t, l.byTime[g], v, `2×4 ${l.line.scheme} t=${[0.3, 0.8][g]}`));
  }
});

test('comparison of the partitions: same UEP decoding, c×r puts more of the energy in class 1; MatDot needs 17 results, r×c MDS 9', (t) => {
  const [row] = partitionComparison([1]);
  t.true(row.cxr.ew < row.rxc.ew, 'EW: c×r below r×c at t = 1');
  t.true(row.rxc.mds < row.cxr.mds, 'MDS: r×c (9 results) far below c×r MatDot (17 results)');
  t.true(row.cxr.ew < row.cxr.mds && row.rxc.mds < row.rxc.ew, 'c×r: EW beats MatDot; r×c: MDS beats EW at t = 1');
});

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('journal:rxc and journal:cxr write their CSVs, pictures and sidecars (few trials); the class table is the journal’s', async (t) => {
  await withTmp(async (dir) => {
    const lines: string[] = [];
    const a = await journalRxc(['--out', dir, '--trials', '100', '--times', '0:1:0.5', '--threads', '1', '--no-progress'], (l) => lines.push(l));
    for (const f of ['rxc-time.csv', 'rxc-time.png', 'rxc-received.csv', 'rxc-received.json']) t.true(a.some((p) => p.endsWith(f)), f);
    const side = JSON.parse(await readFile(join(dir, 'rxc-time.json'), 'utf8')) as { setup: { classTable: number[][]; workers: number; classSizes: number[] } };
    t.deepEqual(side.setup.classTable, JOURNAL_CLASS_TABLE.map((r) => [...r]));
    t.is(side.setup.workers, 30);
    t.deepEqual(side.setup.classSizes, [3, 3, 3]);
    t.true(lines.some((l) => l.includes('formula at full size')));
    const b = await journalCxr(['--out', dir, '--trials', '60', '--times', '0:1:0.5', '--no-progress'], (l) => lines.push(l));
    for (const f of ['cxr-time.csv', 'cxr-time.png', 'cxr-received.csv', 'cxr-received.png', 'cxr.json']) t.true(b.some((p) => p.endsWith(f)), f);
    const rows = parseCsv(await readFile(join(dir, 'cxr-received.csv'), 'utf8'));
    t.is(rows.filter((r) => r.method === 'theory').length, 3 * 31);
    t.true(lines.some((l) => l.includes('c×r MatDot')), 'the partition comparison is printed');
  });
});

test('fig4 on a 4×4 grid with default workers (round(5/3·16) = 27); bad --class-table and --row-blocks name the flag', async (t) => {
  await withTmp(async (dir) => {
    await fig4(['--out', dir, '--row-blocks', '4', '--col-blocks', '4', '--trials', '50', '--threads', '1', '--no-progress'], () => undefined);
    const side = JSON.parse(await readFile(join(dir, 'fig4.json'), 'utf8')) as { setup: { workers: number; N: number; P: number; classSizes: number[] } };
    t.is(side.setup.workers, 27);
    t.is(side.setup.N, 4);
    t.deepEqual(side.setup.classSizes, [4, 4, 8]);
  });
  await t.throwsAsync(fig4(['--class-table', '0,1/1,2', '--no-progress'], () => undefined), { message: /classTable: must have 3 rows of 3/ });
  await t.throwsAsync(fig4(['--class-table', '0,x,1/0,1,2/1,2,2', '--no-progress'], () => undefined), { message: /classTable: classes must be integers/ });
  await t.throwsAsync(fig4(['--row-blocks', '0', '--no-progress'], () => undefined), { message: /rowBlocks: must be ≥ 1 \(got 0\)/ });
  await t.throwsAsync(fig4(['--packets', '6', '--no-progress'], () => undefined), { message: /packets: is a c×r option/ });
  await t.throwsAsync(journalRxc(['--partition', 'cxr', '--no-progress'], () => undefined), { message: /partition: journal:rxc is the journal's r×c set-up/ });
  await t.throwsAsync(fig4(['--row-blocks', '2', '--no-progress'], () => undefined), { message: /variances: at most min/ });
});

test('fig3/fig4 --partition cxr: the c×r formula and Monte Carlo in the Fig. 3/4 files; r×c-only flags are refused by name', async (t) => {
  await withTmp(async (dir) => {
    const a = await fig3(['--partition', 'cxr', '--out', dir, '--trials', '60', '--times', '0:2:1', '--no-progress'], () => undefined);
    for (const f of ['fig3.csv', 'fig3.json', 'fig3.svg', 'fig3.png']) t.true(a.some((p) => p.endsWith(f)), f);
    const rows = parseCsv(await readFile(join(dir, 'fig3.csv'), 'utf8'));
    t.is(rows.filter((r) => r.method === 'theory').length, 3 * 3);
    const side = JSON.parse(await readFile(join(dir, 'fig3.json'), 'utf8')) as { command: string; setup: { classOf: number[]; n: number; workers: number } };
    t.is(side.command, 'fig3');
    t.deepEqual(side.setup.classOf, [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    t.is(side.setup.workers, 40);
    const b = await fig4(['--partition', 'cxr', '--packets', '6', '--packet-classes', '0,1,1,2,2,2', '--out', dir, '--trials', '40', '--no-progress'], () => undefined);
    t.true(b.some((p) => p.endsWith('fig4.png')));
    const recv = parseCsv(await readFile(join(dir, 'fig4.csv'), 'utf8'));
    t.is(recv.filter((r) => r.method === 'montecarlo').length, 3 * 41);
  });
  await t.throwsAsync(fig4(['--partition', 'cxr', '--granularities', 'class,product', '--no-progress'], () => undefined), { message: /granularities: product windows have no meaning/ });
  await t.throwsAsync(fig4(['--partition', 'cxr', '--class-table', '0,0,1/0,1,2/1,2,2', '--no-progress'], () => undefined), { message: /classTable: is an r×c option/ });
  await t.throwsAsync(fig3(['--partition', 'cxr', '--design', '--no-progress'], () => undefined), { message: /design: designs Γ on the r×c partition only/ });
  await t.throwsAsync(fig4(['--partition', 'cxr', '--packets', '200', '--no-progress'], () => undefined), { message: /packets: K = 200 packets is more than the inner dimension/ });
  await t.throwsAsync(fig4(['--partition', 'cxr', '--packets', '4', '--packet-classes', '0,0,1,1', '--out', tmpdir(), '--no-progress'], () => undefined), { message: /variances: needs one variance per packet class \(2 classes\)/ });
  await t.throwsAsync(fig4(['--partition', 'diagonal', '--no-progress'], () => undefined));
});

test('c×r Monte Carlo: uncoded (W = K) and repetition (W = 2K) agree with their formulas', (t) => {
  const base = cxrSmall(3, 9);
  for (const [scheme, workers] of [['uncoded', 9], ['rep', 18]] as const) {
    const setup = { ...base, workers };
    const r = simulateCxr(setup, [scheme], { trials: 300, seed: 9, times: TIMES });
    const th = cxrTheoryVsReceived(setup, scheme);
    for (const N of [3, 6, 9]) near(t, r.lines[0].byReceived[N], th[N], `${scheme} N=${N}`);
  }
});
