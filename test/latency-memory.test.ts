/**
 * The latency models with memory (markov, hetero, correlated): their calls' marginal is the law
 * they state (KS), markov's transition rates are its parameters, the same seed replays the same
 * sequence, and bad arguments name --latency with the valid values.
 */
import test from 'ava';
import { LATENCY_DEFS, makeLatency, type LatencyModel, type LatencyModelDef, type LatencySpec } from '../src/coded-backprop/latency.ts';
import { MarkovWorkers, parseMarkovArg } from '../src/coded-backprop/latency/markov.ts';
import { resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { Rng } from '../src/util/rng.ts';

const BASE = { lambda: 0.5, shift: 0, paretoScale: 1, paretoShape: 2 };
/** An argument for each model with memory (the conformance below runs over the registry's list). */
const ARGS: Record<string, string> = {
  markov: 'a=0.05,b=0.2,s=6',
  hetero: 'gamma=2',
  correlated: 'q=0.3,f=0.5,s=8',
  bursts: 'data/traces/aws.csv',
};
/**
 * Kolmogorov–Smirnov distance of a sorted sample from a CDF that may have atoms (bursts: empirical
 * times): both sides compared right-continuously at each distinct value, and just below it.
 */
function ks(sorted: Float64Array, cdf: (t: number) => number): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    const x = sorted[i];
    d = Math.max(d, Math.abs(cdf(x) - (j + 1) / n), Math.abs(cdf(x - Math.abs(x) * 1e-12) - i / n));
    i = j;
  }
  return d;
}
const stateful = (LATENCY_DEFS as readonly LatencyModelDef[]).filter((d) => d.stateful);
const model = (name: string, arg: string, seed = 7): LatencyModel => makeLatency({ ...BASE, model: `${name}:${arg}`, seed } as LatencySpec);

test('every stateful model in the registry has a test argument here', (t) => {
  t.deepEqual(stateful.map((d) => d.name).sort(), Object.keys(ARGS).sort());
});

for (const def of stateful) {
  const arg = ARGS[def.name];
  test(`${def.name}: one call at each of many sites, and sample(), follow the stated marginal (KS)`, (t) => {
    const m = model(def.name, arg);
    const n = 8000;
    // independent sites (own streams): i.i.d. draws of the marginal even for within-call dependence
    const xs = Float64Array.from({ length: n }, (_, s) => m.callTimes!(s, 1)[0]).sort();
    const crit = 1.95 / Math.sqrt(n); // 99.9% KS critical value
    t.true(ks(xs, m.cdf) < crit, `callTimes KS ${ks(xs, m.cdf)}`);
    const rng = new Rng(3);
    const ys = Float64Array.from({ length: n }, () => m.sample(rng)).sort();
    t.true(ks(ys, m.cdf) < crit, `sample KS ${ks(ys, m.cdf)}`);
  });

  test(`${def.name}: the same seed replays the same calls at every site; another seed does not`, (t) => {
    const run = (seed: number) => {
      const m = model(def.name, arg, seed);
      const out: number[] = [];
      for (let c = 0; c < 30; c++) for (let s = 0; s < 6; s++) out.push(...m.callTimes!(s, 9));
      return out;
    };
    t.deepEqual(run(11), run(11));
    t.notDeepEqual(run(11), run(12));
  });
}

test('hetero lognormal=σ: a call of many workers follows the quadrature marginal (KS)', (t) => {
  const m = model('hetero', 'lognormal=0.8');
  const xs = Float64Array.from(m.callTimes!(0, 8000)).sort();
  t.true(ks(xs, m.cdf) < 1.95 / Math.sqrt(8000), `${ks(xs, m.cdf)}`);
});

test('markov: after 60 calls a site of 6000 workers is still at the stationary marginal (KS)', (t) => {
  const m = model('markov', 'a=0.1,b=0.05,s=4');
  let last: Float64Array = new Float64Array();
  for (let c = 0; c < 60; c++) last = m.callTimes!(0, 6000);
  const xs = Float64Array.from(last).sort();
  t.true(ks(xs, m.cdf) < 1.95 / Math.sqrt(6000), `${ks(xs, m.cdf)}`);
});

test('markov: empirical transition rates match a and b; the slow share is a/(a+b)', (t) => {
  const a = 0.07;
  const b = 0.3;
  const chain = new MarkovWorkers({ a, b }, new Rng(5));
  chain.ensure(500);
  const counts = { fast: 0, fs: 0, slow: 0, sf: 0, slowSeen: 0, seen: 0 };
  for (let c = 0; c < 400; c++) {
    const before = [...chain.slow];
    chain.step();
    before.forEach((s, w) => {
      if (s) {
        counts.slow++;
        if (!chain.slow[w]) counts.sf++;
      } else {
        counts.fast++;
        if (chain.slow[w]) counts.fs++;
      }
      counts.slowSeen += s;
      counts.seen++;
    });
  }
  const within = (k: number, n: number, p: number) => Math.abs(k / n - p) < 4 * Math.sqrt((p * (1 - p)) / n);
  t.true(within(counts.fs, counts.fast, a), `fast→slow ${counts.fs / counts.fast} vs ${a}`);
  t.true(within(counts.sf, counts.slow, b), `slow→fast ${counts.sf / counts.slow} vs ${b}`);
  // the share is correlated over calls: a loose bound (20 % relative)
  t.true(Math.abs(counts.slowSeen / counts.seen - a / (a + b)) < 0.2 * (a / (a + b)));
});

test('markov: share=,run= gives b = 1/run and a = share·b/(1 − share)', (t) => {
  const p = parseMarkovArg('share=0.2,run=10,s=5');
  t.is(p.b, 0.1);
  t.true(Math.abs(p.a - 0.025) < 1e-12);
});

test('hetero: a worker keeps its rate across calls (rates= list: worker 0 fast, worker 1 slow)', (t) => {
  const m = model('hetero', 'rates=10/0.1');
  let s0 = 0;
  let s1 = 0;
  for (let c = 0; c < 400; c++) {
    const [x, y] = m.callTimes!(0, 2);
    s0 += x;
    s1 += y;
  }
  // means 1/(λ·r): 0.2 and 20
  t.true(Math.abs(s0 / 400 - 0.2) < 0.04 && Math.abs(s1 / 400 - 20) < 4, `${s0 / 400} ${s1 / 400}`);
  t.throws(() => resolveCodedOptions({ scheme: 'uncoded', tmax: 1, latency: { model: 'hetero:rates=1/2' } }), { message: /^latency: hetero:rates= needs one speed factor per worker: 9 \(got 2\)/ });
});

test('correlated: workers of one call are late together (positive correlation of the slow counts)', (t) => {
  const m = model('correlated', 'q=0.2,f=0.8,s=20');
  const W = 10;
  let both = 0;
  let first = 0;
  const calls = 4000;
  const thr = 5; // Exp(0.5) exceeds 5 with prob e^{-2.5} ≈ 0.08; a slowed one with prob ≈ 0.88
  for (let c = 0; c < calls; c++) {
    const x = m.callTimes!(0, W);
    if (x[0] > thr) {
      first++;
      if (x[1] > thr) both++;
    }
  }
  const pLate = m.cdf(thr);
  const marginalLate = 1 - pLate;
  // independent workers would give P(1 late | 0 late) = P(late); here it is far larger
  t.true(both / first > 2 * marginalLate, `${both / first} vs ${marginalLate}`);
});

test('bad arguments name --latency and the valid values', (t) => {
  const bad = (model: string, re: RegExp) => t.throws(() => resolveCodedOptions({ scheme: 'ew', tmax: 1, latency: { model: model as 'markov' } }), { message: re });
  bad('markov:a=1.5,b=0.2,s=5', /^latency: markov: a must be a probability in \[0, 1\]/);
  bad('markov:a=0.1,b=-0.1,s=5', /^latency: markov: b must be a probability in \[0, 1\]/);
  bad('markov:a=0,b=0,s=5', /a \+ b must be > 0/);
  bad('markov:a=0.1,b=0.2', /^latency: markov needs s=/);
  bad('markov:a=0.1,b=0.2,s=5,law=weibull', /law must be one of exponential, shifted-exponential, pareto, gamma/);
  bad('markov:x=1', /unknown parameter 'x' \(valid keys: a, b, s, share, run, law\)/);
  bad('correlated:q=2,f=0.5,s=3', /^latency: correlated: q must be a probability in \[0, 1\]/);
  bad('hetero:gamma=0', /^latency: hetero: gamma must be a Gamma shape/);
  bad('markov', /markov needs its a=A,b=B,s=S/);
  // the state lives per r×c product site: the c×r partition refuses these models, and assignment policies
  t.throws(() => resolveCodedOptions({ scheme: 'ew', tmax: 1, partition: 'cxr', latency: { model: 'markov:a=0.1,b=0.2,s=5' } }), { message: /^latency: markov keeps a state per product site and worker: it runs on the r×c partition/ });
  t.throws(() => resolveCodedOptions({ scheme: 'ew', tmax: 1, partition: 'cxr', assign: 'adaptive' }), { message: /^assign: 'adaptive' is for the r×c partition/ });
});

test('every latency model whose argument is a FILE says which file it names (queued jobs are checked against --allow-dir by it)', (t) => {
  for (const def of LATENCY_DEFS as readonly LatencyModelDef[]) {
    if (!def.arg) continue;
    if (/FILE/.test(def.arg.placeholder)) t.is(typeof def.arg.file, 'function', def.name);
    else t.is(def.arg.file, null, def.name);
  }
});
