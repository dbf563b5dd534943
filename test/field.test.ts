/**
 * `npm run field` (issue 22): the training sweep's variants (names, the options that make them,
 * each code's W and grid as trained), the grouping of finished runs into the figure's cells, and
 * the matrix-level setups (every code resolves on its grid with its Table III W).
 */
import test from 'ava';
import { FIELD_VARIANTS, planFieldSweep, variantOfRun } from '../src/training/field-sweep.ts';
import { fieldCells, fieldLabel } from '../src/training/field-draw.ts';
import type { RunData } from '../src/training/fig6-runs.ts';
import { fieldSetups } from '../src/figures/field.ts';
import { getCode } from '../src/coded-backprop/index.ts';
import { resolveLine, gridOf } from '../src/montecarlo/index.ts';

test('the field sweep: 8 variants × T_max × seeds, unique resumable names, each run resolved as the variant says', (t) => {
  const plan = planFieldSweep(FIELD_VARIANTS, { tmaxes: [0.5, 2], seeds: [1, 2], common: { epochs: 1, limit: 64 } });
  t.is(plan.length, 8 * 2 * 2);
  t.is(new Set(plan.map((r) => r.name)).size, plan.length);
  const byName = new Map(plan.map((r) => [r.name, r]));
  const cfg = (name: string) => byName.get(name)!.resolved;
  t.is(cfg('ew-design-tmax0.5-seed1').scheme, 'ew');
  t.not(cfg('ew-design-tmax0.5-seed1').design, null, 'designed Γ: --design auto');
  t.is(cfg('ew-tmax0.5-seed1').design, null);
  const unbiased = cfg('ew-unbiased-tmax2-seed2').coded;
  t.true(unbiased !== 'baseline' && unbiased.estimate === 'unbiased' && unbiased.unbiased?.source === 'theory');
  t.true(byName.get('ew-unbiased-tmax2-seed2')!.args.join(' ').includes('--estimate unbiased'), 'the run process gets the flag');
  const W = (name: string) => cfg(name).workers;
  t.deepEqual([W('uncoded-tmax2-seed1'), W('sysmds-tmax2-seed1'), W('product-tmax2-seed1'), W('bacc-tmax2-seed1')], [9, 15, 16, 15]);
  const bacc = cfg('bacc-tmax2-seed1').coded;
  t.true(bacc !== 'baseline' && bacc.grid.N === 9 && bacc.grid.P === 1, 'BACC trains on 9×1');
  t.is(variantOfRun('ew-design-tmax1-seed3')?.key, 'ew-design');
  t.is(variantOfRun('ew-tmax1-seed3')?.key, 'ew');
  t.is(variantOfRun('ew-unbiased-tmax0.25-seed1')?.key, 'ew-unbiased');
  t.is(variantOfRun('baseline-seed1'), undefined);
});

test('finished runs group into (variant, T_max) cells with min and max over the seeds; labels state W and K', (t) => {
  const run = (name: string, tmax: number, seed: number, acc: number, workers: number, K: number) =>
    ({ name, tmax, seed, scheme: 'ew', options: { workers, K }, result: { finalTestAccuracy: acc } }) as unknown as RunData;
  const cells = fieldCells([
    run('ew-tmax1-seed1', 1, 1, 0.8, 15, 0.6),
    run('ew-tmax1-seed2', 1, 2, 0.7, 15, 0.6),
    run('ew-design-tmax1-seed1', 1, 1, 0.9, 15, 0.6),
    run('uncoded-tmax1-seed1', 1, 1, 0.5, 9, 1),
  ]);
  t.deepEqual(cells.map((c) => [c.variant.key, c.accuracies]), [['uncoded', [0.5]], ['ew', [0.8, 0.7]], ['ew-design', [0.9]]]);
  t.is(fieldLabel(cells[1]), 'EW-UEP (W = 15, K = 0.6)');
});

test('matrix-level setups: every code resolves on its grid with its own Table III W (product 16 on 3×3, BACC only on 9×1)', (t) => {
  const [sq, oneD] = fieldSetups();
  t.false(oneD.schemes.includes('product'), 'the product code needs N, P ≥ 2');
  t.false(sq.schemes.includes('bacc'), 'BACC is 1-D');
  for (const fs of [sq, oneD]) {
    const { N, P } = gridOf(fs.setup);
    for (const scheme of fs.schemes) {
      const W = getCode(scheme).defaultWorkers({ N, P, levels: 3, classSizes: [] });
      const o = resolveLine({ ...fs.setup, workers: W, K: (N * P) / W }, { scheme, granularity: 'class' });
      t.is(o.workers, W, `${fs.key} ${scheme}`);
      t.is(o.K, (N * P) / W);
    }
  }
});
