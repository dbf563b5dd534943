/**
 * The field's exact-or-missing codes (issue 22): systematic MDS and the product code. Their
 * encodings' algebra (independence of every N·P-subset, condition numbers), the product code's
 * decoded set against brute force and against peeling, their formulas against the Monte Carlo of
 * the real codes on fig3's deadlines (all but at most one inside the 95% interval, none beyond
 * 3 standard errors), and the errors for grids they cannot use. Small matrices, few seconds.
 */
import test from 'ava';
import { getCode, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { coefficientRow } from '../src/coded-backprop/codes/code.ts';
import { IncrementalDecoder } from '../src/coded-backprop/decode.ts';
import { PAPER_MC_SETUP, simulateByWorkers, theoryVsReceived, theoryVsTime, type LineSpec, type MonteCarloSetup } from '../src/montecarlo/index.ts';
import { agreement } from '../src/figures/agreement.ts';
import {
  comparePeeling,
  determinedBlocks,
  lossAtProbability,
  peelingBlocks,
  productCodeDeterminedTable,
  productCodeLossVsReceived,
  productCodeRows,
  rank,
  receivedDistribution,
  subsetConditionNumbers,
  subsets,
  systematicMdsLossAtProbability,
  systematicMdsLossVsReceived,
} from '../src/theory/index.ts';
import { OptionError } from '../src/config/index.ts';
import { Rng } from '../src/util/rng.ts';
import { fig3 } from '../experiments/fig3.ts';
import { cliMessage } from './helpers/cli-message.ts';

const grid = (N: number, P: number) => ({ N, P, levels: 1, classSizes: [N * P] });
const layout = (N: number, P: number) => ({ N, P }) as Parameters<ReturnType<typeof getCode>['encode']>[0];
function rowsOf(scheme: string, N: number, P: number, workers: number, seed: number): Float64Array[] {
  return getCode(scheme).encode(layout(N, P), { workers, granularity: 'class', gamma: [1] }, new Rng(seed)).map((task) => coefficientRow(task, N, P));
}

test('systematic MDS: the first N·P tasks are the blocks, every N·P-subset of the W rows is independent, conditions reported', (t) => {
  for (const [N, P, W] of [[2, 2, 8], [3, 2, 10], [3, 3, 13]]) {
    for (const seed of [1, 2]) {
      const rows = rowsOf('sysmds', N, P, W, seed);
      t.is(rows.length, W);
      rows.slice(0, N * P).forEach((g, w) => t.deepEqual(Array.from(g), Array.from({ length: N * P }, (_, b) => (b === w ? 1 : 0))));
      // parities touch every block (else some block would rest on its systematic worker alone)
      t.true(rows.slice(N * P).every((g) => g.every((v) => v !== 0)));
      const { conditions, singular } = subsetConditionNumbers(rows, N * P);
      t.is(singular, 0, `${N}×${P} W=${W} seed ${seed}: a singular ${N * P}-subset`);
      // and one more row never raises the rank past N·P, while N·P − 1 rows never reach it
      t.is(rank(rows), N * P);
      t.true(conditions[conditions.length - 1] < 1e8, `worst condition ${conditions[conditions.length - 1]}`);
    }
  }
  // the 3×3, W = 15 training code: 5005 subsets per seed (numbers quoted in docs/field.md)
  const { conditions: c, singular } = subsetConditionNumbers(rowsOf('sysmds', 3, 3, 15, 1), 9);
  t.is(singular, 0);
  const q = (p: number) => c[Math.min(c.length - 1, Math.floor(p * c.length))];
  t.log(`3×3 W=15 seed 1: ${c.length} subsets, condition median ${q(0.5).toFixed(1)}, p99 ${q(0.99).toFixed(0)}, max ${c[c.length - 1].toExponential(2)}`);
  t.true(q(0.5) < 1e3 && q(0.99) < 1e5, 'well conditioned: far below the decoder amplification limit 1e10');
});

test('systematic MDS formula: ℓ(n) equals the enumeration over n-subsets; Σ Bin·ℓ is the closed form', (t) => {
  for (const [blocks, W] of [[4, 7], [9, 12]]) {
    const l = systematicMdsLossVsReceived(blocks, W);
    for (let n = 0; n <= W; n++) {
      // block 0's systematic worker is worker 0; lost iff worker 0 absent and fewer than `blocks` present
      let all = 0;
      let lost = 0;
      for (const s of subsets(W, n)) {
        all++;
        if (!s.includes(0) && n < blocks) lost++;
      }
      t.true(Math.abs(l[n] - lost / all) < 1e-12, `blocks ${blocks} W ${W} n ${n}`);
    }
    for (const F of [0, 0.2, 0.7, 1]) t.true(Math.abs(systematicMdsLossAtProbability(blocks, W, F) - lossAtProbability(l, F)) < 1e-12);
  }
});

test('product code: the decoder determines exactly the brute-force set (every arrival set on 2×2, sampled on 3×3); peeling never finds more', (t) => {
  for (const [N, P, sample] of [[2, 2, 0], [2, 3, 0], [3, 3, 600]] as const) {
    const rows = rowsOf('product', N, P, N * P + N + P + 1, 0);
    t.deepEqual(rows.map((r) => Array.from(r)), productCodeRows(N, P).map((r) => Array.from(r)), 'the theory enumerates the code the engine runs');
    const W = rows.length;
    const table = productCodeDeterminedTable(N, P);
    const rng = new Rng(N * 10 + P);
    const masks = sample === 0 ? Array.from({ length: 1 << W }, (_, m) => m) : Array.from({ length: sample }, () => rng.int(1 << W));
    for (const mask of masks) {
      const got = rows.filter((_, w) => mask & (1 << w));
      // brute force: block b is determined iff adding e_b does not raise the rank
      let brute = 0;
      const r0 = got.length ? rank(got) : 0;
      for (let b = 0; b < N * P; b++) {
        const e = new Float64Array(N * P);
        e[b] = 1;
        if (rank([...got, e]) === r0) brute |= 1 << b;
      }
      t.is(table[mask], brute, `${N}×${P} mask ${mask}`);
      t.is(determinedBlocks(rows, mask), brute);
      // the engine's decoder on the same rows
      const dec = new IncrementalDecoder(N * P, W);
      if (got.length) dec.addAll(got);
      let engine = 0;
      dec.determined.forEach((d, b) => (engine |= d ? 1 << b : 0));
      t.is(engine, brute, `engine decoder ${N}×${P} mask ${mask}`);
      t.is(peelingBlocks(N, P, mask) & ~brute, 0, 'peeling ⊆ elimination');
    }
  }
  const cmp = comparePeeling(3, 3);
  t.is(cmp.sets, 65536);
  t.is(cmp.fewerThanPeeling, 0);
  t.log(`3×3: elimination determines more blocks than peeling on ${cmp.moreThanPeeling} of ${cmp.sets} arrival sets (e.g. mask ${cmp.example})`);
  t.true(cmp.moreThanPeeling > 0, 'a stopping set of peeling that elimination still decodes exists on 3×3');
  t.is(comparePeeling(2, 2).moreThanPeeling, 0);
});

test('product code formula: ℓ(n) is the energy-weighted mean over n-subsets; 3 erasures always decode; weighting 2^W sets by probability gives Σ Bin·ℓ', (t) => {
  const E = [5, 1, 0.5, 2, 1, 0.1, 0.2, 0.3, 3];
  const l = productCodeLossVsReceived(3, 3, E);
  t.is(l.length, 17);
  t.is(l[0], 1);
  for (let n = 13; n <= 16; n++) t.is(l[n], 0, 'minimum distance 4: any 3 erasures are corrected');
  t.true(l[12] > 0, 'a 2×2 square of erasures among 4 is not');
  const table = productCodeDeterminedTable(3, 3);
  const total = E.reduce((a, b) => a + b, 0);
  for (const F of [0.1, 0.5, 0.9]) {
    let direct = 0;
    for (let mask = 0; mask < table.length; mask++) {
      let n = 0;
      for (let w = 0; w < 16; w++) if (mask & (1 << w)) n++;
      let lost = 0;
      for (let b = 0; b < 9; b++) if (!(table[mask] & (1 << b))) lost += E[b];
      direct += F ** n * (1 - F) ** (16 - n) * (lost / total);
    }
    t.true(Math.abs(direct - lossAtProbability(l, F)) < 1e-12, `F = ${F}`);
  }
  t.true(Math.abs(receivedDistribution(16, 0.5).reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('formulas agree with the Monte Carlo of the real codes at fig3 deadlines: all but ≤ 1 inside the 95% interval, none beyond 3 SE', async (t) => {
  const setup: MonteCarloSetup = { ...PAPER_MC_SETUP, U: 2, M: 12, Q: 2, workers: 15 };
  const times = Array.from({ length: 26 }, (_, g) => g * 0.2); // fig3's 0:5 grid, every 4th deadline
  const lines: LineSpec[] = [
    { scheme: 'sysmds', granularity: 'class' },
    { scheme: 'product', granularity: 'class' },
  ];
  const r = await simulateByWorkers(setup, lines, { trials: 1500, seed: 22, times, threads: 1 });
  t.deepEqual(r.lines.map((l) => l.workers), [15, 16]);
  for (const l of r.lines) {
    const th = theoryVsTime(setup, l.line, times)!;
    const a = agreement(l.byTime, th, 1.959964);
    t.log(`${l.line.scheme}: ${a.inside} inside + ${a.outsideBelowResolution} below resolution of ${a.points}, max |z| ${a.maxAbsZ.toFixed(2)}`);
    t.true(a.inside + a.outsideBelowResolution >= a.points - 1, `${l.line.scheme}: ${JSON.stringify(a)}`);
    t.true(a.maxAbsZ <= 3, `${l.line.scheme}: max |z| ${a.maxAbsZ}`);
    const ar = agreement(l.byReceived, theoryVsReceived(setup, l.line)!, 1.959964);
    t.true(ar.inside + ar.outsideBelowResolution >= ar.points - 1 && ar.maxAbsZ <= 3, `${l.line.scheme} vs received: ${JSON.stringify(ar)}`);
  }
});

test('bad input: codes on grids or partitions they cannot use', async (t) => {
  const cases: [Parameters<typeof resolveCodedOptions>[0], string, RegExp][] = [
    [{ scheme: 'sysmds', tmax: 1, workers: 8 }, 'workers', /at least N·P = 9/],
    [{ scheme: 'sysmds', tmax: 1, partition: 'cxr' }, 'partition', /no c×r form/],
    [{ scheme: 'product', tmax: 1, workers: 15 }, 'workers', /exactly N·P \+ N \+ P \+ 1 = 16/],
    [{ scheme: 'product', tmax: 1, rowBlocks: 9, colBlocks: 1, levels: 1 }, 'scheme', /at least 2 row blocks and 2 column blocks.*9×1/],
  ];
  for (const [o, key, pattern] of cases) {
    const err = t.throws<OptionError>(() => resolveCodedOptions(o), { instanceOf: OptionError });
    t.is(err?.key, key, JSON.stringify(o));
    t.regex(err?.message ?? '', pattern);
  }
  const msg = cliMessage(await t.throwsAsync(fig3(['--partition', 'cxr', '--schemes', 'ew,sysmds', '--trials', '2', '--no-progress'], () => undefined)));
  t.regex(msg, /^--schemes: sysmds has no c×r form/);
});
