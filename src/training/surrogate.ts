/**
 * `--decoder surrogate`: the authors' shortcut, for comparison only (never a default). Instead of
 * encoding, computing worker products and decoding, each backward product is computed exactly and
 * its blocks (under the engine's norm ordering and grid) are erased by independent draws:
 *   - uncoded: block b is kept iff its worker arrived (T_b < T_max);
 *   - rep: block b is kept iff one of its r copies arrived. The authors' code multiplies the
 *     per-copy "not received" indicators and then discards the product, so a block is erased when
 *     EITHER copy is missing and their repetition comes out worse than uncoded; fixed here;
 *   - mds: everything is kept iff N ≥ N·P results arrived, nothing otherwise;
 *   - now / ew: N = the number of workers arrived; then class l is kept with probability
 *     P_{d,l}(N) (the decoding-probability formulas of src/theory), independently per class.
 * The worker times come from the run's latency model and 'code' stream, as in the simulator, so N
 * has the same distribution. What the shortcut drops: the dependence between classes (an EW
 * window-3 result decodes every class together), the real decoder's numerical acceptance, and the
 * per-block structure within a class.
 */
import * as tf from '@tensorflow/tfjs';
import { receivedBy, workerTimes, layoutFor, type BlockLayout, type ResolvedCodedOptions } from '../coded-backprop/plan-api.ts';
import { emptyStepStats, type StepStats } from '../coded-backprop/index.ts';
import { siteIndex, siteKey, type Multiply, type SiteKey } from '../model/backprop.ts';
import { decodingTable, type Scheme } from '../theory/index.ts';
import { Rng, streamSeed } from '../util/rng.ts';
import type { TrainConfig } from './train-config.ts';

/**
 * Which blocks the surrogate keeps in one call: `received` the workers in time (receivedBy of the
 * drawn times), `u()` the next uniform of the call's stream (used only by now/ew, one per class).
 */
export function surrogateKept(opts: ResolvedCodedOptions, layout: BlockLayout, received: readonly number[], table: number[][] | null, u: () => number): boolean[] {
  const NP = layout.N * layout.P;
  const arrived = new Uint8Array(opts.workers);
  for (const w of received) arrived[w] = 1;
  switch (opts.scheme) {
    case 'uncoded':
      return Array.from({ length: NP }, (_, b) => arrived[b] === 1);
    case 'rep':
      // copy c of block b is worker c·NP + b (codes/repetition.ts); kept if ANY copy arrived
      return Array.from({ length: NP }, (_, b) => {
        for (let w = b; w < opts.workers; w += NP) if (arrived[w]) return true;
        return false;
      });
    case 'mds':
      return new Array<boolean>(NP).fill(received.length >= NP);
    default: {
      const row = (table as number[][])[received.length];
      const classKept = row.map((p) => u() < p);
      return Array.from({ length: NP }, (_, b) => classKept[layout.blockClass[b]]);
    }
  }
}

/** Copies the kept blocks of c (m×p, original order) into out (zeros elsewhere). */
function keepBlocks(c: Float32Array, out: Float32Array, p: number, layout: BlockLayout, kept: readonly boolean[]): void {
  const { rows, cols, N, P } = layout;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < P; j++) {
      if (!kept[i * P + j]) continue;
      for (let k = rows.bounds[i]; k < rows.bounds[i + 1]; k++) {
        const base = rows.order[k] * p;
        for (let l = cols.bounds[j]; l < cols.bounds[j + 1]; l++) out[base + cols.order[l]] = c[base + cols.order[l]];
      }
    }
  }
}

/** The surrogate's multiply for a training run (the simulator's stream 'code'). */
export function surrogateMultiply(cfg: TrainConfig): { step: { sync: Multiply }; takeStepStats(): StepStats } {
  if (cfg.coded === 'baseline') throw new RangeError('surrogate: the baseline has no code');
  const base = cfg.coded;
  const rng = new Rng(streamSeed(cfg.seed, 'code'));
  const tables = new Map<ResolvedCodedOptions, number[][] | null>();
  const tableOf = (o: ResolvedCodedOptions) => {
    if (!tables.has(o)) tables.set(o, o.scheme === 'now' || o.scheme === 'ew' ? decodingTable(o.scheme as Scheme, o.grid.classSizes, o.gamma, o.workers) : null);
    return tables.get(o) as number[][] | null;
  };
  const L = base.grid.classSizes.length;
  let acc = emptyStepStats(L);
  const multiply: Multiply = (a, b, site) => {
    const opts = cfg.sites[siteKey(site) as SiteKey] ?? base;
    const [m, M] = a.shape;
    const p = b.shape[1];
    const ad = a.dataSync();
    const bd = b.dataSync();
    const layout = layoutFor(ad, m, M, bd, p, opts);
    const received = receivedBy(workerTimes(opts.latency, opts.workers, opts.K, rng, siteIndex(site)), opts.tmax);
    const kept = surrogateKept(opts, layout, received, tableOf(opts), () => rng.uniform());
    const exact = tf.tidy(() => tf.matMul(a, b));
    const c = exact.dataSync() as Float32Array;
    exact.dispose();
    const out = new Float32Array(m * p);
    keepBlocks(c, out, p, layout, kept);
    acc.workers_received += received.length;
    acc.products += 1;
    kept.forEach((k, blk) => {
      if (!k) return;
      acc.blocks_recovered++;
      acc.class_recovered[layout.blockClass[blk]]++;
    });
    return tf.tensor2d(out, [m, p]);
  };
  return {
    step: { sync: multiply },
    takeStepStats() {
      const out = acc;
      acc = emptyStepStats(L);
      return out;
    },
  };
}
