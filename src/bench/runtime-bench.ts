/**
 * The benchmark of the real runtimes against the simulator (`npm run bench -- --runtime
 * threads|nats`, `--nats-workers 1,2,4`). Every worker arrives (T_max = ∞ for sim; no injected
 * delay and a deadline every reply beats on the real runtime), so sim and the real runtime
 * decode the same workers and the difference is the runtime's cost: encoding the tasks, moving
 * them and the replies, the workers' queues, decoding. Cases are interleaved in one run
 * (src/bench/interleaved.ts), so the ratios are between figures measured together.
 */
import * as tf from '@tensorflow/tfjs';
import { codedMatMul, type ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { type AsyncMultiply, type Multiply, PRODUCT_SITES, sgdStep, sgdStepAsync, siteKey } from '../model/backprop.ts';
import { Mlp } from '../model/mlp.ts';
import type { RealTiming } from '../runtime/coded-call.ts';
import { makeRealMultiply, type RealMultiply } from '../runtime/real-multiply.ts';
import type { Arrival, CallOutcome, CallSpec, Runtime } from '../runtime/runtime.ts';
import { Rng } from '../util/rng.ts';
import { type AsyncBenchCase, median, quantile, timeInterleavedAsync } from './interleaved.ts';
import { type BenchProduct, benchProducts } from './table-ii.ts';

export interface RuntimeBenchOptions {
  schemes: readonly string[];
  /** Per scheme, the coded options at T_max = ∞. */
  opts: ReadonlyMap<string, ResolvedCodedOptions>;
  batch: number;
  rounds: number;
  perRound: number;
  seed: number;
  timing: RealTiming;
  /** Also whole training steps (forward, backward through the multiply, SGD) on MNIST batches. */
  steps?: { images: Float32Array; labels: Uint8Array | Int32Array | ArrayLike<number> }[];
}

/** A runtime whose calls also report their arrivals (worker compute times) to `onCall`. */
function observed(rt: Runtime, onCall: (arrived: readonly Arrival[]) => void): Runtime {
  return {
    name: rt.name,
    get maxPayload() {
      return rt.maxPayload;
    },
    async call(spec: CallSpec): Promise<CallOutcome> {
      const out = await rt.call(spec);
      onCall(out.arrived);
      return out;
    },
    counters: () => rt.counters(),
    onTrace: (l) => rt.onTrace(l),
    workerStatus: () => rt.workerStatus(),
    close: () => rt.close(),
  };
}

/**
 * The six products of a step as the trainer issues them: layer by layer from the output, the two
 * products of a layer (grad input, grad weight) in flight together.
 */
async function sixAsStep(products: readonly BenchProduct[], k: number, multiply: AsyncMultiply): Promise<void> {
  for (const layer of [3, 2, 1]) {
    const ps = products.filter((p) => p.site.layer === layer);
    const cs = await Promise.all(
      ps.map((p) => {
        const [a, b] = p.pairs[k % p.pairs.length];
        return multiply(a, b, p.site);
      }),
    );
    for (const c of cs) {
      c.dataSync();
      c.dispose();
    }
  }
}

function sixSync(products: readonly BenchProduct[], k: number, multiply: Multiply): void {
  for (const site of PRODUCT_SITES) {
    const p = products.find((q) => siteKey(q.site) === siteKey(site))!;
    const [a, b] = p.pairs[k % p.pairs.length];
    const c = multiply(a, b, p.site);
    c.dataSync();
    c.dispose();
  }
}

const fmt = (ms: number) => ms.toFixed(3).padStart(9);
const ratio = (x: number) => `${x.toFixed(2)}×`.padStart(8);
const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${Math.abs(ms).toFixed(3)} ms`;

/** The sim multiply of `o` (tensor path) with its own rng stream; every worker arrives at T_max = ∞. */
function simMultiply(o: ResolvedCodedOptions, seed: number): Multiply {
  const r = new Rng(seed);
  return (a, b) => codedMatMul(a, b, o, r).C;
}

/** One step tag per call: `takeStepStats()` after every product (or every step) keeps (step, product) unique. */
function realMultiplyOf(o: ResolvedCodedOptions, seed: number, rt: Runtime, timing: RealTiming, firstStep: number): RealMultiply {
  return makeRealMultiply(o, new Rng(seed), rt, timing, firstStep);
}

/**
 * Times the six products (one by one, and issued as a step) and, with `steps`, whole training
 * steps, on sim and on `runtime`; prints the tables and the ratio lines through `log`.
 */
export async function benchRuntime(runtime: Runtime, o: RuntimeBenchOptions, log: (line: string) => void): Promise<void> {
  const name = runtime.name;
  const computeMs: number[] = [];
  let recording = false;
  const rt = observed(runtime, (arrived) => {
    if (recording) for (const a of arrived) computeMs.push(a.computeMs);
  });
  const roundTrips: number[] = [];
  runtime.onTrace((row) => {
    if (recording && row.inTime && row.repliedMs !== null) roundTrips.push(row.repliedMs - row.dispatchedMs);
  });
  const warmup = 2;
  const onRound = (round: number) => (recording = round >= warmup);

  const products = benchProducts(o.batch, new Rng(o.seed));
  // a multiply per (scheme, case), each with its own tag range: 10^6 steps apart
  let nextFirstStep = 0;
  const real = (s: string) => {
    const m = realMultiplyOf(o.opts.get(s)!, o.seed + 1, rt, o.timing, nextFirstStep);
    nextFirstStep += 1_000_000;
    return m;
  };
  const cases: AsyncBenchCase[] = [];
  for (const prod of products) {
    let k = 0;
    cases.push({
      name: `${prod.name}|exact`,
      run: () => {
        const [a, b] = prod.pairs[k++ % prod.pairs.length];
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      },
    });
    for (const s of o.schemes) {
      const sim = simMultiply(o.opts.get(s)!, o.seed + 1);
      const m = real(s);
      let ks = 0;
      let kr = 0;
      cases.push({
        name: `${prod.name}|sim ${s}`,
        run: () => {
          const [a, b] = prod.pairs[ks++ % prod.pairs.length];
          const c = sim(a, b, prod.site);
          c.dataSync();
          c.dispose();
        },
      });
      cases.push({
        name: `${prod.name}|${name} ${s}`,
        run: async () => {
          const [a, b] = prod.pairs[kr++ % prod.pairs.length];
          const c = await m.multiply(a, b, prod.site);
          m.takeStepStats();
          c.dataSync();
          c.dispose();
        },
      });
    }
  }
  for (const s of o.schemes) {
    const sim = simMultiply(o.opts.get(s)!, o.seed + 1);
    const m = real(s);
    let ks = 0;
    let kr = 0;
    cases.push({ name: `six|sim ${s}`, run: () => sixSync(products, ks++, sim) });
    cases.push({
      name: `six|${name} ${s}`,
      run: async () => {
        await sixAsStep(products, kr++, m.multiply);
        m.takeStepStats();
      },
    });
  }
  const t = await timeInterleavedAsync(cases, o.rounds, o.perRound, warmup, onRound);
  recording = false;
  tf.dispose(products.flatMap((p) => p.pairs.flat()));

  const cols = ['exact', ...o.schemes.flatMap((s) => [`sim ${s}`, `${name} ${s}`])];
  log(`\nms per product call, every worker arriving (${name} columns: ratio to sim of the same scheme):`);
  log(`${'product'.padEnd(20)}${'shape'.padEnd(22)}` + cols.map((c) => c.padStart(c.startsWith(name) ? 18 : 10)).join(''));
  const totals = new Map(cols.map((c) => [c, 0]));
  const line = (label: string, get: (c: string) => number) =>
    label +
    cols
      .map((c) => {
        const ms = get(c);
        if (!c.startsWith(name)) return fmt(ms) + ' ';
        const sim = get(`sim ${c.slice(name.length + 1)}`);
        return `${fmt(ms)}${ratio(ms / sim)} `;
      })
      .join('');
  for (const prod of products) {
    for (const c of cols) totals.set(c, totals.get(c)! + t.get(`${prod.name}|${c}`)!);
    log(line(prod.name.padEnd(20) + prod.shape.padEnd(22), (c) => t.get(`${prod.name}|${c}`)!));
  }
  log(line('all six'.padEnd(42), (c) => totals.get(c)!));

  log(`\nthe six products of a step (${name}: a layer's two in flight together; sim: one after another), ms per step:`);
  for (const s of o.schemes) {
    const sim = t.get(`six|sim ${s}`)!;
    const r = t.get(`six|${name} ${s}`)!;
    log(`${s.padEnd(8)} sim ${fmt(sim)}   ${name} ${fmt(r)} ${ratio(r / sim)}   overhead ${signed(r - sim)} per step`);
  }

  if (o.steps && o.steps.length > 0) {
    const batches = o.steps;
    const stepCases: AsyncBenchCase[] = [];
    const model = () => Mlp.init(new Rng(o.seed));
    {
      const mdl = model();
      let k = 0;
      stepCases.push({
        name: 'baseline',
        run: () => {
          const b = batches[k++ % batches.length];
          sgdStep(mdl, b.images, b.labels, 0.01);
        },
      });
    }
    for (const s of o.schemes) {
      const sim = simMultiply(o.opts.get(s)!, o.seed + 2);
      const ms = model();
      let ks = 0;
      stepCases.push({
        name: `sim ${s}`,
        run: () => {
          const b = batches[ks++ % batches.length];
          sgdStep(ms, b.images, b.labels, 0.01, sim);
        },
      });
      const m = real(s);
      const mr = model();
      let kr = 0;
      stepCases.push({
        name: `${name} ${s}`,
        run: async () => {
          const b = batches[kr++ % batches.length];
          await sgdStepAsync(mr, b.images, b.labels, 0.01, m.multiply);
          m.takeStepStats();
        },
      });
    }
    const st = await timeInterleavedAsync(stepCases, o.rounds, o.perRound, warmup, onRound);
    recording = false;
    const base = st.get('baseline')!;
    log(`\nms per training step (forward + backward through the multiply + SGD):`);
    log(`baseline ${fmt(base)}`);
    for (const s of o.schemes) {
      const sim = st.get(`sim ${s}`)!;
      const r = st.get(`${name} ${s}`)!;
      log(`${s.padEnd(8)} sim ${fmt(sim)} ${ratio(sim / base)} of baseline   ${name} ${fmt(r)} ${ratio(r / base)} of baseline, ${ratio(r / sim)} of sim   overhead ${signed(r - sim)} per step`);
    }
  }

  log(
    `\n${name} per task (dispatch → reply, ${roundTrips.length} tasks of the timed rounds): round trip median ${median(roundTrips).toFixed(3)} ms, ` +
      `p90 ${quantile(roundTrips, 0.9).toFixed(3)} ms; worker compute median ${median(computeMs).toFixed(3)} ms ` +
      `(${ratio(median(roundTrips) / median(computeMs)).trim()} of compute: the rest is encoding on the wire, transport and the workers' queues)`,
  );
}

export interface ThroughputOptions extends RuntimeBenchOptions {
  /** Worker-process counts to compare, e.g. [1, 2, 4]. */
  counts: readonly number[];
}

/**
 * Throughput of the nats runtime with each count of worker processes: one runtime per count,
 * each with its own subject prefix and its own worker processes (the others stay idle), the six
 * products of a step issued as the trainer does, back to back; interleaved with sim.
 * `runtimes[i]` serves `counts[i]` worker processes.
 */
export async function benchThroughput(runtimes: readonly Runtime[], o: ThroughputOptions, log: (line: string) => void): Promise<void> {
  const products = benchProducts(o.batch, new Rng(o.seed));
  const cases: AsyncBenchCase[] = [];
  for (const s of o.schemes) {
    const sim = simMultiply(o.opts.get(s)!, o.seed + 1);
    let ks = 0;
    cases.push({ name: `sim ${s}`, run: () => sixSync(products, ks++, sim) });
    o.counts.forEach((n, i) => {
      const m = realMultiplyOf(o.opts.get(s)!, o.seed + 1, runtimes[i], o.timing, 1_000_000 * o.schemes.indexOf(s));
      let kr = 0;
      cases.push({
        name: `${n} ${s}`,
        run: async () => {
          await sixAsStep(products, kr++, m.multiply);
          m.takeStepStats();
        },
      });
    });
  }
  const t = await timeInterleavedAsync(cases, o.rounds, o.perRound);
  tf.dispose(products.flatMap((p) => p.pairs.flat()));
  for (const s of o.schemes) {
    const tasks = 6 * o.opts.get(s)!.workers;
    const sim = t.get(`sim ${s}`)!;
    const one = t.get(`${o.counts[0]} ${s}`)!;
    log(`\n${s}: ${tasks} tasks per step (six products × W = ${o.opts.get(s)!.workers}); throughput of the nats runtime by worker processes:`);
    log(`${'processes'.padEnd(12)}${'ms/step'.padStart(10)}${'steps/s'.padStart(10)}${'tasks/s'.padStart(10)}${`throughput ÷ ${o.counts[0]} process${o.counts[0] === 1 ? '' : 'es'}`.padStart(26)}${'time ÷ sim'.padStart(12)}`);
    for (const n of o.counts) {
      const ms = t.get(`${n} ${s}`)!;
      log(`${String(n).padEnd(12)}${ms.toFixed(2).padStart(10)}${(1000 / ms).toFixed(1).padStart(10)}${((1000 * tasks) / ms).toFixed(0).padStart(10)}${ratio(one / ms).padStart(26)}${ratio(ms / sim).padStart(12)}`);
    }
    log(`${'sim'.padEnd(12)}${sim.toFixed(2).padStart(10)}${(1000 / sim).toFixed(1).padStart(10)}${((1000 * tasks) / sim).toFixed(0).padStart(10)}`);
  }
}
