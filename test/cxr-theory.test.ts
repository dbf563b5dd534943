/**
 * c×r theory against a Monte Carlo of the real codes (engine encode → worker products → decoder)
 * on a non-3×3 set-up: K = 6 packets of uneven width in classes (1, 2, 3), exponential worker times.
 * Also the MatDot threshold (2K − 1 results give C, 2K − 2 nothing) and the packet-determination
 * rule against an independent rank computation.
 */
import test from 'ava';
import { codedMatMulF64, CODES, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { coefficientRow, decodePackets, defaultPacketClasses } from '../src/coded-backprop/plan-api.ts';
import type { PacketLayout } from '../src/coded-backprop/plan-api.ts';
import { cxrClassEnergies, cxrExpectedLossAtProbability, type CxrScheme } from '../src/theory/index.ts';
import { gaussian, matmul } from '../src/util/matrix.ts';
import { Rng, streamSeed } from '../src/util/rng.ts';

const U = 3;
const Q = 3;
/** Packet widths (uneven) and per-packet standard deviations of A's columns and B's rows. */
const WIDTHS = [2, 2, 3, 2, 3, 2];
const STD_A = [3, 2.5, 1.5, 1.2, 0.6, 0.4];
const STD_B = [2, 2.2, 1.4, 1, 0.7, 0.3];
const CLASS_OF = [0, 1, 1, 2, 2, 2];
const K = WIDTHS.length;
const N_INNER = WIDTHS.reduce((a, b) => a + b, 0);
/** Inner index → packet, packets laid out in order at the floor-rule bounds of N_INNER / K. */
const bounds = Array.from({ length: K + 1 }, (_, k) => Math.floor((k * N_INNER) / K));
const packetOfIndex = Array.from({ length: N_INNER }, (_, t) => bounds.findIndex((b, k) => t >= b && t < bounds[k + 1]));
const widths = Array.from({ length: K }, (_, k) => bounds[k + 1] - bounds[k]);

const SETUPS: { scheme: CxrScheme; workers: number; gamma: number[] }[] = [
  { scheme: 'uncoded', workers: 6, gamma: [1 / 3, 1 / 3, 1 / 3] },
  { scheme: 'rep', workers: 12, gamma: [1 / 3, 1 / 3, 1 / 3] },
  { scheme: 'mds', workers: 13, gamma: [1 / 3, 1 / 3, 1 / 3] },
  { scheme: 'now', workers: 10, gamma: [0.3, 0.3, 0.4] },
  { scheme: 'ew', workers: 10, gamma: [0.3, 0.3, 0.4] },
];

for (const { scheme, workers, gamma } of SETUPS) {
  test(`cxr ${scheme}: Monte Carlo of the real code agrees with Σ_l E_l·P(class l not decoded) (K = 6, classes 1/2/3)`, (t) => {
    const energies = cxrClassEnergies(STD_A.map((s) => s * s), STD_B.map((s) => s * s), widths, U, Q, CLASS_OF);
    const total = energies.reduce((a, b) => a + b, 0);
    for (const tmax of [0.4, 1.2]) {
      const opts = resolveCodedOptions({ scheme, partition: 'cxr', packets: K, packetClasses: CLASS_OF, workers, gamma, tmax, ordering: 'none', latency: { lambda: 1 } });
      const F = 1 - Math.exp(-opts.K * tmax);
      const formula = cxrExpectedLossAtProbability(scheme, [1, 2, 3], gamma, energies, workers, F);
      const rng = new Rng(streamSeed(7, `cxr-mc-${scheme}-${tmax}`));
      const trials = 1000;
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < trials; i++) {
        const A = gaussian(U, N_INNER, rng, (_r, c) => STD_A[packetOfIndex[c]]);
        const B = gaussian(N_INNER, Q, rng, (r) => STD_B[packetOfIndex[r]]);
        const { C } = codedMatMulF64(A, B, opts, rng);
        const exact = matmul(A, B).data;
        let loss = 0;
        for (let e = 0; e < exact.length; e++) loss += (exact[e] - C.data[e]) ** 2;
        sum += loss / total;
        sum2 += (loss / total) ** 2;
      }
      const mean = sum / trials;
      const se = Math.sqrt((sum2 / trials - mean * mean) / trials);
      t.true(Math.abs(mean - formula) <= 3 * se + 1e-12, `${scheme} t=${tmax}: MC ${mean.toFixed(4)} ± ${(3 * se).toFixed(4)} vs formula ${formula.toFixed(4)}`);
    }
  });
}

test('cxr MatDot: any 2K − 1 results give C, any 2K − 2 give nothing (random subsets, K = 2..6)', (t) => {
  const code = CODES.find((c) => c.name === 'mds')?.packets;
  if (!code) return t.fail('mds has no c×r form');
  const rng = new Rng(5);
  for (let K = 2; K <= 6; K++) {
    const W = 3 * K;
    const layout = { K, classOf: defaultPacketClasses(K, 1), classSizes: [K] } as unknown as PacketLayout;
    const rows = code.encode(layout, { workers: W, granularity: 'class', gamma: [1] }, rng).map((task) => coefficientRow(task, K, K));
    for (let trial = 0; trial < 20; trial++) {
      const perm = Array.from({ length: W }, (_, w) => w);
      for (let i = W - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const enough = decodePackets(perm.slice(0, 2 * K - 1).map((w) => rows[w]), K, 1e-11);
      t.true(enough.restSum && enough.inC.every(Boolean), `K=${K}: 2K−1 results decode C`);
      t.true(enough.packetDetermined.every((ok) => !ok), `K=${K}: no single packet is ever determined`);
      const short = decodePackets(perm.slice(0, 2 * K - 2).map((w) => rows[w]), K, 1e-11);
      t.false(short.restSum || short.inC.some(Boolean), `K=${K}: 2K−2 results give nothing`);
    }
  }
});

/** Rank by Householder-free modified Gram–Schmidt with a relative tolerance (independent of decode.ts). */
function rank(rows: Float64Array[]): number {
  const basis: Float64Array[] = [];
  for (const r of rows) {
    const v = Float64Array.from(r);
    const norm0 = Math.hypot(...v);
    for (const q of basis) {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i] * q[i];
      for (let i = 0; i < v.length; i++) v[i] -= dot * q[i];
    }
    const n = Math.hypot(...v);
    if (norm0 > 0 && n > 1e-9 * norm0) basis.push(v.map((x) => x / n));
  }
  return basis.length;
}

test('cxr stacked codes: a packet is recovered iff adding its unit vector leaves the rank unchanged', (t) => {
  const K = 7;
  const classOf = [0, 0, 1, 1, 1, 2, 2];
  const rng = new Rng(9);
  let determinedSeen = 0;
  let undeterminedSeen = 0;
  for (const name of ['uncoded', 'rep', 'now', 'ew']) {
    const code = CODES.find((c) => c.name === name)?.packets;
    if (!code) return t.fail(`${name} has no c×r form`);
    const W = name === 'uncoded' ? K : name === 'rep' ? 2 * K : 12;
    const layout = { K, classOf, classSizes: [2, 3, 2] } as unknown as PacketLayout;
    for (let trial = 0; trial < 30; trial++) {
      const rows = code.encode(layout, { workers: W, granularity: 'class', gamma: [0.3, 0.4, 0.3] }, rng).map((task) => coefficientRow(task, K, K));
      const received = rows.filter(() => rng.uniform() < 0.6);
      const dec = decodePackets(received, K, 1e-11);
      const r0 = rank(received);
      for (let k = 0; k < K; k++) {
        const e = new Float64Array(K * K);
        e[k * K + k] = 1;
        const independent = rank([...received, e]) === r0;
        t.is(dec.packetDetermined[k], independent, `${name} trial ${trial} packet ${k}`);
        if (independent) determinedSeen++;
        else undeterminedSeen++;
      }
    }
  }
  t.true(determinedSeen > 50 && undeterminedSeen > 50, 'both outcomes occur');
});
