/**
 * Unbiased decoding (--estimate unbiased): P(block recovered by T_max) from the theory against a
 * Monte Carlo of the code's plans, E[Ĉ] = C over many draws with A and B fixed (each block's mean
 * within 3 standard errors), blocks below the floor left unscaled, and the refusals.
 */
import test from 'ava';
import { codedMatMulF64, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { monteCarloProbabilities, recoveryProbabilities } from '../src/coded-backprop/unbiased.ts';
import { OptionError } from '../src/config/index.ts';
import { gaussian } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';

const base = { tmax: 1, lambda: 0.5 } as const;

test('P(recovered) from the theory agrees with a Monte Carlo of the real plans (4000 plans, 4 SE)', (t) => {
  for (const o of [
    { scheme: 'ew', granularity: 'class' },
    { scheme: 'now', granularity: 'class' },
    { scheme: 'mds' },
    { scheme: 'sysmds' },
    { scheme: 'product' },
    { scheme: 'rep' },
  ]) {
    const opts = resolveCodedOptions({ ...base, ...o, latency: { lambda: 0.5 } });
    const th = recoveryProbabilities(opts);
    t.is(th.source, 'theory');
    const mc = monteCarloProbabilities(opts);
    th.probability.forEach((p, b) => {
      const q = mc.probability[b];
      const se = Math.sqrt(Math.max(p * (1 - p), 1e-6) / mc.plans);
      t.true(Math.abs(p - q) <= 4 * se + 1e-9, `${o.scheme} block ${b}: theory ${p} vs MC ${q}`);
    });
  }
  const prod = resolveCodedOptions({ ...base, scheme: 'ew', granularity: 'product', estimate: 'unbiased' });
  t.is(prod.unbiased?.source, 'monte-carlo', 'no formula for product windows');
});

/** s_b = ⟨Ĉ_b, C_b⟩/‖C_b‖² per trial for each block (Ĉ_b is 0, C_b or C_b/P_b), in original order (ordering none). */
function blockShares(scheme: string, granularity: string, tmax: number, trials: number, floor?: number) {
  const rng = new Rng(17);
  const A = gaussian(9, 8, rng, () => 1);
  const B = gaussian(8, 6, rng, () => 1);
  const C = new Float64Array(9 * 6);
  for (let i = 0; i < 9; i++) for (let j = 0; j < 6; j++) for (let k = 0; k < 8; k++) C[i * 6 + j] += A.data[i * 8 + k] * B.data[k * 6 + j];
  const opts = resolveCodedOptions({ scheme, granularity, tmax, latency: { lambda: 0.5 }, ordering: 'none', estimate: 'unbiased', ...(floor ? { estimateFloor: floor } : {}) });
  const sum = new Float64Array(9);
  const sq = new Float64Array(9);
  const values = Array.from({ length: 9 }, () => new Set<number>());
  for (let k = 0; k < trials; k++) {
    const r = codedMatMulF64(A, B, opts, new Rng(1000 + k));
    for (let b = 0; b < 9; b++) {
      const i = Math.floor(b / 3);
      const j = b % 3;
      let dot = 0;
      let nn = 0;
      for (let x = 0; x < 3; x++) for (let y = 0; y < 2; y++) {
        const e = (i * 3 + x) * 6 + j * 2 + y;
        dot += r.C.data[e] * C[e];
        nn += C[e] * C[e];
      }
      const s = dot / nn;
      sum[b] += s;
      sq[b] += s * s;
      values[b].add(Number(s.toPrecision(8)));
    }
  }
  return { opts, mean: Array.from(sum, (s) => s / trials), se: Array.from(sq, (q, b) => Math.sqrt((q / trials - (sum[b] / trials) ** 2) / trials)), values };
}

test('unbiased: the mean of Ĉ over 3000 draws (A, B fixed) is C within 3 SE for every rescaled block; each Ĉ_b is 0 or C_b/P_b', (t) => {
  for (const [scheme, granularity, tmax] of [['ew', 'class', 1.5], ['sysmds', 'class', 1], ['product', 'class', 2], ['uncoded', 'class', 1]] as const) {
    const { opts, mean, se, values } = blockShares(scheme, granularity, tmax, 3000);
    const u = opts.unbiased!;
    let rescaled = 0;
    mean.forEach((m, b) => {
      const p = u.probability[b];
      if (p < u.floor) return;
      rescaled++;
      t.true(Math.abs(m - 1) <= 3 * se[b] + 1e-12, `${scheme} block ${b} (P = ${p.toFixed(4)}): mean ${m.toFixed(4)} ± ${se[b].toFixed(4)}`);
      for (const v of values[b]) t.true(v === 0 || Math.abs(v - 1 / p) < 1e-6 * (1 / p), `${scheme} block ${b}: value ${v}`);
    });
    t.true(rescaled >= 1, `${scheme}: some block rescaled`);
  }
});

test('below the floor a block is not rescaled (biased: mean P_b, values 0 or C_b); the plain estimate is biased alike', (t) => {
  // EW at T_max 0.3: the least important class is recovered rarely
  const { opts, mean, se, values } = blockShares('ew', 'class', 0.3, 2000, 0.2);
  const u = opts.unbiased!;
  const low = u.probability.map((p, b) => [p, b] as const).filter(([p]) => p < 0.2);
  t.true(low.length > 0, `some block below the floor: ${u.probability.map((p) => p.toFixed(3)).join(', ')}`);
  for (const [p, b] of low) {
    t.is(u.scale[b], 1);
    t.true(Math.abs(mean[b] - p) <= 3 * se[b] + 3 / 2000, `block ${b}: mean ${mean[b]} vs P ${p}`);
    for (const v of values[b]) t.true(v === 0 || Math.abs(v - 1) < 1e-9);
  }
});

test('refusals name --estimate / --estimate-floor', (t) => {
  const cases: [Parameters<typeof resolveCodedOptions>[0], string, RegExp][] = [
    [{ scheme: 'bacc', tmax: 1, rowBlocks: 9, colBlocks: 1, levels: 1, estimate: 'unbiased' }, 'estimate', /exact-or-missing/],
    [{ scheme: 'ew', tmax: 1, partition: 'cxr', estimate: 'unbiased' }, 'estimate', /r×c/],
    [{ scheme: 'ew', tmax: 1, latency: { model: 'shifted-exponential', shift: 2 }, estimate: 'unbiased' }, 'estimate', /P\(recovered\) = 0/],
    [{ scheme: 'ew', tmax: 1, estimate: 'unbiased', estimateFloor: 0 }, 'estimateFloor', /\(0, 1\]/],
    [{ scheme: 'ew', tmax: 1, estimate: 'biased' }, 'estimate', /plain, unbiased/],
  ];
  for (const [o, key, pattern] of cases) {
    const err = t.throws<OptionError>(() => resolveCodedOptions(o), { instanceOf: OptionError });
    t.is(err?.key, key, JSON.stringify(o));
    t.regex(err?.message ?? '', pattern, JSON.stringify(o));
  }
});

test('matmul --fixed-matrices: per-class bias within 3× its noise level under unbiased decoding (above the floor), and the floor reported', async (t) => {
  const { matmul } = await import('../experiments/matmul.ts');
  const lines: string[] = [];
  await matmul(['--scheme', 'sysmds', '--workers', '15', '--tmax', '1', '--estimate', 'unbiased', '--fixed-matrices', '--trials', '1500', '--U', '2', '--M', '10', '--Q', '2', '--seed', '3'], (l) => lines.push(l));
  t.true(lines.some((l) => /unbiased decoding: floor 0\.05; P\(recovered\) from the theory/.test(l)));
  const classes = lines.filter((l) => /^ {2}class \d: bias/.test(l)).map((l) => l.match(/bias ([\d.]+) \(noise ([\d.]+)\), variance ([\d.]+)/)!.slice(1).map(Number));
  t.is(classes.length, 3);
  for (const [bias, noise] of classes) t.true(bias <= 3 * noise + 1e-4, `bias ${bias} vs noise ${noise}`);
  const { cliMessage } = await import('./helpers/cli-message.ts');
  t.regex(cliMessage(await t.throwsAsync(matmul(['--scheme', 'bacc', '--row-blocks', '9', '--col-blocks', '1', '--variances', '1', '--gamma', '1', '--estimate', 'unbiased', '--trials', '2'], () => undefined))), /^--estimate: unbiased is for exact-or-missing codes/);
});

test('training: --estimate unbiased is recorded in config.json (coded) and refused with --design auto or the surrogate', async (t) => {
  const { resolveTrainConfig } = await import('../src/training/train-config.ts');
  const cfg = resolveTrainConfig({ scheme: 'ew', tmax: 0.5, estimate: 'unbiased' });
  t.true(cfg.coded !== 'baseline' && cfg.coded.unbiased !== undefined);
  const { codedRecord } = await import('../src/training/run-record.ts');
  const rec = codedRecord(cfg.coded as Exclude<typeof cfg.coded, 'baseline'>) as { estimate?: string; unbiased?: { floor: number; source: string } };
  t.is(rec.estimate, 'unbiased');
  t.deepEqual([rec.unbiased?.floor, rec.unbiased?.source], [0.05, 'theory']);
  const plain = resolveTrainConfig({ scheme: 'ew', tmax: 0.5 });
  t.false('estimate' in codedRecord(plain.coded as Exclude<typeof plain.coded, 'baseline'>), 'plain runs keep their old record');
  t.is(t.throws<OptionError>(() => resolveTrainConfig({ scheme: 'ew', estimate: 'unbiased', trainDesign: 'auto' }))?.key, 'estimate');
  t.is(t.throws<OptionError>(() => resolveTrainConfig({ scheme: 'ew', estimate: 'unbiased', decoder: 'surrogate' }))?.key, 'decoder');
  t.is(t.throws<OptionError>(() => resolveTrainConfig({ scheme: 'bacc', decoder: 'surrogate' }))?.key, 'decoder');
});
