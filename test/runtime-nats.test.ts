import test from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import { codedMatMulF64, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { codedMatMulOn } from '../src/runtime/coded-call.ts';
import { startNatsRuntime } from '../src/runtime/nats.ts';
import { startNatsWorker } from '../src/runtime/nats-worker.ts';
import type { Runtime, TraceRow, WorkerJob } from '../src/runtime/runtime.ts';
import { Rng } from '../src/util/rng.ts';
import { drawBlockGaussian } from '../src/workloads/block-gaussian.ts';
import { startNatsServer, type TestNatsServer } from './helpers/nats-server.ts';

const FIG3 = { U: 5, M: 100, Q: 5, varA: [10, 1, 0.1], varB: [10, 1, 0.1] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function jobs(n: number, U = 8): WorkerJob[] {
  return Array.from({ length: n }, (_, worker) => ({ worker, U, K: U, Q: U, wa: new Float32Array(U * U).fill(1), wb: new Float32Array(U * U).fill(worker), delayMs: 0 }));
}

test.serial('nats: every worker arrives → the float64 reference; injected straggling agrees with sim outside the guard band', async (t) => {
  const server = await startNatsServer();
  const w1 = await startNatsWorker({ server: server.url, concurrency: 1 });
  const w2 = await startNatsWorker({ server: server.url, concurrency: 1 });
  const rt = await startNatsRuntime({ server: server.url });
  try {
    const all = resolveCodedOptions({ scheme: 'ew', tmax: 1e9, workers: 40, K: 1, gamma: [0.35, 0.35, 0.3] });
    const { A, B } = drawBlockGaussian(FIG3, new Rng(5));
    const r = await codedMatMulOn(rt, A.data, A.rows, A.cols, B.data, B.cols, all, new Rng(9), { straggle: 'none', timeUnitMs: 1, deadlineMs: 10_000 }, { step: 0, product: 0 });
    const f = codedMatMulF64(A, B, all, new Rng(9));
    t.is(r.stats.workersReceived, 40);
    t.deepEqual(r.stats.recovered, f.stats.recovered);
    const scale = Math.max(...f.C.data.map(Math.abs));
    t.true(f.C.data.every((x, e) => Math.abs(x - r.C[e]) <= 1e-5 * scale));
    t.true(w1.counts().tasks > 0 && w2.counts().tasks > 0, 'the queue group spreads tasks over both processes');

    const opts = resolveCodedOptions({ scheme: 'mds', tmax: 1, workers: 40, K: 1, latency: { model: 'exponential', lambda: 0.25 } });
    const unit = 40;
    const rng = new Rng(11);
    const replies: TraceRow[] = [];
    rt.onTrace((row) => row.repliedMs !== null && replies.push(row));
    const calls: { step: number; times: Float64Array; sim: Set<number>; real: Set<number>; elapsed: number }[] = [];
    for (let step = 1; step <= 15; step++) {
      const { A, B } = drawBlockGaussian(FIG3, rng);
      const r = await codedMatMulOn(rt, A.data, A.rows, A.cols, B.data, B.cols, opts, rng, { straggle: 'model', timeUnitMs: unit, deadlineMs: 0 }, { step, product: 0 });
      calls.push({ step, times: r.simPlan.times, sim: new Set(r.simPlan.received), real: new Set(r.realPlan.received), elapsed: r.outcome.elapsedMs });
    }
    await sleep(100);
    const deadline = opts.tmax * unit;
    let overhead = 0;
    for (const c of calls) {
      overhead = Math.max(overhead, c.elapsed - deadline);
      for (const row of replies.filter((x) => x.step === c.step)) overhead = Math.max(overhead, (row.repliedMs as number) - row.dispatchedMs - c.times[row.worker] * unit);
    }
    const band = 2 * overhead + 1;
    let inBand = 0;
    for (const c of calls) {
      for (let w = 0; w < 40; w++) {
        const time = c.times[w] * unit;
        t.false(c.real.has(w) && !c.sim.has(w), `step ${c.step} worker ${w}: received before its injected delay`);
        if (time >= deadline - band && time < deadline) inBand++;
        else t.is(c.real.has(w), c.sim.has(w), `step ${c.step} worker ${w}: time ${time.toFixed(2)} ms, band ${band.toFixed(2)} ms`);
      }
    }
    t.log(`nats guard band ${band.toFixed(1)} ms below the ${deadline} ms deadline; ${inBand} of ${calls.length * 40} draws inside it`);
    t.true(calls.some((c) => c.real.size > 0), 'some workers arrive');
  } finally {
    await rt.close();
    await w1.close();
    await w2.close();
    await server.stop();
  }
});

test.serial('nats: with a token, only workers that have it join', async (t) => {
  const server = await startNatsServer({ token: 's3cret' });
  try {
    await t.throwsAsync(startNatsWorker({ server: server.url, concurrency: 1 }), { message: /cannot connect.*Authorization|cannot connect/i });
    await t.throwsAsync(startNatsWorker({ server: server.url, concurrency: 1, token: 'wrong' }), { message: /cannot connect/ });
    const w = await startNatsWorker({ server: server.url, concurrency: 1, token: 's3cret' });
    const rt = await startNatsRuntime({ server: server.url, token: 's3cret' });
    const out = await rt.call({ step: 0, product: 0, jobs: jobs(4), deadlineMs: 5000 });
    t.is(out.arrived.length, 4);
    await rt.close();
    await w.close();
  } finally {
    await server.stop();
  }
});

function spawnWorker(url: string): ChildProcess {
  // node itself (not the tsx wrapper), so that SIGKILL kills the worker and leaves no orphan
  return spawn(process.execPath, ['--import', 'tsx', 'experiments/worker.ts', '--server', url], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function connected(p: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => String(d).includes('connected') && resolve());
    p.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

async function callUntil(rt: Runtime, step: { n: number }, want: (arrived: number) => boolean, tries = 40): Promise<number> {
  let got = -1;
  for (let i = 0; i < tries; i++) {
    const out = await rt.call({ step: step.n++, product: 0, jobs: jobs(8), deadlineMs: 300 });
    for (const a of out.arrived) if (!a.product.every((x) => x === 8 * a.worker)) throw new Error('wrong product');
    got = out.arrived.length;
    if (want(got)) return got;
  }
  return got;
}

test.serial('nats faults: a killed worker process becomes stragglers and a restarted one rejoins; a server restart is survived', async (t) => {
  const server: TestNatsServer = await startNatsServer();
  const procs = [spawnWorker(server.url), spawnWorker(server.url)];
  const rt = await startNatsRuntime({ server: server.url });
  try {
    await Promise.all(procs.map(connected));
    const step = { n: 0 };
    t.is(await callUntil(rt, step, (n) => n === 8), 8, 'two worker processes answer everything');
    procs[0].kill('SIGKILL');
    // tasks routed to the dead process are stragglers; nothing crashes, products stay exact
    const partial = await rt.call({ step: step.n++, product: 0, jobs: jobs(8), deadlineMs: 300 });
    t.true(partial.arrived.length <= 8);
    t.is(await callUntil(rt, step, (n) => n === 8), 8, 'the surviving worker takes every task once the server drops the dead one');
    procs[0] = spawnWorker(server.url);
    await connected(procs[0]);
    // server restart: calls during the outage decode what arrived (possibly nothing)
    const restarting = server.restart(500);
    const during: number[] = [];
    for (let i = 0; i < 4; i++) during.push((await rt.call({ step: step.n++, product: 0, jobs: jobs(8), deadlineMs: 150 })).arrived.length);
    await restarting;
    t.log(`arrivals per call during the restart: ${during.join(', ')}`);
    t.is(await callUntil(rt, step, (n) => n === 8, 100), 8, 'after the restart the server and both workers reconnect');
    const c = rt.counters();
    t.true(c.tasks > c.inTime, 'tasks were lost and counted');
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await rt.close();
    await server.stop();
  }
});
