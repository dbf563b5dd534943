import test from 'ava';
import {
  designGamma,
  designGammaMonteCarlo,
  designLoss,
  designSweep,
  minimiseOnSimplex,
  projectToSimplex,
  receivedAtDeadline,
  simplexGrid,
  simplexGridSize,
  type DesignLatency,
  type DesignProblem,
  type DesignScheme,
} from '../src/design/index.ts';
import { PAPER_MC_SETUP, simulate } from '../src/montecarlo/index.ts';
import { PAPER_SETUP, expectedLoss, paperClassEnergies } from '../src/theory/index.ts';

const EXP: DesignLatency = { spec: { model: 'exponential', lambda: 0.25, shift: 0, paretoScale: 1, paretoShape: 2 }, K: 1 };

function fig3Problem(scheme: DesignScheme, t: number): DesignProblem {
  return { scheme, k: [1, 2, 6], energies: paperClassEnergies(), received: receivedAtDeadline(EXP, 40, t) };
}

function exhaustive(p: DesignProblem, n: number): { gamma: number[]; loss: number } {
  let best = { gamma: [] as number[], loss: Infinity };
  for (const g of simplexGrid(p.k.length, n)) {
    const loss = designLoss(p, g);
    if (loss < best.loss) best = { gamma: g, loss };
  }
  return best;
}

test('projection onto the simplex: fixed points, clipping, sum 1', (t) => {
  t.deepEqual(projectToSimplex([0.2, 0.3, 0.5]).map((v) => +v.toFixed(12)), [0.2, 0.3, 0.5]);
  t.deepEqual(projectToSimplex([2, 0, 0]), [1, 0, 0]);
  const p = projectToSimplex([0.5, 0.5, 0.5]);
  for (const v of p) t.true(Math.abs(v - 1 / 3) < 1e-12);
  const q = projectToSimplex([1, -3, 0.4]);
  t.true(Math.abs(q[0] - 0.8) < 1e-12 && q[1] === 0 && Math.abs(q[2] - 0.2) < 1e-12);
});

test('the simplex grid has C(n+L−1, L−1) distinct points, each on the simplex', (t) => {
  const pts = [...simplexGrid(3, 10)];
  t.is(pts.length, simplexGridSize(3, 10));
  t.is(pts.length, 66);
  t.is(new Set(pts.map((p) => p.join(','))).size, 66);
  for (const p of pts) t.true(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12 && p.every((v) => v >= 0));
});

test('the minimiser finds a quadratic’s minimum inside the simplex and on a face', (t) => {
  const inside = [0.17, 0.52, 0.31];
  const r = minimiseOnSimplex((x) => x.reduce((s, v, i) => s + (v - inside[i]) ** 2, 0), 3);
  r.x.forEach((v, i) => t.true(Math.abs(v - inside[i]) < 1e-5, `x[${i}] = ${v}`));
  // Unconstrained minimum (0.7, 0.6, −0.3) lies outside: the answer is its projection (0.55, 0.45, 0).
  const out = [0.7, 0.6, -0.3];
  const s = minimiseOnSimplex((x) => x.reduce((acc, v, i) => acc + (v - out[i]) ** 2, 0), 3);
  [0.55, 0.45, 0].forEach((v, i) => t.true(Math.abs(s.x[i] - v) < 1e-5, `x[${i}] = ${s.x[i]}`));
});

test('designLoss is the theory module’s expected loss at the deadline', (t) => {
  for (const scheme of ['now', 'ew'] as const) {
    const p = fig3Problem(scheme, 1);
    const ref = expectedLoss(scheme, [1, 2, 6], PAPER_SETUP.gamma, paperClassEnergies(), { W: 40, lambda: 0.25, K: 1 }, 1);
    t.true(Math.abs(designLoss(p, PAPER_SETUP.gamma) - ref) < 1e-14);
  }
});

test('L = 2: the optimum matches an exhaustive grid of step 1/400', (t) => {
  for (const scheme of ['now', 'ew'] as const) {
    for (const tmax of [0.6, 1.5]) {
      const p: DesignProblem = { scheme, k: [1, 3], energies: [10, 3], received: receivedAtDeadline(EXP, 12, tmax) };
      const d = designGamma(p);
      const grid = exhaustive(p, 400);
      t.true(d.loss <= grid.loss + 1e-12, `${scheme} t=${tmax}: optimiser ${d.loss} vs grid ${grid.loss}`);
      t.true(grid.loss - d.loss < 1e-4, `${scheme} t=${tmax}: grid ${grid.loss} far above optimiser ${d.loss}`);
      t.true(Math.abs(d.gamma[0] - grid.gamma[0]) <= 0.01, `${scheme} t=${tmax}: Γ ${d.gamma} vs grid ${grid.gamma}`);
    }
  }
});

test('L = 3 (Fig. 3 setup): the optimum matches an exhaustive grid of step 1/48', (t) => {
  for (const scheme of ['now', 'ew'] as const) {
    for (const tmax of [0.5, 1, 2]) {
      const p = fig3Problem(scheme, tmax);
      const d = designGamma(p);
      const grid = exhaustive(p, 48);
      t.true(d.loss <= grid.loss + 1e-12, `${scheme} t=${tmax}: optimiser ${d.loss} vs grid ${grid.loss}`);
      t.true(grid.loss - d.loss < 5e-3 * Math.max(grid.loss, 1e-3), `${scheme} t=${tmax}: grid ${grid.loss} vs optimiser ${d.loss}`);
      t.true(Math.abs(designLoss(p, d.gamma) - d.loss) < 1e-15);
      t.true(Math.abs(d.gamma.reduce((a, b) => a + b, 0) - 1) < 1e-9 && d.gamma.every((g) => g >= 0));
    }
  }
});

test('the paper’s Γ is never better than the optimum, and is strictly worse at t = 1', (t) => {
  for (const scheme of ['now', 'ew'] as const) {
    const rows = designSweep(
      { scheme, k: [1, 2, 6], energies: paperClassEnergies(), W: 40, latency: EXP },
      [0.25, 1, 1.7, 3],
      PAPER_SETUP.gamma,
    );
    for (const r of rows) t.true(r.loss <= r.referenceLoss + 1e-15, `${scheme} t=${r.tmax}: ${r.loss} > paper ${r.referenceLoss}`);
    const at1 = rows[1];
    t.true(at1.loss < 0.8 * at1.referenceLoss, `${scheme}: optimum ${at1.loss} vs paper ${at1.referenceLoss}`);
  }
});

test('other latency models: P_N(t) is a distribution and follows the model CDF', (t) => {
  const pareto: DesignLatency = { spec: { model: 'pareto', lambda: 1, shift: 0, paretoScale: 1, paretoShape: 2 }, K: 1 };
  t.deepEqual([...receivedAtDeadline(pareto, 5, 0.5)], [1, 0, 0, 0, 0, 0]);
  const pw = receivedAtDeadline(pareto, 5, 2); // F = 1 − 1/4
  t.true(Math.abs(pw.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  t.true(Math.abs(pw[5] - 0.75 ** 5) < 1e-12);
});

test('product windows: Monte Carlo design with common random numbers beats every grid point on the same trials', (t) => {
  const line = { scheme: 'ew', granularity: 'product' } as const;
  const o = { trials: 16, seed: 3, gridPoints: 6, tolerance: 1 / 8 };
  const d = designGammaMonteCarlo(PAPER_MC_SETUP, line, 1, o);
  const crn = (g: readonly number[]) =>
    simulate({ ...PAPER_MC_SETUP, gamma: [...g] }, [line], { trials: o.trials, seed: d.selectionSeed, times: [1] }).lines[0].byTime[0].mean;
  t.true(Math.abs(crn(d.gamma) - d.selectionLoss) < 1e-12, 'selection loss is reproducible from the recorded seed');
  for (const g of [...simplexGrid(3, 2), [...PAPER_MC_SETUP.gamma]]) t.true(d.selectionLoss <= crn(g) + 1e-12, `Γ ${g}`);
  t.true(d.loss.low <= d.loss.mean && d.loss.mean <= d.loss.high);
});
