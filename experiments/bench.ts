/**
 * `npm run bench`: (1) the coded multiply against the exact product for the six backward
 * products of the MNIST MLP at batch 64 (paper Table II), for every scheme; (2) whole training
 * steps (forward, hand-written backward through the multiply, SGD) for the baseline and every
 * scheme. All cases are timed in one run, interleaved, and reported as ms and ratios to exact.
 */
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import type { ResolvedCodedOptions, SchemeName } from '../src/coded-backprop/index.ts';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { type BenchCase, timeInterleaved } from '../src/bench/interleaved.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { exactMultiply, type Multiply, sgdStep } from '../src/model/backprop.ts';
import { Mlp } from '../src/model/mlp.ts';
import { type BackendChoice, initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { commandLine, isMainModule, runCommand } from './cli-common.ts';

/** The catalogue options (src/config) of the benchmark; starting values: the `bench` preset (the training setup at T_max = 1). */
const BENCH_KEYS = ['codeSchemes', 'tmax', 'lambda', 'batch', 'rounds', 'perRound', 'seed', 'steps', 'backend'] as const;

/** Table II at batch b: [name, m, n, p] of A: m×n times B: n×p. */
function tableII(b: number): [string, number, number, number][] {
  return [
    ['dense1 grad-input', b, 100, 784],
    ['dense1 grad-weight', 784, b, 100],
    ['dense2 grad-input', b, 200, 100],
    ['dense2 grad-weight', 100, b, 200],
    ['dense3 grad-input', b, 10, 200],
    ['dense3 grad-weight', 200, b, 10],
  ];
}

const fmt = (ms: number) => ms.toFixed(3).padStart(8);
const ratio = (x: number) => `${x.toFixed(2)}×`.padStart(7);

export async function bench(args: string[]): Promise<void> {
  const argv = withOptions(commandLine('Times the coded multiply and coded training steps against exact ones, in one run.', args), BENCH_KEYS, 'bench').parseSync();
  const v = resolveValues(BENCH_KEYS, valuesFromArgv(argv as Record<string, unknown>, BENCH_KEYS), 'bench');
  const schemes = v.codeSchemes as SchemeName[];
  const tmax = v.tmax as number;
  const lambda = v.lambda as number;
  const batch = v.batch as number;
  const rounds = v.rounds as number;
  const perRound = v.perRound as number;
  const seed = v.seed as number;
  const opts = new Map<string, ResolvedCodedOptions>(
    schemes.map((s) => [s, resolveCodedOptions({ scheme: s, tmax, latency: { lambda } })]),
  );
  const backend = await initBackend(v.backend as BackendChoice);
  console.log(`backend: ${backend}`);
  console.log(
    `T_max = ${tmax}, λ = ${lambda}, batch ${batch}, K = N·P/W, Table III workers ` +
      `(${schemes.map((s) => `${s} ${opts.get(s)!.workers}`).join(', ')}); median of ${rounds} interleaved rounds × ${perRound} calls, seed ${seed}`,
  );

  // (1) the six products: a few different input pairs per product, cycled, so no case reuses one tensor
  const rng = new Rng(seed);
  const products = tableII(batch).map(([name, m, n, p]) => ({
    name,
    shape: `(${m}×${n})·(${n}×${p})`,
    pairs: Array.from({ length: 4 }, () => [
      tf.tensor2d(Float32Array.from({ length: m * n }, () => rng.normal()), [m, n]),
      tf.tensor2d(Float32Array.from({ length: n * p }, () => rng.normal()), [n, p]),
    ]),
  }));
  const variants: [string, (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D][] = [
    ['exact', (a, b) => tf.matMul(a, b)],
    ...schemes.map((s): [string, (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D] => {
      const o = opts.get(s)!;
      const r = new Rng(seed + 1);
      return [s, (a, b) => codedMatMul(a, b, o, r).C];
    }),
  ];
  const cases: BenchCase[] = [];
  for (const prod of products) {
    for (const [v, f] of variants) {
      let k = 0;
      cases.push({
        name: `${prod.name}|${v}`,
        run: () => {
          const [a, b] = prod.pairs[k++ % prod.pairs.length];
          const c = f(a as tf.Tensor2D, b as tf.Tensor2D);
          c.dataSync();
          c.dispose();
        },
      });
    }
  }
  const t = timeInterleaved(cases, rounds, perRound);
  const names = variants.map(([v]) => v);
  console.log('\nms per call (ratio to exact):');
  console.log(`${'product'.padEnd(20)}${'shape'.padEnd(22)}` + names.map((v) => v.padStart(17)).join(''));
  const totals = new Map(names.map((v) => [v, 0]));
  for (const prod of products) {
    const exact = t.get(`${prod.name}|exact`)!;
    let line = prod.name.padEnd(20) + prod.shape.padEnd(22);
    for (const v of names) {
      const ms = t.get(`${prod.name}|${v}`)!;
      totals.set(v, totals.get(v)! + ms);
      line += v === 'exact' ? `${fmt(ms)}         ` : `${fmt(ms)} ${ratio(ms / exact)} `;
    }
    console.log(line);
  }
  const exactTotal = totals.get('exact')!;
  console.log(
    'all six'.padEnd(42) + names.map((v) => (v === 'exact' ? `${fmt(exactTotal)}         ` : `${fmt(totals.get(v)!)} ${ratio(totals.get(v)! / exactTotal)} `)).join(''),
  );
  tf.dispose(products.flatMap((p) => p.pairs.flat()));

  if (!v.steps) return;
  // (2) whole training steps on the first MNIST batches, one model per scheme
  const data = loadMnistSplit('train', { limit: batch * 8 });
  const batches = Array.from({ length: 8 }, (_, i) => ({
    images: data.images.subarray(i * batch * 784, (i + 1) * batch * 784),
    labels: data.labels.subarray(i * batch, (i + 1) * batch),
  }));
  const stepVariants: [string, Multiply][] = [
    ['baseline', exactMultiply],
    ...schemes.map((s): [string, Multiply] => {
      const o = opts.get(s)!;
      const r = new Rng(seed + 2);
      return [s, (a, b) => codedMatMul(a, b, o, r).C];
    }),
  ];
  const stepCases = stepVariants.map(([name, multiply]): BenchCase => {
    const model = Mlp.init(new Rng(seed));
    let k = 0;
    return {
      name,
      run: () => {
        const b = batches[k++ % batches.length];
        sgdStep(model, b.images, b.labels, 0.01, multiply);
      },
    };
  });
  const s = timeInterleaved(stepCases, rounds, perRound);
  const base = s.get('baseline')!;
  console.log('\nms per training step (forward + backward through the multiply + SGD), ratio to baseline:');
  for (const [name] of stepVariants) console.log(`${name.padEnd(10)}${fmt(s.get(name)!)} ${name === 'baseline' ? '' : ratio(s.get(name)! / base)}`);
}

if (isMainModule(import.meta.url)) void runCommand(() => bench(process.argv.slice(2)));
