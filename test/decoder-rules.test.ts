/**
 * The decoder recovers exactly the blocks the received set determines: checked against the
 * window-count rules of the UEP theory (class granularity), an independent rank computation
 * (product granularity), the MDS property over all subsets, and block repetition's rule.
 */
import test from 'ava';
import { coefficientRow } from '../src/coded-backprop/codes/code.ts';
import { getCode } from '../src/coded-backprop/codes/registry.ts';
import { decodeReceived } from '../src/coded-backprop/decode.ts';
import { resolveCodedOptions } from '../src/coded-backprop/options.ts';
import { makeLayout } from '../src/coded-backprop/partition.ts';
import { Rng } from '../src/util/rng.ts';

const layout = makeLayout(new Float64Array(30), new Float64Array(30), { rowBlocks: 3, colBlocks: 3, levels: 3 });
const K_SIZES = [1, 2, 6];

/** Coefficient rows of W workers for a code. */
function rowsOf(scheme: string, workers: number, granularity: 'class' | 'product', gamma: number[], rng: Rng): Float64Array[] {
  const opts = resolveCodedOptions({ scheme, tmax: 1, workers, granularity, gamma });
  return opts.code.encode(layout, opts, rng).map((task) => coefficientRow(task, 3, 3));
}

/** Random subset of 0..W−1 of random size, in random order. */
function randomSubset(W: number, rng: Rng): number[] {
  const all = Array.from({ length: W }, (_, i) => i);
  rng.shuffle(all);
  return all.slice(0, rng.int(W + 1));
}

/** Rank by Householder QR with column-norm tolerance (independent of the decoder's Gauss–Jordan). */
function rank(rows: ArrayLike<number>[], cols: number): number {
  const m = rows.length;
  const a = rows.map((r) => Float64Array.from(r));
  let r = 0;
  const scale = Math.max(1e-300, ...a.map((row) => Math.max(...row.map(Math.abs))));
  for (let c = 0; c < cols && r < m; c++) {
    let norm = 0;
    for (let i = r; i < m; i++) norm += a[i][c] ** 2;
    norm = Math.sqrt(norm);
    if (norm <= 1e-9 * scale) continue;
    const alpha = a[r][c] > 0 ? -norm : norm;
    const v = new Float64Array(m);
    for (let i = r; i < m; i++) v[i] = a[i][c];
    v[r] -= alpha;
    const vv = v.reduce((s, x) => s + x * x, 0);
    for (let k = c; k < cols; k++) {
      let dot = 0;
      for (let i = r; i < m; i++) dot += v[i] * a[i][k];
      const f = (2 * dot) / vv;
      for (let i = r; i < m; i++) a[i][k] -= f * v[i];
    }
    r++;
  }
  return r;
}

/** Window index of a class-granularity row: NOW touches one class; EW touches classes 0..l. */
function windowOf(row: Float64Array): number {
  let w = -1;
  row.forEach((v, b) => {
    if (v !== 0) w = Math.max(w, layout.blockClass[b]);
  });
  return w;
}

for (const scheme of ['now', 'ew'] as const) {
  test(`${scheme}, class granularity: recovered classes follow the window-count rule over 300 received sets`, (t) => {
    const rng = new Rng(scheme === 'now' ? 1 : 2);
    const gamma = [0.35, 0.35, 0.3];
    let partial = 0;
    let recoveredSome = 0;
    for (let trial = 0; trial < 300; trial++) {
      const rows = rowsOf(scheme, 15, 'class', gamma, rng);
      const subset = randomSubset(15, rng);
      const counts = [0, 0, 0];
      for (const w of subset) counts[windowOf(rows[w])]++;
      const expected = [false, false, false];
      if (scheme === 'now') {
        for (let l = 0; l < 3; l++) expected[l] = counts[l] >= K_SIZES[l];
      } else {
        // R_j = min(R_{j−1} + n_j, K_j); class l decoded iff some j ≥ l has R_j = K_j
        let R = 0;
        let K = 0;
        const full: boolean[] = [];
        for (let j = 0; j < 3; j++) {
          K += K_SIZES[j];
          R = Math.min(R + counts[j], K);
          full.push(R === K);
        }
        for (let l = 0; l < 3; l++) expected[l] = full.slice(l).some(Boolean);
      }
      const { determined } = decodeReceived(subset.map((w) => rows[w]), 9);
      for (let l = 0; l < 3; l++) {
        const blocks = layout.blockClass.map((c, b) => (c === l ? b : -1)).filter((b) => b >= 0);
        const got = blocks.filter((b) => determined[b]).length;
        if (got > 0 && got < blocks.length) partial++;
        if (got > 0) recoveredSome++;
        t.is(got === blocks.length, expected[l], `trial ${trial} class ${l} counts ${counts}`);
      }
    }
    t.is(partial, 0, 'a class is decoded whole or not at all');
    t.true(recoveredSome > 50, 'the test exercised decoding');
  });

  test(`${scheme}, product granularity: recovered blocks are exactly the unit vectors in the row space`, (t) => {
    const rng = new Rng(scheme === 'now' ? 3 : 4);
    let recovered = 0;
    let lost = 0;
    for (let trial = 0; trial < 300; trial++) {
      const rows = rowsOf(scheme, 15, 'product', [0.35, 0.35, 0.3], rng);
      const received = randomSubset(15, rng).map((w) => rows[w]);
      const { determined } = decodeReceived(received, 9);
      const base = rank(received, 9);
      for (let b = 0; b < 9; b++) {
        const unit = new Float64Array(9);
        unit[b] = 1;
        const inSpan = rank([...received, unit], 9) === base;
        t.is(determined[b], inSpan, `trial ${trial} block ${b}`);
        if (inSpan) recovered++;
        else lost++;
      }
    }
    t.true(recovered > 100 && lost > 100, `both outcomes exercised (${recovered} recovered, ${lost} lost)`);
  });
}

test('mds: every set of N·P = 9 results decodes everything, every smaller set nothing (all 2^15 subsets)', (t) => {
  const rows = rowsOf('mds', 15, 'class', [0.45, 0.35, 0.2], new Rng(0));
  let checked = 0;
  for (let mask = 0; mask < 1 << 15; mask++) {
    const subset: Float64Array[] = [];
    for (let w = 0; w < 15; w++) if (mask & (1 << w)) subset.push(rows[w]);
    const { determined } = decodeReceived(subset, 9);
    const count = determined.filter(Boolean).length;
    if (count !== (subset.length >= 9 ? 9 : 0)) {
      t.fail(`subset ${mask.toString(2)} of size ${subset.length} determined ${count} blocks`);
      return;
    }
    checked++;
  }
  t.is(checked, 1 << 15);
});

test('rep: a block is recovered exactly when any of its copies arrives', (t) => {
  const rows = rowsOf('rep', 18, 'class', [0.45, 0.35, 0.2], new Rng(0));
  const rng = new Rng(9);
  for (let trial = 0; trial < 300; trial++) {
    const subset = randomSubset(18, rng);
    const { determined } = decodeReceived(subset.map((w) => rows[w]), 9);
    for (let b = 0; b < 9; b++) {
      t.is(determined[b], subset.includes(b) || subset.includes(b + 9));
    }
  }
});

test('uncoded: block (i, j) is recovered exactly when worker i·P + j arrives', (t) => {
  const rows = rowsOf('uncoded', 9, 'class', [0.45, 0.35, 0.2], new Rng(0));
  const rng = new Rng(10);
  for (let trial = 0; trial < 100; trial++) {
    const subset = randomSubset(9, rng);
    const { determined } = decodeReceived(subset.map((w) => rows[w]), 9);
    for (let b = 0; b < 9; b++) t.is(determined[b], subset.includes(b));
  }
});
