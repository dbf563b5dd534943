import test from 'ava';
import { axisScores, makeLayout, originalOrder, splitAxis } from '../src/coded-backprop/partition.ts';
import { Rng } from '../src/util/rng.ts';

test('splitAxis: a permutation whose parts have the right sizes and descending scores, ties included', (t) => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 2000; trial++) {
    const n = 1 + rng.int(60);
    const parts = 1 + rng.int(5);
    const s = Array.from({ length: n }, () => rng.int(6));
    const { order, bounds, maxSize } = splitAxis(s, parts);
    t.is(new Set(order).size, n);
    for (let i = 0; i < parts; i++) {
      t.is(bounds[i + 1] - bounds[i], Math.floor(((i + 1) * n) / parts) - Math.floor((i * n) / parts));
      t.true(bounds[i + 1] - bounds[i] <= maxSize);
      const here = Array.from(order.slice(bounds[i], bounds[i + 1])).map((k) => s[k]);
      const later = Array.from(order.slice(bounds[i + 1])).map((k) => s[k]);
      if (here.length && later.length) t.true(Math.min(...here) >= Math.max(...later));
    }
  }
});

test('784 rows split at 0, 261, 522, 784', (t) => {
  const { bounds } = splitAxis(new Float64Array(784), 3);
  t.deepEqual(Array.from(bounds), [0, 261, 522, 784]);
});

test('scores: L2 and mean |x| rank rows and columns by norm; none keeps the order', (t) => {
  // 2×3 matrix [[3, -1, 0], [1, 2, -2]]
  const d = [3, -1, 0, 1, 2, -2];
  t.deepEqual(Array.from(axisScores(d, 2, 3, false, 'l2')), [10, 9]);
  t.deepEqual(Array.from(axisScores(d, 2, 3, false, 'mean-abs')), [4, 5]);
  t.deepEqual(Array.from(axisScores(d, 2, 3, true, 'l2')), [10, 5, 4]);
  t.deepEqual(Array.from(axisScores(d, 2, 3, true, 'none')), [0, 0, 0]);
  t.deepEqual(Array.from(splitAxis(axisScores(d, 2, 3, false, 'mean-abs'), 2).order), [1, 0]);
});

test('paper class table on the 3×3 grid: HH, {HM, MH}, the other six', (t) => {
  const layout = makeLayout(new Float64Array(9), new Float64Array(9), { rowBlocks: 3, colBlocks: 3, levels: 3 });
  t.deepEqual(layout.blockClass, [0, 1, 2, 1, 2, 2, 2, 2, 2]);
  t.deepEqual(layout.classSizes, [1, 2, 6]);
});

test('originalOrder is the split of equal scores (the layout a plan is drawn on)', (t) => {
  for (const [len, blocks] of [[784, 3], [10, 3], [64, 4], [7, 7]] as const) {
    const split = splitAxis(new Float64Array(len), blocks);
    const orig = originalOrder(len, blocks);
    t.deepEqual([...orig.order], [...split.order]);
    t.deepEqual([...orig.bounds], [...split.bounds]);
    t.is(orig.maxSize, split.maxSize);
  }
});

test('splitAxis: exactly the parts of a stable descending sort, in index order within each part', (t) => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 3000; trial++) {
    const n = 1 + rng.int(80);
    const parts = 1 + rng.int(6);
    // few distinct values: ties across thresholds, equal thresholds, empty parts (n < parts)
    const distinct = 1 + rng.int(8);
    const s = Float64Array.from({ length: n }, () => rng.int(distinct) / 2);
    const sorted = Array.from({ length: n }, (_, k) => k).sort((x, y) => s[y] - s[x] || x - y);
    const { order, bounds } = splitAxis(s, parts);
    for (let i = 0; i < parts; i++) {
      const want = sorted.slice(bounds[i], bounds[i + 1]).sort((x, y) => x - y);
      t.deepEqual(Array.from(order.slice(bounds[i], bounds[i + 1])), want);
    }
  }
});
