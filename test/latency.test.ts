import test from 'ava';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { confidenceInterval } from '../src/util/stats.ts';
import { LATENCY_DEFS, LATENCY_MODELS, makeLatency, receivedBy, workerTimes, exponential, type LatencyModelDef, type LatencyParams } from '../src/coded-backprop/latency.ts';
import { classEnergies, expectedLossAtProbability, paperClassTable } from '../src/theory/index.ts';
import { Rng } from '../src/util/rng.ts';
import { runMatmulTrials } from '../src/workloads/matmul-trials.ts';

const PARAMS: LatencyParams = { lambda: 0.25, shift: 0.3, paretoScale: 0.5, paretoShape: 1.5, gammaShape: 1.7 };

// Models taking an argument (trace-pool:FILE) are tested in test/latency-trace.test.ts.
for (const def of (LATENCY_DEFS as readonly LatencyModelDef[]).filter((d) => !d.arg)) {
  const model = def.create(PARAMS);
  test(`${model.name}: samples follow the model's CDF (Kolmogorov–Smirnov)`, (t) => {
    const rng = new Rng(4);
    const n = 20000;
    const xs = Float64Array.from({ length: n }, () => model.sample(rng)).sort();
    let d = 0;
    xs.forEach((x, i) => (d = Math.max(d, Math.abs(model.cdf(x) - (i + 1) / n), Math.abs(model.cdf(x) - i / n))));
    // 99.9% critical value of the KS statistic ≈ 1.95/√n
    t.true(d < 1.95 / Math.sqrt(n), `KS distance ${d}`);
  });

  test(`${def.name}: its check rejects each parameter it reads, naming it, and ignores the others`, (t) => {
    t.true(def.params.length > 0);
    for (const key of def.params) {
      const bad = { ...PARAMS, [key]: key === 'shift' ? -1 : 0 };
      t.throws(() => makeLatency({ model: def.name as 'pareto', ...bad }), { message: new RegExp(`^${key}: `) });
    }
    for (const key of Object.keys(PARAMS) as (keyof LatencyParams)[]) {
      if (!(def.params as readonly string[]).includes(key)) t.notThrows(() => def.check({ ...PARAMS, [key]: NaN }));
    }
  });
}

test('the model names come from the registry, and an unknown one is named in the error', (t) => {
  t.deepEqual([...LATENCY_MODELS], LATENCY_DEFS.map((d) => d.name));
  t.throws(() => makeLatency({ model: 'weibull' as 'pareto', ...PARAMS }), { message: /^latency: must be one of exponential, shifted-exponential, pareto/ });
});

test('the exponential model keeps its sampler: the same seed gives the same times as Rng.exponential', (t) => {
  const a = workerTimes(makeLatency({ model: 'exponential', ...PARAMS }), 5, 2, new Rng(9));
  const rng = new Rng(9);
  t.deepEqual([...a], Array.from({ length: 5 }, () => rng.exponential(0.25) / 2));
});

test('worker times scale as F(K·t) and arrive in time order', (t) => {
  const model = exponential(0.5);
  const K = 9 / 15;
  const times = workerTimes(model, 50000, K, new Rng(2));
  const tmax = 1;
  const frac = times.filter((x) => x < tmax).length / times.length;
  t.true(Math.abs(frac - model.cdf(K * tmax)) < 0.01, `${frac} vs ${model.cdf(K * tmax)}`);
  const got = receivedBy(Float64Array.from([0.3, 2, 0.1, 0.5]), 0.6);
  t.deepEqual(got, [2, 0, 3]);
});

test('theory for any latency model (Pareto): the Monte Carlo of the real EW code agrees within its 99% CI', (t) => {
  const opts = resolveCodedOptions({
    scheme: 'ew',
    tmax: 1,
    workers: 40,
    K: 1,
    gamma: [0.35, 0.35, 0.3],
    latency: { model: 'pareto', paretoScale: 0.8, paretoShape: 1.2 },
  });
  const spec = { U: 5, M: 100, Q: 5, varA: [10, 1, 0.1], varB: [10, 1, 0.1] };
  const r = runMatmulTrials(spec, opts, 600, 'f64', new Rng(8));
  const energies = classEnergies({ ...spec, classTable: paperClassTable() });
  const theory = expectedLossAtProbability('ew', [1, 2, 6], opts.gamma, energies, 40, opts.latency.cdf(1));
  const { halfWidth } = confidenceInterval(r.loss, 2.576);
  t.true(Math.abs(r.loss.mean - theory) <= halfWidth, `MC ${r.loss.mean} ± ${halfWidth} vs theory ${theory}`);
});
