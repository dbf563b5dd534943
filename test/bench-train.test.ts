import test from 'ava';
import { interleavedSteps } from '../src/bench/train-steps.ts';

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
