import test from 'ava';
import {
  PAPER_MC_SETUP,
  TrialRunner,
  classEnergiesOfSetup,
  confidenceInterval,
  expectedEnergy,
  linesFor,
  MeanAccumulator,
  simulate,
  simulateParallel,
  theoryVsReceived,
  theoryVsTime,
  zForConfidence,
  type LineSpec,
  type MeanEstimate,
  type SimulationResult,
  resolveLine,
} from '../src/montecarlo/index.ts';
import { coefficientRow, IncrementalDecoder, layoutOf, padBlocks, workerProduct, type PaddedBlocks } from '../src/coded-backprop/plan-api.ts';
import { mdsPoints } from '../src/coded-backprop/codes/mds.ts';
import { matmul } from '../src/util/matrix.ts';
import { Rng, streamSeed } from '../src/util/rng.ts';

const SETUP = PAPER_MC_SETUP;
const Z99 = zForConfidence(0.99);
const CHECK_TIMES = [0, 0.5, 1, 2, 4];
const CHECK_N = [0, 1, 2, 4, 6, 8, 9, 12, 20, 40];
const THEORY_LINES: LineSpec[] = linesFor(['now', 'ew', 'mds'], ['class']);

/**
 * Largest loss (normalised) that float64 rounding may leave once MDS has decoded everything:
 * 0 in exact arithmetic; the worst of 10 000 trials of the default Fig. 3 run is 9.5e-12.
 */
const ROUNDING_FLOOR = 1e-10;

// One shared run: a few hundred trials of the three lines the formulas cover.
let shared: SimulationResult | undefined;
function run(): SimulationResult {
  shared ??= simulate(SETUP, THEORY_LINES, { trials: 400, seed: 7, times: CHECK_TIMES });
  return shared;
}

/**
 * The formula lies inside the Monte Carlo's 99% interval — or it is below 1/(100·n) and the
 * Monte Carlo saw no loss beyond rounding: an event that rare (e.g. MDS with fewer than 9 results
 * by t = 4, probability 2.9e-8) is absent from n trials, and the interval collapses onto ~0.
 * No decode-error slack: MDS's float64 loss after 9 results is inside the interval of 0.
 */
function within(e: MeanEstimate, theory: number): boolean {
  const ci = confidenceInterval(e, Z99);
  return (theory >= ci.low && theory <= ci.high) || (theory < 1 / (100 * e.n) && e.mean < ROUNDING_FLOOR);
}

test('normaliser: E‖C‖² of the paper setup is 2500·(100 + 20 + 3.21)', (t) => {
  t.deepEqual(classEnergiesOfSetup(SETUP).map((e) => Math.round(e * 100) / 100), [250000, 50000, 8025]);
  t.is(expectedEnergy(SETUP), 308025);
});

for (const line of THEORY_LINES) {
  test(`${line.scheme}/${line.granularity}: Monte Carlo of the real code within its 99% CI of the formula vs t`, (t) => {
    const r = run().lines.find((l) => l.line.scheme === line.scheme)!;
    const theory = theoryVsTime(SETUP, line, CHECK_TIMES)!;
    CHECK_TIMES.forEach((time, g) => {
      const e = r.byTime[g];
      const ci = confidenceInterval(e, Z99);
      t.true(within(e, theory[g]), `t = ${time}: MC ${e.mean} [${ci.low}, ${ci.high}] vs formula ${theory[g]}`);
    });
  });

  test(`${line.scheme}/${line.granularity}: Monte Carlo of the real code within its 99% CI of the formula vs N`, (t) => {
    const r = run().lines.find((l) => l.line.scheme === line.scheme)!;
    const theory = theoryVsReceived(SETUP, line)!;
    for (const N of CHECK_N) {
      const e = r.byReceived[N];
      const ci = confidenceInterval(e, Z99);
      t.true(within(e, theory[N]), `N = ${N}: MC ${e.mean} [${ci.low}, ${ci.high}] vs formula ${theory[N]}`);
    }
  });
}

test('MDS: nothing before N·P = 9 results, everything (up to float64 rounding) from 9 on', (t) => {
  const r = run().lines.find((l) => l.line.scheme === 'mds')!;
  // Before 9 results the loss is the whole ‖C‖², the same in every trial as at N = 0.
  for (let N = 1; N < 9; N++) t.is(r.byReceived[N].mean, r.byReceived[0].mean);
  for (let N = 9; N <= SETUP.workers; N++) t.true(r.byReceived[N].mean < ROUNDING_FLOOR, `N = ${N}: ${r.byReceived[N].mean}`);
  const d = r.diagnostics;
  t.is(d.notFullAtNP, 0, 'every 9-result set of these trials decoded fully');
  t.is(d.catastrophicTrials, 0);
  t.true(d.maxFinalLoss < ROUNDING_FLOOR, `worst trial loss ${d.maxFinalLoss}`);
  t.true(d.maxRelError < 1e-3, `worst relative decode error ${d.maxRelError}`);
});

test('MDS: the most clustered received sets (nine adjacent points, the worst-conditioned) decode to rounding, whatever the seed', (t) => {
  // Every window of nine workers adjacent in x (points near ±1 cluster: condition numbers up to
  // ~1e11) arrives first, in a random order; then the rest. Formerly one such trial (one seed,
  // chunk and trial index) gave loss 783·E‖C‖² with Gauss–Jordan decode vectors.
  const W = SETUP.workers;
  const line: LineSpec = { scheme: 'mds', granularity: 'class' };
  const opts = resolveLine(SETUP, line);
  const x = mdsPoints(W);
  const byX = Array.from({ length: W }, (_, w) => w).sort((a, b) => x[a] - x[b]);
  const rng = new Rng(streamSeed(99, 'mds-clusters'));
  const runner = new TrialRunner(SETUP, [line]);
  let worst = 0;
  let maxFull = 0;
  for (let start = 0; start + 9 <= W; start += 4) {
    const { A, B } = runner.drawMatrices(rng);
    const layout = layoutOf(A, B, opts);
    const padded = padBlocks(A.data, A.cols, B.data, B.cols, layout, Float64Array);
    const tasks = opts.code.encode(layout, opts, rng);
    const first = byX.slice(start, start + 9);
    rng.shuffle(first);
    const order = [...first, ...byX.filter((w) => !first.includes(w))];
    const dec = new IncrementalDecoder(9, W, opts.tolerance);
    const received: Float64Array[] = [];
    const exact = Array.from({ length: 9 }, (_, b) => blockProduct(padded, Math.floor(b / 3), b % 3));
    let fullAt = -1;
    for (let k = 0; k < W && fullAt < 0; k++) {
      received.push(workerProduct(tasks[order[k]], padded));
      dec.add(coefficientRow(tasks[order[k]], 3, 3));
      if (dec.determined.every((v) => v === 1)) fullAt = k + 1;
    }
    // never from fewer than N·P = 9; the decoder may wait for a stable decode (a few more results)
    t.true(fullAt >= 9 && fullAt <= 20, `window at ${start}: all decoded after ${fullAt} results`);
    maxFull = Math.max(maxFull, fullAt);
    for (let b = 0; b < 9; b++) {
      const d = dec.decodeVector(b);
      const est = new Float64Array(exact[b].length);
      d.forEach((f, r) => received[r].forEach((v, e) => (est[e] += f * v)));
      let num = 0;
      let den = 0;
      est.forEach((v, e) => {
        num += (v - exact[b][e]) ** 2;
        den += exact[b][e] ** 2;
      });
      worst = Math.max(worst, Math.sqrt(num / den));
    }
  }
  t.log(`worst relative decode error over the clustered windows: ${worst.toExponential(2)}; all decoded after ≤ ${maxFull} results`);
  t.true(worst < 1e-3, `worst relative decode error ${worst}`);
});

/** Exact block C_ij = A_i·B_j of padded blocks (U×Q, float64). */
function blockProduct(p: PaddedBlocks<Float64Array>, i: number, j: number): Float64Array {
  const out = new Float64Array(p.U * p.Q);
  for (let u = 0; u < p.U; u++) for (let m = 0; m < p.M; m++) for (let q = 0; q < p.Q; q++) out[u * p.Q + q] += p.a[i][u * p.M + m] * p.b[j][m * p.Q + q];
  return out;
}

test('product granularity has no formula but NOW/product matches its exact repetition-code law', (t) => {
  // With N = P = S each NOW product window (a, b) holds exactly one block, so block (a, b) is
  // decoded iff some received worker drew (a, b): P = 1 − (1 − Γ_a·Γ_b)^N.
  const line: LineSpec = { scheme: 'now', granularity: 'product' };
  t.is(theoryVsTime(SETUP, line, [1]), null);
  t.is(theoryVsReceived(SETUP, line), null);
  const r = simulate(SETUP, [line], { trials: 400, seed: 3 }).lines[0];
  const g = SETUP.gamma;
  const s2 = SETUP.variances;
  const unit = SETUP.M * SETUP.U * SETUP.Q;
  const total = expectedEnergy(SETUP);
  for (const N of [1, 3, 6, 10, 20, 40]) {
    let loss = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) loss += unit * s2[a] * s2[b] * (1 - g[a] * g[b]) ** N;
    t.true(within(r.byReceived[N], loss / total), `N = ${N}: MC ${r.byReceived[N].mean} vs exact ${loss / total}`);
  }
});

test('within a trial the loss is non-increasing in the number received (so in t), starts at ‖C‖², and decoding is real', (t) => {
  const lines = linesFor(['now', 'ew', 'mds'], ['class', 'product']);
  const runner = new TrialRunner(SETUP, lines);
  const { data, lines: rngs } = runner.streams(11, 0);
  // A replay of the data stream: the same A and B, multiplied independently (util/matrix).
  const replay = runner.streams(11, 0).data;
  for (let trial = 0; trial < 40; trial++) {
    const o = runner.trial(data, rngs);
    const { A, B } = runner.drawMatrices(replay);
    for (let w = 0; w < SETUP.workers; w++) replay.exponential(1); // the trial's worker times
    const energy = matmul(A, B).data.reduce((s, v) => s + v * v, 0) / expectedEnergy(SETUP);
    t.true(Math.abs(o.energy - energy) <= 1e-12 * energy, `‖C‖² ${o.energy} vs ${energy}`);
    t.is(TrialRunner.countBefore(o.sortedTimes, 0), 0, 'nothing has arrived at t = 0');
    o.lossAfter.forEach((loss, li) => {
      t.true(Math.abs(loss[0] - energy) <= 1e-12 * energy, 'with nothing received the loss is ‖C‖² (normalised)');
      for (let k = 1; k < loss.length; k++) t.true(loss[k] <= loss[k - 1], `${lines[li].scheme}/${lines[li].granularity} trial ${trial} k ${k}`);
      // NOW/EW decode well-conditioned systems; MDS's can have condition numbers ~1e11.
      const bound = lines[li].scheme === 'mds' ? 1e-3 : 1e-6;
      for (const e of o.relError[li]) if (!Number.isNaN(e)) t.true(e < bound, `decode error ${e}`);
    });
  }
});

test('at t = 0 nothing is received: the estimate is ‖C‖²/E‖C‖², within its CI of 1, and the formula is 1', (t) => {
  const r = run();
  for (const l of r.lines) {
    const e = l.byTime[0];
    t.is(e.mean, r.energy.mean);
    t.true(within(e, 1));
    t.is(theoryVsTime(SETUP, l.line, [0])![0], 1);
  }
});

test('same seed → identical numbers; another seed differs; lazy products change nothing', (t) => {
  const lines = linesFor(['now', 'ew', 'mds'], ['class', 'product']);
  const a = simulate(SETUP, lines, { trials: 60, seed: 5, times: [0.5, 1, 2] });
  const b = simulate(SETUP, lines, { trials: 60, seed: 5, times: [0.5, 1, 2] });
  t.deepEqual(a, b);
  const c = simulate(SETUP, lines, { trials: 60, seed: 6, times: [0.5, 1, 2] });
  t.notDeepEqual(a.lines[0].byTime, c.lines[0].byTime);
  const all = simulate(SETUP, lines, { trials: 60, seed: 5, times: [0.5, 1, 2], allProducts: true });
  t.deepEqual(all, a, 'computing every worker product up front gives the same numbers');
  // A line's numbers do not depend on which other lines run.
  const alone = simulate(SETUP, [lines[2]], { trials: 60, seed: 5, times: [0.5, 1, 2] });
  t.deepEqual(alone.lines[0], a.lines[2]);
});

test('worker threads give the same numbers as one thread', async (t) => {
  const lines = linesFor(['ew', 'mds'], ['class']);
  const opts = { trials: 520, seed: 9, times: [0.5, 1.5] };
  const one = simulate(SETUP, lines, opts);
  const two = await simulateParallel(SETUP, lines, { ...opts, threads: 2 });
  t.deepEqual(two, one);
});

test('statistics: z values, Welford merge equals sequential adds', (t) => {
  t.true(Math.abs(zForConfidence(0.95) - 1.959963985) < 1e-8);
  t.true(Math.abs(zForConfidence(0.99) - 2.575829304) < 1e-8);
  const values = Array.from({ length: 37 }, (_, i) => [Math.sin(i) * 3 + i / 10, i % 5]);
  const seq = new MeanAccumulator(2);
  values.forEach((v) => seq.add(v));
  const left = new MeanAccumulator(2);
  const right = new MeanAccumulator(2);
  values.slice(0, 20).forEach((v) => left.add(v));
  values.slice(20).forEach((v) => right.add(v));
  left.merge(right);
  for (let i = 0; i < 2; i++) {
    t.true(Math.abs(left.estimate(i).mean - seq.estimate(i).mean) < 1e-12);
    t.true(Math.abs(left.estimate(i).sd - seq.estimate(i).sd) < 1e-12);
  }
});

test('bad options are rejected with the option named', (t) => {
  const lines = linesFor(['now'], ['class']);
  t.throws(() => simulate(SETUP, lines, { trials: 0, seed: 1 }), { instanceOf: RangeError, message: /^trials:/ });
  t.throws(() => simulate({ ...SETUP, gamma: [0.5, 0.5] }, lines, { trials: 1, seed: 1 }), { message: /^gamma:/ });
  t.throws(() => simulate({ ...SETUP, lambda: -1 }, lines, { trials: 1, seed: 1 }), { message: /^lambda:/ });
  t.throws(() => simulate(SETUP, [], { trials: 1, seed: 1 }), { message: /^lines:/ });
});
