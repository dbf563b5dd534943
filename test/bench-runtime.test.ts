import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startNatsWorker } from '../src/runtime/nats-worker.ts';
import { startNatsServer } from './helpers/nats-server.ts';

const run = promisify(execFile);
const bench = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'experiments/bench.ts', ...args], { maxBuffer: 1 << 20 });
const TINY = ['--batch', '16', '--rounds', '1', '--per-round', '1'];

/** The ratio lines of `bench --runtime <name>`: per product, per step, per task. */
function ratioLines(t: import('ava').ExecutionContext, stdout: string, name: string): void {
  t.regex(stdout, new RegExp(`runtime: ${name} .*no injected delay, deadline 60000 ms`));
  t.regex(stdout, /T_max = Infinity/);
  for (const p of ['dense1 grad-input', 'dense1 grad-weight', 'dense2 grad-input', 'dense2 grad-weight', 'dense3 grad-input', 'dense3 grad-weight', 'all six']) {
    t.regex(stdout, new RegExp(`${p} .*[\\d.]+ +[\\d.]+ +[\\d.]+ +[\\d.]+×`), p);
  }
  t.regex(stdout, new RegExp(`ew +sim +[\\d.]+ +${name} +[\\d.]+ +[\\d.]+× +overhead [+−][\\d.]+ ms per step`));
  t.regex(stdout, new RegExp(`${name} per task \\(dispatch → reply, \\d+ tasks.*round trip median [\\d.]+ ms, p90 [\\d.]+ ms; worker compute median [\\d.]+ ms`));
  const m = /replies in time (\d+) of (\d+), late 0, rejected 0/.exec(stdout);
  t.truthy(m, 'every reply in time');
  t.is(m![1], m![2]);
}

test('bench --runtime threads: per-product, per-step and per-task ratio lines against sim', async (t) => {
  const { stdout } = await bench(['--runtime', 'threads', '--threads', '2', ...TINY]);
  ratioLines(t, stdout, 'threads');
  // whole training steps too (--steps is on by default)
  t.regex(stdout, /ew +sim +[\d.]+ +[\d.]+× of baseline +threads +[\d.]+ +[\d.]+× of baseline, +[\d.]+× of sim +overhead [+−][\d.]+ ms per step/);
});

test('bench --runtime nats: against a test server and two workers', async (t) => {
  const server = await startNatsServer();
  const workers = [await startNatsWorker({ server: server.url, concurrency: 1 }), await startNatsWorker({ server: server.url, concurrency: 1 })];
  try {
    const { stdout } = await bench(['--runtime', 'nats', '--server', server.url, '--no-steps', ...TINY]);
    ratioLines(t, stdout, 'nats');
    t.notRegex(stdout, /training step/);
    t.true(workers.every((w) => w.counts().tasks > 0), 'both workers took tasks');
  } finally {
    for (const w of workers) await w.close();
    await server.stop();
  }
});

test('bench --nats-workers 1,2: its own server and worker processes, one throughput line per count', async (t) => {
  const { stdout } = await bench(['--nats-workers', '1,2', '--no-steps', ...TINY]);
  t.regex(stdout, /private nats-server at nats:\/\/127\.0\.0\.1:\d+; worker processes \(one thread each\) 1, 2, each count in its own queue group; no injected delay, deadline 60000 ms/);
  t.regex(stdout, /ew: 90 tasks per step/);
  t.regex(stdout, /^1 +[\d.]+ +[\d.]+ +\d+ +1\.00× +[\d.]+×$/m);
  t.regex(stdout, /^2 +[\d.]+ +[\d.]+ +\d+ +[\d.]+× +[\d.]+×$/m);
  t.regex(stdout, /^sim +[\d.]+ +[\d.]+ +\d+$/m);
});

test('bench on a real runtime: a finite --tmax, --straggle model, repeated --nats-workers counts are refused naming the flag', async (t) => {
  for (const [args, re] of [
    [['--runtime', 'threads', '--tmax', '1'], /--tmax: on a real runtime the bench waits for every worker/],
    [['--runtime', 'threads', '--straggle', 'model'], /straggle/],
    [['--nats-workers', '1,1'], /^error: --nats-workers: a value is listed twice/],
    [['--nats-workers', '0'], /--nats-workers/],
    [['--nats-workers', '2', '--runtime', 'threads'], /--nats-workers: .*leave out --runtime/],
  ] as Array<[string[], RegExp]>) {
    const err = await t.throwsAsync(bench(args));
    t.regex((err as unknown as { stderr: string }).stderr, re, args.join(' '));
  }
});
