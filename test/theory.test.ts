import test, { type ExecutionContext } from 'ava';
import {
  PAPER_SETUP,
  SCHEMES,
  classEnergies,
  classSizesFromTable,
  decodingProbabilities,
  decodingTable,
  expectedLoss,
  expectedLossCurve,
  exponentialCdf,
  lossVsReceived,
  paperClassEnergies,
  paperClassSizes,
  paperClassTable,
  receivedDistribution,
  receivedDistributionAtTime,
  type Scheme,
} from '../src/theory/index.ts';

/** All count vectors n with Σn = N over L classes. */
function* compositions(N: number, L: number): Generator<number[]> {
  if (L === 1) {
    yield [N];
    return;
  }
  for (let i = 0; i <= N; i++) for (const rest of compositions(N - i, L - 1)) yield [i, ...rest];
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** Brute-force reference: sum of the multinomial pmf over every count vector (eqs. 7–8 and the EW rule). */
function bruteForce(scheme: 'now' | 'ew', k: number[], gamma: number[], N: number): number[] {
  const L = k.length;
  const out = new Array<number>(L).fill(0);
  for (const n of compositions(N, L)) {
    let p = factorial(N);
    for (let i = 0; i < L; i++) p *= gamma[i] ** n[i] / factorial(n[i]);
    if (scheme === 'now') {
      for (let l = 0; l < L; l++) if (n[l] >= k[l]) out[l] += p;
    } else {
      const full: boolean[] = [];
      let R = 0;
      let K = 0;
      for (let j = 0; j < L; j++) {
        K += k[j];
        R = Math.min(R + n[j], K);
        full.push(R === K);
      }
      for (let l = 0; l < L; l++) if (full.slice(l).some(Boolean)) out[l] += p;
    }
  }
  return out;
}

function binomialTail(N: number, p: number, k: number): number {
  let s = 0;
  for (let i = k; i <= N; i++) s += (factorial(N) / (factorial(i) * factorial(N - i))) * p ** i * (1 - p) ** (N - i);
  return s;
}

function close(t: ExecutionContext, got: number[], want: number[], tol: number, what: string) {
  t.is(got.length, want.length, what);
  got.forEach((g, i) => t.true(Math.abs(g - want[i]) <= tol, `${what}[${i}]: got ${g}, want ${want[i]}`));
}

// DESIGN.md §5 test vectors (the authors' published tables). All of them agree with a brute-force
// multinomial enumeration (checked separately below), so they are tested as given.
test('DESIGN §5 vectors, k = (3,3,3), Γ = (.40,.35,.25)', (t) => {
  const k = [3, 3, 3];
  const g = [0.4, 0.35, 0.25];
  close(t, decodingProbabilities('now', k, g, 6), [0.4557, 0.3529, 0.1694], 5e-5, 'NOW N=6');
  close(t, decodingProbabilities('ew', k, g, 6), [0.5061, 0.1053, 0], 5e-5, 'EW N=6');
  close(t, decodingProbabilities('now', k, g, 9), [0.7682, 0.6627, 0.3993], 5e-5, 'NOW N=9');
  close(t, decodingProbabilities('ew', k, g, 9), [1, 0.7359, 0.2737], 5e-5, 'EW N=9');
});

test('DESIGN §5 vectors, k = (1,2,6), Γ = (.45,.35,.20), EW', (t) => {
  const k = [1, 2, 6];
  const g = [0.45, 0.35, 0.2];
  close(t, decodingProbabilities('ew', k, g, 3), [0.8765, 0.20825, 0], 5e-6, 'EW N=3');
  close(t, decodingProbabilities('ew', k, g, 9), [1, 0.879079, 0.00134], 5e-6, 'EW N=9');
});

test('the test vectors agree with brute-force enumeration', (t) => {
  close(t, bruteForce('now', [3, 3, 3], [0.4, 0.35, 0.25], 6), [0.4557, 0.3529, 0.1694], 5e-5, 'bf NOW');
  close(t, bruteForce('ew', [3, 3, 3], [0.4, 0.35, 0.25], 9), [1, 0.7359, 0.2737], 5e-5, 'bf EW');
  close(t, bruteForce('ew', [1, 2, 6], [0.45, 0.35, 0.2], 9), [1, 0.879079, 0.00134], 5e-6, 'bf EW');
});

test('NOW equals the binomial tail P(Bin(N, Γ_l) ≥ k_l)', (t) => {
  const k = [1, 2, 6];
  const g = [0.35, 0.35, 0.3];
  for (let N = 0; N <= 20; N++) {
    close(t, decodingProbabilities('now', k, g, N), k.map((kl, l) => binomialTail(N, g[l], kl)), 1e-12, `N=${N}`);
  }
});

test('DP matches brute-force enumeration for NOW and EW, L = 3 and L = 4', (t) => {
  const cases: Array<[number[], number[]]> = [
    [[1, 2, 6], [0.35, 0.35, 0.3]],
    [[2, 1, 3], [0.1, 0.6, 0.3]],
    [[1, 1, 2, 3], [0.4, 0.3, 0.2, 0.1]],
    [[2, 0, 1, 2], [0.25, 0.25, 0.25, 0.25]],
    [[1, 2, 2, 1], [0, 0.5, 0.2, 0.3]],
    [[3, 1, 2, 1], [0.2, 0.3, 0.5, 0]],
  ];
  for (const [k, g] of cases) {
    for (const scheme of ['now', 'ew'] as const) {
      const table = decodingTable(scheme, k, g, 12);
      for (let N = 0; N <= 12; N++) {
        close(t, table[N], bruteForce(scheme, k, g, N), 1e-12, `${scheme} k=${k} Γ=${g} N=${N}`);
        close(t, decodingProbabilities(scheme, k, g, N), table[N], 1e-12, `single-N ${scheme} N=${N}`);
      }
    }
  }
});

test('DP matches brute-force enumeration for L = 6 at N = 20', (t) => {
  const k = [1, 2, 3, 2, 1, 4];
  const g = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1];
  for (const scheme of ['now', 'ew'] as const) {
    close(t, decodingProbabilities(scheme, k, g, 20), bruteForce(scheme, k, g, 20), 1e-10, `${scheme} L=6 N=20`);
  }
});

test('probabilities lie in [0,1] and are non-decreasing in N; EW protects class 1 at least as well as NOW', (t) => {
  const k = [1, 2, 3, 2, 1, 4];
  const g = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1];
  const tables = Object.fromEntries(SCHEMES.map((s) => [s, decodingTable(s, k, g, 100)])) as Record<Scheme, number[][]>;
  for (const s of SCHEMES) {
    const tb = tables[s];
    t.is(tb.length, 101);
    for (let N = 0; N <= 100; N++) {
      for (let l = 0; l < k.length; l++) {
        const p = tb[N][l];
        t.true(Number.isFinite(p) && p >= 0 && p <= 1, `${s} N=${N} l=${l} p=${p}`);
        if (N > 0) t.true(p >= tb[N - 1][l] - 1e-12, `${s} monotone N=${N} l=${l}`);
      }
    }
  }
  for (let N = 0; N <= 100; N++) t.true(tables.ew[N][0] >= tables.now[N][0] - 1e-12, `EW ≥ NOW class 1 at N=${N}`);
  // With every worker back, the important classes are essentially certain.
  t.true(tables.ew[100][0] > 0.999999);
  t.is(tables.mds[12][0], 0); // Σk = 13
  t.is(tables.mds[k.reduce((a, b) => a + b)][5], 1);
});

test('EW class probabilities are non-increasing in l', (t) => {
  const tb = decodingTable('ew', [1, 2, 6], [0.35, 0.35, 0.3], 40);
  for (const row of tb) for (let l = 1; l < 3; l++) t.true(row[l] <= row[l - 1] + 1e-12);
});

test('P_N(t) sums to 1 and agrees with the time form; W up to 1000 is finite', (t) => {
  for (const W of [1, 9, 40, 100, 1000]) {
    for (const F of [0, 1e-9, 0.2212, 0.5, 0.999, 1]) {
      const p = receivedDistribution(W, F);
      t.is(p.length, W + 1);
      const s = p.reduce((a, b) => a + b, 0);
      t.true(Math.abs(s - 1) < 1e-9, `W=${W} F=${F} sum=${s}`);
      t.true(p.every((x) => Number.isFinite(x) && x >= 0));
    }
  }
  const F = exponentialCdf(0.25, 1, 1);
  t.true(Math.abs(F - (1 - Math.exp(-0.25))) < 1e-15);
  const a = receivedDistribution(40, F);
  const b = receivedDistributionAtTime(40, 0.25, 1, 1);
  for (let w = 0; w <= 40; w++) t.true(Math.abs(a[w] - b[w]) < 1e-14);
  t.is(exponentialCdf(0.25, 1, 0), 0);
  // mean of the binomial
  const mean = b.reduce((acc, p, w) => acc + p * w, 0);
  t.true(Math.abs(mean - 40 * F) < 1e-10);
});

test('paper setup: class sizes, energies, and the Fig. 3 reading for MDS', (t) => {
  t.deepEqual(paperClassTable(), [
    [0, 1, 2],
    [1, 2, 2],
    [2, 2, 2],
  ]);
  t.deepEqual(paperClassSizes(), [1, 2, 6]);
  const E = paperClassEnergies();
  close(t, E, [2500 * 100, 2500 * 20, 2500 * 3.21], 1e-6, 'energies');
  const s = PAPER_SETUP;
  // Paper, Sec. V-A: at t = 1 MDS gives 0.46.
  const mds = expectedLoss('mds', s.k, s.gamma, E, s, 1);
  t.true(Math.abs(mds - 0.46) < 0.005, `MDS at t=1: ${mds}`);
  // Loss vs received: 1 at N = 0; MDS 1 until N = 9, then 0.
  const lm = lossVsReceived('mds', s.k, s.gamma, E, 40);
  t.is(lm[8], 1);
  t.is(lm[9], 0);
  const lew = lossVsReceived('ew', s.k, s.gamma, E, 40);
  t.is(lew[0], 1);
  t.true(lew[3] < lm[3]);
  // Expected loss curves are in [0,1] and non-increasing in t.
  for (const sc of SCHEMES) {
    const c = expectedLossCurve(sc, s.k, s.gamma, E, s, [0, 0.5, 1, 2, 4, 8]);
    t.is(c[0], 1);
    for (let i = 1; i < c.length; i++) t.true(c[i] <= c[i - 1] + 1e-12);
  }
});

test('classEnergies and classSizesFromTable on a custom table', (t) => {
  const table = [
    [0, 1],
    [1, 1],
  ];
  t.deepEqual(classSizesFromTable(table), [1, 3]);
  const E = classEnergies({ varA: [2, 1], varB: [3, 1], U: 1, M: 2, Q: 1, classTable: table });
  close(t, E, [12, 2 * 2 * 1 + 2 * 1 * 3 + 2 * 1 * 1], 1e-12, 'E');
});

test('W = 100, L = 6 give finite values in [0, 1], non-increasing in t', (t) => {
  const k = [1, 2, 3, 4, 5, 6];
  const g = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1];
  const E = [100, 50, 20, 10, 5, 1];
  for (const sc of SCHEMES) {
    const c = expectedLossCurve(sc, k, g, E, { W: 100, lambda: 0.5, K: 1 }, [0.1, 1, 10]);
    t.true(c.every((x) => Number.isFinite(x) && x >= 0 && x <= 1), `${sc}: ${c}`);
    t.true(c[0] >= c[1] && c[1] >= c[2], `${sc}: the loss falls as the deadline grows: ${c}`);
  }
});

test('bad inputs throw RangeError naming the option', (t) => {
  const k = [1, 2, 6];
  const g = [0.35, 0.35, 0.3];
  const bad: Array<[() => unknown, RegExp]> = [
    [() => decodingProbabilities('now', k, [0.5, 0.5], 5), /^gamma: .*3 entries/],
    [() => decodingProbabilities('ew', k, [0.5, 0.5, 0.1], 5), /^gamma: .*sum to 1/],
    [() => decodingProbabilities('ew', k, [1.2, -0.2, 0], 5), /^gamma: .*≥ 0/],
    [() => decodingProbabilities('ew', [1, 2.5, 6], g, 5), /^k: .*integers/],
    [() => decodingProbabilities('ew', [], [], 5), /^k: /],
    [() => decodingProbabilities('ew', k, g, -1), /^N: .*integer ≥ 0/],
    [() => decodingProbabilities('ew', k, g, 2.5), /^N: /],
    [() => decodingProbabilities('xyz' as Scheme, k, g, 2), /^scheme: .*now, ew, mds/],
    [() => receivedDistribution(0, 0.5), /^W: .*≥ 1/],
    [() => receivedDistribution(10, 1.5), /^F: .*\[0, 1\]/],
    [() => exponentialCdf(-1, 1, 1), /^lambda: .*≥ 0/],
    [() => exponentialCdf(1, 0, 1), /^K: .*> 0/],
    [() => expectedLoss('ew', k, g, [1, 2], { W: 40, lambda: 0.25, K: 1 }, 1), /^energies: /],
    [() => expectedLoss('ew', k, g, [1, 2, 3], { W: 0, lambda: 0.25, K: 1 }, 1), /^W: /],
    [() => expectedLoss('ew', k, g, [1, 2, 3], { W: 40, lambda: -0.25, K: 1 }, 1), /^lambda: /],
    [() => classSizesFromTable([[0, -1]]), /^classTable: /],
  ];
  for (const [fn, re] of bad) {
    const err = t.throws(fn, { instanceOf: RangeError });
    t.regex(err!.message, re);
  }
});
