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
} from '../src/montecarlo/index.ts';

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

test('MDS: the trial the old Gauss–Jordan decode vectors got wrong (loss 783·E‖C‖²) now decodes to rounding', (t) => {
  // Seed 1, chunk 35, trial 214 of the default Fig. 3 run: the first nine arrivals are workers
  // 39, 21, 38, 29, 33, 27, 36, 37, 34, six of whose points lie in [−1, −0.88].
  const runner = new TrialRunner(SETUP, [{ scheme: 'mds', granularity: 'class' }]);
  const { data, lines } = runner.streams(1, 35);
  for (let i = 0; i < 214; i++) runner.trial(data, lines);
  const o = runner.trial(data, lines);
  t.deepEqual([...o.arrivalOrder.subarray(0, 9)], [39, 21, 38, 29, 33, 27, 36, 37, 34]);
  const loss = o.lossAfter[0];
  for (let k = 1; k < loss.length; k++) t.true(loss[k] <= loss[k - 1], `k = ${k}`);
  t.true(o.fullAt[0] >= 9 && o.fullAt[0] <= 10, `all decoded after ${o.fullAt[0]} results`);
  t.true(loss[10] < ROUNDING_FLOOR, `loss after 10 results ${loss[10]}`);
  const worst = Math.max(...o.relError[0]);
  t.true(worst < 1e-3, `worst relative decode error ${worst}`);
  t.log(`all blocks decoded after ${o.fullAt[0]} results; loss after 9: ${loss[9].toPrecision(3)}, after 10: ${loss[10].toExponential(2)}`);
});

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
  for (let trial = 0; trial < 40; trial++) {
    const o = runner.trial(data, rngs);
    t.is(TrialRunner.countBefore(o.sortedTimes, 0), 0, 'nothing has arrived at t = 0');
    o.lossAfter.forEach((loss, li) => {
      t.is(loss[0], o.energy, 'with nothing received the loss is ‖C‖² (normalised)');
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
