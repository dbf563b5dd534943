import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fixedCosts, interleavedSteps } from '../src/bench/train-steps.ts';

test('interleaved training steps: one row per scheme with the trainer’s own step times and evaluation counts', async (t) => {
  const rows = await interleavedSteps({ schemes: ['baseline', 'ew'], common: { tmax: 1, epochs: 1, limit: 320, testLimit: 200, seed: 1 }, head: 3 });
  t.deepEqual(rows.map((r) => r.scheme), ['baseline', 'ew']);
  for (const r of rows) {
    t.is(r.iterations, 5);
    t.is(r.evaluations, 1);
    t.true(r.headMs > 0 && r.wholeMs > 0 && r.evalMs > 0);
    t.true(r.finalTestAccuracy >= 0 && r.finalTestAccuracy <= 1);
  }
});

test('fixed costs: the rest of a run splits into setup, between steps and writing; a run process start into modules, backend and warm-up', async (t) => {
  const fc = await fixedCosts({ scheme: 'baseline', epochs: 1, limit: 320, testLimit: 200, seed: 1 });
  const r = fc.run;
  t.is(r.iterations, 5);
  t.is(r.evaluations, 1);
  t.true(r.stepsMs > 0 && r.evalMs > 0 && r.setupMs > 0 && r.writeMs > 0);
  t.true(Math.abs(r.wallMs - (r.stepsMs + r.evalMs + r.restMs)) < 1e-6);
  t.true(Math.abs(r.restMs - (r.setupMs + r.betweenMs + r.writeMs)) < 1e-6);
  t.true(r.betweenMs > -1, `between steps ${r.betweenMs} ms`);
  t.true(fc.dataLoadMs > 0);
  const p = fc.processStart;
  t.true(p.modulesMs > 0 && p.backendMs >= 0, JSON.stringify(p));
  t.true(Math.abs(p.totalMs - (p.modulesMs + p.backendMs + p.otherMs)) < 1e-6);
});

const run = promisify(execFile);
const TSX = 'node_modules/.bin/tsx';

test('npm run bench:train: a bad value stops it with one line naming the flag, before any training', async (t) => {
  for (const [args, re] of [
    [['--head', '0'], /^error: --head: must be ≥ 1 \(got 0\)\n$/],
    [['--schemes', 'ew,turbo'], /^error: --schemes: 'turbo' is not one of uncoded, rep, mds, now, ew, sysmds, product, bacc\n$/],
    [['--tmax', 'abc'], /^error: --tmax: "abc" is not a number \(or inf\)\n$/],
    [['--epochs', '0'], /^error: --epochs: must be ≥ 1 \(got 0\)\n$/],
  ] as Array<[string[], RegExp]>) {
    const err = await t.throwsAsync(run(TSX, ['experiments/bench-train.ts', ...args]));
    t.regex((err as unknown as { stderr: string }).stderr, re, args.join(' '));
    t.is((err as unknown as { code: number }).code, 1);
  }
});

test('npm run bench:train --help: each flag with its default (preset bench, 1 epoch)', async (t) => {
  const { stdout } = await run(TSX, ['experiments/bench-train.ts', '--help']);
  // (yargs may wrap a long help text: the default then ends the next line)
  for (const [flag, value] of [['--schemes', 'uncoded,rep,mds,now,ew'], ['--tmax', '1'], ['--epochs', '1'], ['--limit', 'all 60000'], ['--head', '300'], ['--seed', '1'], ['--fixed', 'true']]) {
    t.regex(stdout, new RegExp(`${flag} [^[]*\\[(string|boolean)\\][^\\n]*\\[default: ${value.replace(/[.]/g, '\\.')}\\]`), flag);
  }
});
