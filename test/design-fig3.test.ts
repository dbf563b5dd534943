import test from 'ava';
import { designedCurve, designedMonteCarlo, firstCrossing, mdsCurve } from '../src/design/index.ts';
import { PAPER_MC_SETUP, theoryVsTime } from '../src/montecarlo/index.ts';

test('firstCrossing: the first better→worse change, refined by bisection; none when never worse', (t) => {
  const times = [0, 1, 2, 3, 4];
  const mdsAt = (x: number) => 1 - x / 4;
  const uepAt = (x: number) => (x === 0 ? 1 : 0.5);
  const uep = times.map(uepAt);
  const mds = times.map(mdsAt);
  const c = firstCrossing(times, uep, mds, uepAt, mdsAt, 1e-6);
  t.true(c !== null && Math.abs(c - 2) < 1e-5, String(c));
  t.is(firstCrossing(times, mds, mds, mdsAt, mdsAt), null); // equal everywhere: never better, never worse
  t.is(firstCrossing(times, times.map(() => 0), mds, () => 0, mdsAt), null);
});

test('designed curves are the lower envelope: never above the paper-Γ formula, EW never above MDS', (t) => {
  const times = [0.25, 0.75, 1.5, 2.5, 3.5];
  const mds = mdsCurve(PAPER_MC_SETUP, times);
  for (const scheme of ['now', 'ew'] as const) {
    const paper = theoryVsTime(PAPER_MC_SETUP, { scheme, granularity: 'class' }, times)!;
    const rows = designedCurve(PAPER_MC_SETUP, scheme, times);
    rows.forEach((r, i) => {
      t.true(r.loss <= paper[i] + 1e-15, `${scheme} t=${times[i]}: ${r.loss} > paper ${paper[i]}`);
      t.true(Math.abs(r.referenceLoss - paper[i]) < 1e-14);
      // EW with Γ = (0, 0, 1) is an MDS code over all 9 blocks, so its optimum is never worse than MDS.
      if (scheme === 'ew') t.true(r.loss <= mds[i] * (1 + 1e-9) + 1e-15, `EW t=${times[i]}: ${r.loss} > MDS ${mds[i]}`);
    });
  }
});

test('Monte Carlo of a designed code agrees with its formula (class windows, t = 1)', async (t) => {
  const [p] = await designedMonteCarlo(PAPER_MC_SETUP, ['ew'], [1], { trials: 600, seed: 7, threads: 1, z: 3.3 });
  t.true(Math.abs(p.gamma.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  t.true(p.ciLow <= p.formula && p.formula <= p.ciHigh, `formula ${p.formula} outside [${p.ciLow}, ${p.ciHigh}]`);
});
