/**
 * `npm run bench`: (1) the coded multiply against the exact product for the six backward
 * products of the MNIST MLP at batch 64 (paper Table II), for every scheme; (2) whole training
 * steps (forward, hand-written backward through the multiply, SGD) for the baseline and every
 * scheme. All cases are timed in one run, interleaved, and reported as ms and ratios to exact.
 *
 * `--runtime threads|nats`: the same products and steps on sim and on the real runtime, every
 * worker arriving (T_max = ∞; no injected delay, deadline --deadline-ms), with the ratios
 * runtime/sim, the per-step overhead and the per-task round trip (src/bench/runtime-bench.ts).
 * `--nats-workers 1,2,4`: starts its own nats-server and worker processes on this machine and
 * measures the nats runtime's throughput with each count of worker processes.
 */
import { noWorkersNote } from '../src/runtime/runtime.ts';
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import type { ResolvedCodedOptions, SchemeName } from '../src/coded-backprop/index.ts';
import { parseValue, resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { type BenchCase, timeInterleaved } from '../src/bench/interleaved.ts';
import { startLocalNats } from '../src/bench/local-nats.ts';
import { benchRuntime, benchThroughput } from '../src/bench/runtime-bench.ts';
import { benchProducts } from '../src/bench/table-ii.ts';
import { loadMnistSplit } from '../src/data/mnist.ts';
import { exactMultiply, type Multiply, sgdStep } from '../src/model/backprop.ts';
import { MNIST_MLP_SIZES, Mlp } from '../src/model/mlp.ts';
import { stepFlops } from '../src/bench/flops.ts';
import { startNatsRuntime } from '../src/runtime/nats.ts';
import { describeRuntime, resolveRuntimeOptions, RUNTIME_CLI_OPTIONS, startRuntime } from '../src/runtime/options.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { recordTrace, traceTimeUnit } from '../src/runtime/trace.ts';
import { type BackendChoice, initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { commandLine, isMainModule, runCommand } from './cli-common.ts';

/** The catalogue options (src/config) of the benchmark; starting values: the `bench` preset (the training setup at T_max = 1). */
const BENCH_KEYS = ['codeSchemes', 'tmax', 'lambda', 'batch', 'rounds', 'perRound', 'seed', 'steps', 'backend'] as const;

/** Deadline of a product on a real runtime in the bench (ms): every reply beats it, so no call waits for it. */
const BENCH_DEADLINE_MS = 60_000;

/**
 * The runtime flags of train/matmul (RUNTIME_CLI_OPTIONS) with the bench's defaults: no injected
 * delay (the only mode: every worker must arrive) and a deadline of a minute; plus --nats-workers.
 */
const BENCH_RUNTIME_OPTIONS = {
  ...RUNTIME_CLI_OPTIONS,
  straggle: { ...RUNTIME_CLI_OPTIONS.straggle, default: 'none', choices: ['none'], describe: 'real runtimes: the bench injects no delay, so every worker arrives before --deadline-ms' },
  'deadline-ms': { ...RUNTIME_CLI_OPTIONS['deadline-ms'], default: BENCH_DEADLINE_MS, describe: 'real runtimes: wall-clock deadline of each product in ms (large: every reply beats it)' },
  'time-unit-ms': { ...RUNTIME_CLI_OPTIONS['time-unit-ms'], hidden: true },
  'nats-workers': {
    type: 'string',
    describe: 'throughput of the nats runtime with these counts of worker processes, e.g. 1,2,4 (starts its own nats-server and workers on this machine; default scheme ew)',
  },
} as const;

const fmt = (ms: number) => ms.toFixed(3).padStart(8);
const ratio = (x: number) => `${x.toFixed(2)}×`.padStart(7);

/** Worker-process counts of --nats-workers: distinct integers 1…64, comma-separated. */
function parseCounts(text: unknown): number[] {
  return parseValue({ type: 'numbers', integer: true, min: 1, max: 64, unique: true }, text, 'natsWorkers', 'nats-workers') as number[];
}

export async function bench(args: string[]): Promise<void> {
  const argv = withOptions(commandLine('Times the coded multiply and coded training steps against exact ones, in one run.', args), BENCH_KEYS, 'bench')
    .options(BENCH_RUNTIME_OPTIONS)
    .parseSync();
  const given = valuesFromArgv(argv as Record<string, unknown>, BENCH_KEYS);
  const counts = argv['nats-workers'] === undefined ? undefined : parseCounts(argv['nats-workers']);
  if (counts && argv.runtime !== 'sim') throw new RangeError('--nats-workers: starts its own nats-server and worker processes; leave out --runtime');
  // --nats-workers runs the nats runtime (on its own server): its deadline is checked as nats's
  const runtimeOpts = resolveRuntimeOptions(counts ? { ...argv, runtime: 'nats' } : (argv as Record<string, unknown>));
  const real = runtimeOpts.runtime !== 'sim' || counts !== undefined;
  if (real && given.tmax !== undefined && given.tmax !== Infinity) {
    throw new RangeError('--tmax: on a real runtime the bench waits for every worker (T_max = inf, no injected delay); leave --tmax out');
  }
  // real runtimes: every worker arrives (T_max = ∞), and one scheme (ew) unless --schemes names others
  const v = resolveValues(BENCH_KEYS, real ? { ...given, tmax: Infinity, codeSchemes: given.codeSchemes ?? ['ew'] } : given, 'bench');
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
  /** The first 8 MNIST batches, for the training steps. */
  const stepBatches = () => {
    const data = loadMnistSplit('train', { limit: batch * 8 });
    return Array.from({ length: 8 }, (_, i) => ({
      images: data.images.subarray(i * batch * 784, (i + 1) * batch * 784),
      labels: data.labels.subarray(i * batch, (i + 1) * batch),
    }));
  };
  const runtimeBench = { schemes, opts, batch, rounds, perRound, seed, timing: runtimeOpts.timing };

  if (counts) {
    // throughput of nats with 1, 2, 4… worker processes: a private server, a queue group per count
    const local = await startLocalNats();
    const runtimes: Runtime[] = [];
    try {
      for (const n of counts) {
        const prefix = `uepbench${n}`;
        await local.startWorkers(n, prefix);
        runtimes.push(await startNatsRuntime({ server: local.url, prefix }));
      }
      console.log(
        `runtime: nats, private nats-server at ${local.url}; worker processes (one thread each) ${counts.join(', ')}, each count in its own queue group; ` +
          `no injected delay, deadline ${runtimeOpts.timing.deadlineMs} ms`,
      );
      await benchThroughput(runtimes, { ...runtimeBench, counts }, (l) => console.log(l));
    } finally {
      for (const rt of runtimes) await rt.close();
      await local.close();
    }
    return;
  }
  if (real) {
    console.log(describeRuntime(runtimeOpts, tmax));
    const runtime = (await startRuntime(runtimeOpts)) as Runtime;
    const trace = runtimeOpts.trace ? recordTrace(runtime, traceTimeUnit(runtimeOpts.timing, tmax)) : undefined;
    try {
      await benchRuntime(runtime, { ...runtimeBench, steps: v.steps ? stepBatches() : undefined }, (l) => console.log(l));
      const c = runtime.counters();
      console.log(`runtime: replies in time ${c.inTime} of ${c.tasks}, late ${c.late}, rejected ${Object.values(c.rejected).reduce((a, b) => a + b, 0)}${noWorkersNote(c)}`);
      if (trace && runtimeOpts.trace) {
        await trace.write(runtimeOpts.trace);
        console.log(`wrote ${runtimeOpts.trace} (arrival trace)`);
      }
    } finally {
      await runtime.close();
    }
    return;
  }

  // (1) the six products: a few different input pairs per product, cycled, so no case reuses one tensor
  const products = benchProducts(batch, new Rng(seed));
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
  const batches = stepBatches();
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
  // how close the exact step gets to the backend's matmul speed: its flops against the time
  const flops = stepFlops(MNIST_MLP_SIZES, batch);
  const total = flops.forward + flops.backward;
  const gflops = (f: number, ms: number) => (f / ms / 1e6).toFixed(1);
  console.log(
    `\nexact step: forward ${(flops.forward / 1e6).toFixed(1)} + backward ${(flops.backward / 1e6).toFixed(1)} = ${(total / 1e6).toFixed(1)} MFLOP ` +
      `in ${base.toFixed(3)} ms = ${gflops(total, base)} GFLOP/s; its six backward products alone (table above) ${gflops(flops.backward, exactTotal)} GFLOP/s; ` +
      `one large wasm product (${batch}×784)·(784×100): ${gflops(2 * batch * 784 * 100, timeOneProduct(batch))} GFLOP/s`,
  );
}

/** ms of one (batch×784)·(784×100) product on the backend (median of 9 rounds of 50). */
function timeOneProduct(batch: number): number {
  const rng = new Rng(0);
  const a = tf.tensor2d(Float32Array.from({ length: batch * 784 }, () => rng.normal()), [batch, 784]);
  const b = tf.tensor2d(Float32Array.from({ length: 784 * 100 }, () => rng.normal()), [784, 100]);
  const t = timeInterleaved([{ name: 'x', run: () => tf.matMul(a, b).dispose() }], 9, 50).get('x')!;
  tf.dispose([a, b]);
  return t;
}

if (isMainModule(import.meta.url)) void runCommand(() => bench(process.argv.slice(2)));
