/**
 * uncoded and block repetition in the Monte Carlo figures (fig3, fig4; both partitions): their
 * formulas (ℓ(N) = C(W − r, N)/C(W, N), (1 − F(K·t))^r), the Monte Carlo of the real codes against
 * them, each line's own W where the figure's does not fit the code, and the commands' files.
 * Few trials (2 shared cores): the checks are within the Monte Carlo's own CI (3 standard errors).
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fig2 } from '../experiments/fig2.ts';
import { fig3 } from '../experiments/fig3.ts';
import { fig4 } from '../experiments/fig4.ts';
import {
  JOURNAL_CXR_SETUP,
  PAPER_MC_SETUP,
  TrialRunner,
  cxrTheoryVsReceived,
  cxrTheoryVsTime,
  lineWorkers,
  simulateByWorkers,
  simulateCxrByWorkers,
  theoryVsReceived,
  theoryVsTime,
  type LineSpec,
  type MeanEstimate,
  type MonteCarloSetup,
} from '../src/montecarlo/index.ts';
import { copiesLossAtProbability, copiesLossVsReceived, receivedDistribution } from '../src/theory/index.ts';
import { parseCsv } from '../src/util/csv.ts';
import { cliMessage } from './helpers/cli-message.ts';

const Z = 3;
const TIMES = [0.5, 1.5, 3];

function near(t: import('ava').ExecutionContext, e: MeanEstimate, formula: number, what: string): void {
  const se = e.sd / Math.sqrt(e.n);
  t.true(Math.abs(e.mean - formula) <= Z * se + 3 / e.n, `${what}: MC ${e.mean.toFixed(4)} ± ${(Z * se).toFixed(4)} vs formula ${formula.toFixed(4)}`);
}

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fig-schemes-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** P(a given block has none of its r copies among a uniform N-subset of W workers), by enumeration. */
function bruteMissing(blocks: number, W: number, N: number): number {
  let all = 0;
  let missing = 0;
  for (let mask = 0; mask < 1 << W; mask++) {
    let bits = 0;
    for (let w = 0; w < W; w++) if (mask & (1 << w)) bits++;
    if (bits !== N) continue;
    all++;
    // copy c of block 0 is worker c·blocks
    let any = false;
    for (let w = 0; w < W; w += blocks) if (mask & (1 << w)) any = true;
    if (!any) missing++;
  }
  return missing / all;
}

test('copies formula: uncoded ℓ(N) = 1 − N/W, rep = enumeration of N-subsets, and Σ_N Bin(W, F)·ℓ(N) = (1 − F)^r', (t) => {
  const u = copiesLossVsReceived(9, 9);
  u.forEach((v, N) => t.true(Math.abs(v - (1 - N / 9)) < 1e-12, `uncoded N=${N}`));
  for (const [blocks, W] of [[3, 6], [3, 9], [4, 8], [5, 5]]) {
    const l = copiesLossVsReceived(blocks, W);
    t.is(l.length, W + 1);
    for (let N = 0; N <= W; N++) t.true(Math.abs(l[N] - bruteMissing(blocks, W, N)) < 1e-12, `blocks ${blocks}, W ${W}, N ${N}`);
    for (const F of [0, 0.1, 0.5, 0.93, 1]) {
      const pw = receivedDistribution(W, F);
      let s = 0;
      for (let N = 0; N <= W; N++) s += pw[N] * l[N];
      t.true(Math.abs(s - copiesLossAtProbability(blocks, W, F)) < 1e-12, `blocks ${blocks}, W ${W}, F ${F}`);
    }
  }
  t.throws(() => copiesLossVsReceived(9, 40), { message: /^W: .*multiple of the 9 blocks/ });
});

test('r×c line workers: uncoded N·P, rep 2·N·P unless the figure W is a multiple of N·P; the others the figure W', (t) => {
  const s: MonteCarloSetup = { ...PAPER_MC_SETUP };
  const w = (scheme: LineSpec['scheme'], setup = s) => lineWorkers(setup, { scheme, granularity: 'class' });
  t.deepEqual([w('uncoded'), w('rep'), w('now'), w('ew'), w('mds')], [9, 18, 40, 40, 40]);
  t.deepEqual([w('uncoded', { ...s, workers: 9 }), w('rep', { ...s, workers: 27 })], [9, 27]);
  t.is(w('uncoded', { ...s, rowBlocks: 2, colBlocks: 4, variances: [1, 0.1], gamma: [0.5, 0.5] }), 8);
  // a runner with mixed W refuses, naming the line
  t.throws(() => new TrialRunner(s, [{ scheme: 'uncoded', granularity: 'class' }]), { message: /^lines: uncoded\/class runs with W = 9/ });
});

test('r×c Monte Carlo: uncoded (W = 9) and rep (W = 18) in a W = 40 setup agree with their formulas (vs N and vs t)', async (t) => {
  const setup: MonteCarloSetup = { ...PAPER_MC_SETUP, U: 2, M: 12, Q: 2, lambda: 0.5 };
  const lines: LineSpec[] = [
    { scheme: 'uncoded', granularity: 'class' },
    { scheme: 'rep', granularity: 'class' },
    { scheme: 'now', granularity: 'class' },
  ];
  const r = await simulateByWorkers(setup, lines, { trials: 400, seed: 5, times: TIMES, threads: 1 });
  t.deepEqual(r.lines.map((l) => [l.line.scheme, l.workers, l.byReceived.length]), [['uncoded', 9, 10], ['rep', 18, 19], ['now', 40, 41]]);
  for (const l of r.lines) {
    const th = theoryVsReceived(setup, l.line)!;
    t.is(th.length, l.workers + 1);
    for (const N of [2, 5, 8]) near(t, l.byReceived[N], th[N], `r×c ${l.line.scheme} N=${N}`);
    theoryVsTime(setup, l.line, TIMES)!.forEach((v, g) => near(t, l.byTime[g], v, `r×c ${l.line.scheme} t=${TIMES[g]}`));
  }
});

test('c×r Monte Carlo: uncoded (W = K) and rep (W = 2K) in a W = 40 setup agree with their formulas (vs N and vs t)', (t) => {
  const setup = { ...JOURNAL_CXR_SETUP, U: 3, Q: 3, n: 18, workers: 40, lambda: 0.5 };
  const r = simulateCxrByWorkers(setup, ['uncoded', 'rep', 'ew'], { trials: 400, seed: 6, times: TIMES });
  t.deepEqual(r.workers, { uncoded: 9, rep: 18, ew: 40 });
  for (const l of r.lines) {
    const th = cxrTheoryVsReceived(setup, l.scheme);
    t.is(th.length, r.workers[l.scheme] + 1);
    t.is(l.byReceived.length, th.length);
    for (const N of [2, 5, 8]) near(t, l.byReceived[N], th[N], `c×r ${l.scheme} N=${N}`);
    cxrTheoryVsTime(setup, l.scheme, TIMES).forEach((v, g) => near(t, l.byTime[g], v, `c×r ${l.scheme} t=${TIMES[g]}`));
  }
});

test('fig3 / fig4 --schemes uncoded,rep: lines with their own W in the CSV, legend and sidecar (both partitions)', async (t) => {
  await withTmp(async (dir) => {
    const q = () => undefined;
    await fig3(['--schemes', 'uncoded,rep,ew', '--granularities', 'class', '--trials', '50', '--threads', '1', '--times', '0:2:1', '--U', '2', '--M', '10', '--Q', '2', '--out', dir, '--no-progress'], q);
    const rows = parseCsv(await readFile(join(dir, 'fig3.csv'), 'utf8'));
    const w = (scheme: string) => [...new Set(rows.filter((r) => r.scheme === scheme).map((r) => r.workers))];
    t.deepEqual([w('uncoded'), w('rep'), w('ew')], [[9], [18], [40]]);
    t.is(rows.filter((r) => r.scheme === 'uncoded' && r.method === 'theory').length, 3);
    const svg = await readFile(join(dir, 'fig3.svg'), 'utf8');
    t.true(svg.includes('uncoded (W = 9)') && svg.includes('repetition (W = 18)'), 'legend names the W');
    const side = JSON.parse(await readFile(join(dir, 'fig3.json'), 'utf8')) as { workersByLine: Record<string, number>; agreementWithFormula: Record<string, unknown> };
    t.deepEqual(side.workersByLine, { 'uncoded/class': 9, 'rep/class': 18, 'ew/class': 40 });
    t.truthy(side.agreementWithFormula['rep/class']);

    await fig4(['--partition', 'cxr', '--schemes', 'uncoded,rep', '--workers', '27', '--trials', '40', '--U', '2', '--M', '18', '--Q', '2', '--out', dir, '--no-progress'], q);
    const recv = parseCsv(await readFile(join(dir, 'fig4.csv'), 'utf8'));
    // rep fits W = 27 (3 copies of 9 packets); uncoded takes K = 9
    t.is(recv.filter((r) => r.scheme === 'uncoded' && r.method === 'montecarlo').length, 10);
    t.is(recv.filter((r) => r.scheme === 'rep' && r.method === 'montecarlo').length, 28);
    t.deepEqual([...new Set(recv.map((r) => `${r.scheme}:${r.workers}`))], ['uncoded:9', 'rep:27']);
    const svg4 = await readFile(join(dir, 'fig4.svg'), 'utf8');
    t.true(svg4.includes('uncoded (W = 9)') && !svg4.includes('repetition (W ='), 'only the line off the figure W is marked');
  });
});

test('bad --schemes combinations name the flag', async (t) => {
  const q = () => undefined;
  const msg = async (p: Promise<unknown>) => cliMessage(await t.throwsAsync(p));
  t.regex(await msg(fig3(['--schemes', 'uncoded,uncoded', '--trials', '2', '--no-progress'], q)), /^--schemes: .*twice/);
  t.regex(await msg(fig4(['--schemes', 'rep,lt', '--trials', '2', '--no-progress'], q)), /^--schemes: .*now, ew, mds, uncoded, rep/);
  t.regex(await msg(fig4(['--partition', 'cxr', '--schemes', 'uncoded', '--granularities', 'product', '--trials', '2', '--no-progress'], q)), /^--granularities: product windows have no meaning/);
  // Fig. 2 draws decoding probabilities of the window codes and MDS only
  t.regex(await msg(fig2(['--schemes', 'uncoded', '--out', join(tmpdir(), 'fig-schemes-never')], q)), /^--schemes: /);
});
