import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitLatency } from '../experiments/fit-latency.ts';
import { matmul } from '../experiments/matmul.ts';
import { exponential, gamma, makeLatency, type LatencyModel } from '../src/coded-backprop/latency.ts';
import { OptionError } from '../src/config/index.ts';
import { classEnergiesOfSetup, classSizesOfSetup, PAPER_MC_SETUP } from '../src/montecarlo/index.ts';
import { expectedLossAtProbability } from '../src/theory/index.ts';
import { parseCsv } from '../src/util/csv.ts';
import { Rng } from '../src/util/rng.ts';
import { useTempDir } from './helpers/io.ts';

const dir = useTempDir('fit-latency-cli-');

/** A trace of `tasks` tasks whose per-worker times are the model's draws / K × unit (ms); the slowest `censorAbove` never reply. */
async function writeTrace(path: string, model: LatencyModel, tasks: number, o: { K?: number; unitMs?: number; seed?: number; censorAbove?: number } = {}): Promise<void> {
  const { K = 1, unitMs = 50, seed = 1, censorAbove = Infinity } = o;
  const rng = new Rng(seed);
  const lines = ['step,product,worker,dispatched_ms,replied_ms,in_time'];
  for (let i = 0; i < tasks; i++) {
    const step = Math.floor(i / 15);
    const d = step * 1000 + (i % 15) * 0.05;
    const ms = (model.sample(rng) / K) * unitMs;
    lines.push(ms > censorAbove ? `${step},0,${i % 15},${d.toFixed(3)},,0` : `${step},0,${i % 15},${d.toFixed(3)},${(d + ms).toFixed(3)},1`);
  }
  await writeFile(path, lines.join('\n') + '\n');
}

test('end to end on a synthetic Gamma trace: Gamma is best, its parameters are recovered, CSVs, sidecar and plot written', async (t) => {
  const out = join(dir(), 'gamma');
  const file = join(dir(), 'gamma-trace.csv');
  await writeTrace(file, gamma(2.5, 0.8), 3000, { seed: 3 });
  const lines: string[] = [];
  const written = await fitLatency(['--trace', file, '--out', out, '--tmax', '1,3'], (l) => lines.push(l));
  t.deepEqual(
    written.map((p) => p.slice(out.length + 1)),
    ['fit-latency.csv', 'fit-latency-theory.csv', 'fit-latency.json', 'fit-latency.svg', 'fit-latency.png'],
  );
  const text = lines.join('\n');
  t.regex(text, /3000 tasks, 3000 replied in time, 0 late, 0 never replied/);
  t.regex(text, /time unit 50 ms \(default\), recorded K 1 \(default\)/);
  t.regex(text, /gamma .*--latency gamma --gamma-shape [\d.]+ --lambda [\d.]+ {3}← best \(smallest KS\)/);
  const fits = parseCsv(await readFile(join(out, 'fit-latency.csv'), 'utf8'));
  t.deepEqual(fits.map((r) => r.model), ['exponential', 'shifted-exponential', 'pareto', 'gamma']);
  const g = fits.find((r) => r.model === 'gamma')!;
  t.is(g.best, 1);
  t.true(Math.abs(Number(g.gamma_shape) - 2.5) < 0.2, `k ${g.gamma_shape}`);
  t.true(Math.abs(Number(g.lambda) - 0.8) < 0.07, `λ ${g.lambda}`);
  t.true(Number(g.ks) < 0.03);
  t.true(fits.every((r) => r.model === 'gamma' || Number(r.ks) > Number(g.ks)));

  // theory: Th. 1 on the Fig. 3 setup at F = each CDF at K·T_max (K = 1)
  const theory = parseCsv(await readFile(join(out, 'fit-latency-theory.csv'), 'utf8'));
  t.deepEqual(theory.map((r) => `${r.tmax}/${r.scheme}`), ['1/now', '1/ew', '1/mds', '3/now', '3/ew', '3/mds']);
  const k = classSizesOfSetup(PAPER_MC_SETUP);
  const E = classEnergiesOfSetup(PAPER_MC_SETUP);
  const fitted = gamma(Number(g.gamma_shape), Number(g.lambda));
  for (const r of theory) {
    const F = fitted.cdf(Number(r.tmax));
    t.true(Math.abs(Number(r.F_best_fit) - F) < 1e-12);
    t.true(Math.abs(Number(r.loss_best_fit) - expectedLossAtProbability(r.scheme as 'ew', k, [0.35, 0.35, 0.3], E, 40, F)) < 1e-12);
    t.true(Math.abs(Number(r.loss_trace) - Number(r.loss_best_fit)) < 0.05, `${r.tmax}/${r.scheme}: trace ${r.loss_trace} vs fit ${r.loss_best_fit}`);
  }
  const pool = makeLatency({ model: `trace-pool:${file}`, lambda: 1, shift: 0, paretoScale: 1, paretoShape: 2 });
  t.is(Number(theory[0].F_trace), pool.cdf(1));
  const side = JSON.parse(await readFile(join(out, 'fit-latency.json'), 'utf8'));
  t.is(side.best.model, 'gamma');
  t.is(side.trace.file, 'gamma-trace.csv');
  t.regex(await readFile(join(out, 'fit-latency.svg'), 'utf8'), /^<svg/);
});

test('a train run directory: time unit and K from its config.json give back the single-worker λ; censored tasks are reported', async (t) => {
  const run = join(dir(), 'run');
  const file = join(run, 'trace.csv');
  await mkdir(run, { recursive: true });
  // per-worker times T/K with K = 9/15, injected at 20 ms per unit; tasks over 200 ms never replied
  await writeTrace(file, exponential(0.5), 2000, { K: 9 / 15, unitMs: 20, seed: 4, censorAbove: 200 });
  await writeFile(join(run, 'config.json'), JSON.stringify({ command: 'train', argv: ['--runtime', 'threads', '--time-unit-ms=20'], coded: { K: 9 / 15 }, options: { sites: null } }));
  const lines: string[] = [];
  await fitLatency(['--trace', file, '--out', join(dir(), 'run-out'), '--k', '0.6'], (l) => lines.push(l));
  const text = lines.join('\n');
  t.regex(text, /time unit 20 ms \(config\.json\), recorded K 0\.6 \(argument\)/);
  const censored = Number(/(\d+) never replied/.exec(text)![1]);
  // P(T/K·20 > 200) = P(T > 6) = e^{−3} ≈ 5%
  t.true(Math.abs(censored / 2000 - Math.exp(-3)) < 0.015, `censored ${censored}`);
  t.regex(text, new RegExp(`${censored} late or never-replied tasks right-censored at their deadline \\(c = 5\\.\\d+\\)`));
  // the censored likelihood gives back λ = 0.5 (the replied tasks alone, truncated at T = 6, would suggest more)
  const lambda = Number(/--latency exponential --lambda ([\d.]+)/.exec(text)![1]);
  t.true(Math.abs(lambda - 0.5) < 0.04, `λ ${lambda}`);
  const full = join(dir(), 'full');
  await mkdir(full, { recursive: true });
  await writeTrace(join(full, 'trace.csv'), exponential(0.5), 4000, { K: 9 / 15, unitMs: 20, seed: 5 });
  await writeFile(join(full, 'config.json'), JSON.stringify({ argv: ['--time-unit-ms', '20'], coded: { K: 9 / 15 } }));
  const l2: string[] = [];
  await fitLatency(['--trace', join(full, 'trace.csv'), '--out', join(dir(), 'full-out')], (l) => l2.push(l));
  const lambda2 = Number(/--latency exponential --lambda ([\d.]+)/.exec(l2.join('\n'))![1]);
  t.true(Math.abs(lambda2 - 0.5) < 0.03, `λ ${lambda2}`);
});

test('bad input stops the commands naming the flag: --trace missing or absent, --latency trace-pool:missing.csv', async (t) => {
  await t.throwsAsync(fitLatency(['--out', join(dir(), 'x')], () => undefined), { instanceOf: OptionError, message: /^trace: required/ });
  const e = await t.throwsAsync(fitLatency(['--trace', join(dir(), 'nope.csv'), '--out', join(dir(), 'x')], () => undefined), { instanceOf: OptionError });
  t.regex(e!.flagMessage, /^--trace: trace-pool: no trace file .*nope\.csv/);
  const m = await t.throwsAsync(matmul(['--latency', 'trace-pool:missing.csv', '--trials', '5'], () => undefined), { instanceOf: OptionError });
  t.regex(m!.flagMessage, /^--latency: trace-pool: no trace file missing\.csv \(valid: exponential, shifted-exponential, pareto, gamma, trace-pool:FILE, trace:FILE\)/);
});
