import test from 'ava';
import yargs from 'yargs';
import { asOptionError, OptionError, OPTIONS, parseValue, PRESETS, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { PAPER_SETUP } from '../src/theory/index.ts';

test('presets replace catalogue defaults; the caller replaces both', (t) => {
  const keys = ['tmax', 'lambda', 'gamma', 'workers', 'seed'];
  const dnn = resolveValues(keys, {}, 'dnn');
  t.deepEqual(dnn, { tmax: 0.5, lambda: 0.5, gamma: [0.45, 0.35, 0.2], workers: null, seed: 1 });
  const fig3 = resolveValues(keys, {}, 'fig3');
  t.deepEqual(fig3, { tmax: 0.5, lambda: 0.25, gamma: [0.35, 0.35, 0.3], workers: 40, seed: 1 });
  t.deepEqual(resolveValues(keys, { lambda: '2', workers: 20 }, 'fig3').lambda, 2);
  t.is(resolveValues(keys, { workers: 20 }, 'fig3').workers, 20);
});

test('one list coercer: commas, inf, ranges, and errors naming the key', (t) => {
  t.deepEqual(parseValue(OPTIONS.tmaxes.kind, '0.25,0.5,inf', 'tmaxes', 'tmax'), [0.25, 0.5, Infinity]);
  t.deepEqual(parseValue({ type: 'numbers', ranges: true }, '0:1:0.25,2', 'times'), [0, 0.25, 0.5, 0.75, 1, 2]);
  t.is(parseValue(OPTIONS.tmax.kind, 'INF', 'tmax'), Infinity);
  const bad: Array<[string, unknown, RegExp]> = [
    ['tmax', 'abc', /"abc" is not a number \(or inf\)/],
    ['tmax', '-1', /must be > 0/],
    ['tmax', '', /got nothing/],
    ['tmaxes', '0.5,0.5', /listed twice/],
    ['seed', '1.5', /integer/],
    ['scheme', 'ldpc', /not one of baseline, uncoded, rep, mds, now, ew/],
    ['schemes', 'now,now', /listed twice/],
    ['epochs', '0', /≥ 1/],
  ];
  for (const [key, raw, msg] of bad) {
    const err = t.throws<OptionError>(() => resolveValues([key], { [key]: raw }), { instanceOf: OptionError }, `${key}=${String(raw)}`);
    t.is(err?.key, key);
    t.regex(err?.detail ?? '', msg);
  }
  const g = t.throws<OptionError>(() => resolveValues(['gamma'], { gamma: '0.5,0.6' }), { instanceOf: OptionError });
  t.regex(g?.message ?? '', /^gamma: probabilities must sum to 1/);
  t.is(g?.flagMessage, `--gamma: ${g?.detail}`);
});

test('an unknown key is refused, not ignored', (t) => {
  t.throws(() => resolveValues(['tmax'], { tmx: 1 }), { instanceOf: OptionError, message: /tmx: is not an option here/ });
});

test('yargs parses through the catalogue: coerce errors carry the key and the flag', (t) => {
  const keys = ['tmaxes', 'testLimit', 'shuffle', 'scheme'];
  const parser = () => withOptions(yargs().strict().fail((msg, err) => { throw asOptionError(err) ?? new Error(msg); }), keys, 'dnn');
  const argv = parser().parseSync(['--tmax', '0.25,inf', '--test-limit', '100', '--shuffle']);
  t.deepEqual(valuesFromArgv(argv, keys), { tmaxes: [0.25, Infinity], testLimit: 100, shuffle: true });
  const err = t.throws<OptionError>(() => parser().parseSync(['--test-limit', 'x']), { instanceOf: OptionError });
  t.is(err?.key, 'testLimit');
  t.is(err?.flag, 'test-limit');
  t.regex(err?.flagMessage ?? '', /^--test-limit: "x" is not a number/);
});

test('each preset value appears once: presets hold only numbers the catalogue does not repeat', (t) => {
  // The catalogue's defaults for these keys are the dnn preset's own objects' values.
  t.is(OPTIONS.tmax.default, PRESETS.dnn.tmax);
  t.is(OPTIONS.lambda.default, PRESETS.dnn.lambda);
  t.deepEqual(OPTIONS.gamma.default, [...PRESETS.dnn.gamma]);
});

test('integer options with auto: the text auto stands for its value', (t) => {
  const auto = (OPTIONS.threads.kind as { auto: number }).auto;
  t.true(Number.isInteger(auto) && auto >= 1);
  t.is(resolveValues(['threads'], {}).threads, auto);
  t.is(resolveValues(['threads'], { threads: 'AUTO' }).threads, auto);
  t.is(resolveValues(['threads'], { threads: '3' }).threads, 3);
  const err = t.throws<OptionError>(() => resolveValues(['threads'], { threads: '0' }), { instanceOf: OptionError });
  t.is(err?.flagMessage, '--threads: must be ≥ 1 (got 0)');
  t.throws(() => resolveValues(['threads'], { threads: 'many' }), { instanceOf: OptionError, message: 'threads: "many" is not a number (or auto)' });
});

test("the paper's Figs. 2–4 setup is the fig3 preset's, the catalogue's figure defaults the paper's", (t) => {
  t.is(PAPER_SETUP.W, PRESETS.fig3.workers);
  t.is(PAPER_SETUP.lambda, PRESETS.fig3.lambda);
  t.is(PAPER_SETUP.K, PRESETS.fig3.K);
  t.deepEqual(PAPER_SETUP.gamma, PRESETS.fig3.gamma);
  const v = resolveValues(['classes', 'classSizes', 'variances', 'U', 'M', 'Q', 'workers', 'gamma', 'tmax'], {}, 'fig3');
  t.deepEqual(v, { classes: [1, 2, 6], classSizes: [1, 2, 6], variances: [10, 1, 0.1], U: 5, M: 100, Q: 5, workers: 40, gamma: [0.35, 0.35, 0.3], tmax: 0.5 });
  t.is(resolveValues(['tmax', 'lambda'], {}, 'bench').tmax, 1);
  t.is(resolveValues(['tmax', 'lambda'], {}, 'bench').lambda, PRESETS.dnn.lambda);
  // a command's own values: a named preset plus its output folder
  t.deepEqual(resolveValues(['workers', 'out'], {}, { ...PRESETS.fig3, out: 'results/x' }), { workers: 40, out: 'results/x' });
});
