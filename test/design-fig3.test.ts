import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fig3 } from '../experiments/fig3.ts';
import { parseCsv } from '../src/util/csv.ts';
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

test('fig3 --design: designed envelope rows below the paper-Γ formula, MC points, Γ file, crossings in the sidecar', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'fig3-design-'));
  try {
    const args = ['--design', '--design-times', '1', '--trials', '120', '--threads', '1', '--no-progress'];
    args.push('--times', '0:3:0.25', '--schemes', 'ew,mds', '--granularities', 'class', '--out', out);
    const written = await fig3(args, () => undefined);
    t.true(written.some((p) => p.endsWith('fig3-design.csv')));
    const rows = parseCsv(await readFile(join(out, 'fig3.csv'), 'utf8'));
    const theory = new Map(rows.filter((r) => r.method === 'theory' && r.scheme === 'ew').map((r) => [r.t, Number(r.normalized_loss)]));
    const designed = rows.filter((r) => r.method === 'theory-designed');
    t.is(designed.length, 13);
    for (const r of designed) t.true(Number(r.normalized_loss) <= theory.get(r.t)! + 1e-15, `t=${r.t}`);
    const mc = rows.filter((r) => r.method === 'montecarlo-designed');
    t.is(mc.length, 1);
    t.true(Number(mc[0].ci_low) <= Number(mc[0].ci_high));
    const gammas = parseCsv(await readFile(join(out, 'fig3-design.csv'), 'utf8'));
    t.is(gammas.length, 13);
    for (const g of gammas) t.true(Math.abs(Number(g.gamma_1) + Number(g.gamma_2) + Number(g.gamma_3) - 1) < 1e-6);
    const side = JSON.parse(await readFile(join(out, 'fig3.json'), 'utf8'));
    const [c] = side.design.crossingWithMds;
    t.is(c.scheme, 'ew');
    t.true(c.reference > 1.7 && c.reference < 1.85, `paper-Γ crossing ${c.reference}`);
    t.is(c.designed, null); // EW with Γ = (0, 0, 1) is MDS: the designed curve never loses to it
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
