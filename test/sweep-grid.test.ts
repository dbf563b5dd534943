/**
 * `npm run sweep -- --grid FILE`: the grid's parsing and plan, a tiny grid trained locally, and
 * the same grid on the JetStream queue (nats-server -js on loopback, one worker process) giving
 * the same metrics.csv (step_ms aside).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRID_PROGRESS_RUNS, planSweepGrid, sweep } from '../experiments/sweep.ts';
import { parseGrid, planGrid } from '../src/queue/grid.ts';
import { parseCsv } from '../src/util/csv.ts';
import { sink, useTempDir } from './helpers/io.ts';
import { startNatsServer } from './helpers/nats-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tempDir = useTempDir('sweep-grid-');

const GRID = {
  schemes: ['baseline', 'ew'],
  tmax: [1],
  seeds: [1],
  vary: { lambda: [0.5, 1] },
  options: { limit: 320, epochs: 1, 'test-limit': 200, 'eval-every': 2 },
};

test('a grid plans schemes × tmax × seeds × the varied options, names the runs after them, and checks every value', (t) => {
  const { runs, varied } = planGrid(parseGrid(JSON.stringify(GRID)));
  t.deepEqual(varied, ['lambda']);
  t.deepEqual(runs.map((r) => r.name), ['baseline-seed1-lambda0.5', 'ew-tmax1-seed1-lambda0.5', 'baseline-seed1-lambda1', 'ew-tmax1-seed1-lambda1']);
  t.is(runs[1].resolved.testLimit, 200);
  t.is(runs[3].resolved.lambda, 1);
  t.throws(() => parseGrid(JSON.stringify({ ...GRID, vary: { nosuch: [1] } })), { message: /'nosuch' is not a train option/ });
  t.throws(() => parseGrid(JSON.stringify({ ...GRID, seeds: [] })), { message: /"seeds" must be a non-empty list/ });
  t.throws(() => parseGrid(JSON.stringify({ ...GRID, extra: 1 })), { message: /unknown field "extra"/ });
  t.throws(() => planGrid(parseGrid(JSON.stringify({ ...GRID, vary: { lambda: [-1] } }))), { message: /lambda/ });
  t.throws(() => parseGrid('{'), { message: /is not JSON/ });
});

test('a big grid (the 1000-run cap) reports its progress while it is checked, every ~10%; a small one is quiet; over the cap is refused first', (t) => {
  const file = join(tempDir(), 'big.json');
  const seeds = Array.from({ length: 500 }, (_, i) => i + 1);
  writeFileSync(file, JSON.stringify({ ...GRID, schemes: ['ew'], seeds }));
  const calls: number[] = [];
  const planned = planGrid(parseGrid(JSON.stringify({ ...GRID, schemes: ['ew'], seeds })), {}, 1000, (done, total) => {
    t.is(total, 1000);
    calls.push(done);
  });
  t.is(planned.runs.length, 1000);
  t.is(calls.length, 1000); // one call per (lambda, seed): 2 × 500, each after that seed's run
  t.true(calls.every((d, i) => d === i + 1));

  const so = sink();
  const { runs } = planSweepGrid(file, false, so);
  t.is(runs.length, 1000);
  t.deepEqual(runs.map((r) => r.name), planned.runs.map((r) => r.name));
  const lines = so.text().trim().split('\n');
  t.true(lines.length >= 10 && lines.length <= 12, so.text());
  for (const l of lines) t.regex(l, /^sweep: checking the grid: \d+\/1000 runs \(\d+%, [\d.]+ s\)$/);
  t.regex(lines[lines.length - 1], /1000\/1000 runs \(100%/);

  const small = join(tempDir(), 'small.json');
  writeFileSync(small, JSON.stringify(GRID));
  t.true(GRID_PROGRESS_RUNS > 4);
  const quiet = sink();
  t.is(planSweepGrid(small, false, quiet).runs.length, 4);
  t.is(quiet.text(), '');

  const over = join(tempDir(), 'over.json');
  writeFileSync(over, JSON.stringify({ ...GRID, schemes: ['ew'], seeds: [...seeds, 501] }));
  const refused = sink();
  t.throws(() => planSweepGrid(over, false, refused), { message: /1002 runs, over the 1000/ });
  t.is(refused.text(), '');
});

test('a tiny grid runs locally and on the queue with the same metrics.csv (step_ms aside), also under a latency model with memory and adaptive assignment', async (t) => {
  const grid = join(tempDir(), 'grid.json');
  // markov + adaptive: the seeded per-site latency state and the assignment's estimates must replay on the queue worker
  writeFileSync(grid, JSON.stringify({ ...GRID, schemes: ['ew'], options: { ...GRID.options, latency: 'markov:share=0.3,run=10,s=8', assign: 'adaptive' } }));
  const local = join(tempDir(), 'local');
  const so = sink();
  const res = await sweep(['--grid', grid, '--out', local, '--jobs', '2'], { stdout: so, handleSignals: false });
  t.log(so.text());
  t.is(res.outcome.ran.length, 2);
  const rows = parseCsv(readFileSync(join(local, 'summary.csv'), 'utf8'));
  t.deepEqual(rows.map((r) => [r.name, r.lambda]), [['ew-tmax1-seed1-lambda0.5', 0.5], ['ew-tmax1-seed1-lambda1', 1]]);

  const server = await startNatsServer({}, { jetstream: true });
  const worker = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'experiments', 'worker.ts'), '--role', 'sweep', '--server', server.url, '--ack-wait-ms', '2000'], { cwd: ROOT, stdio: 'ignore' });
  try {
    const queued = join(tempDir(), 'queued');
    const qo = sink();
    const qres = await sweep(['--grid', grid, '--out', queued, '--queue', server.url, '--ack-wait-ms', '2000'], { stdout: qo, handleSignals: false });
    t.log(qo.text());
    t.is(qres.outcome.ran.length, 2);
    const sansTiming = (d: string) => {
      const lines = readFileSync(join(d, 'metrics.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
      const drop = lines[0].indexOf('step_ms');
      return lines.map((r) => r.filter((_, i) => i !== drop).join(',')).join('\n');
    };
    const state = (d: string) => {
      const { latencyState, assignState } = (JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')) as { coded: { latencyState: unknown; assignState: unknown } }).coded;
      return JSON.stringify({ latencyState, assignState });
    };
    for (const name of ['ew-tmax1-seed1-lambda0.5', 'ew-tmax1-seed1-lambda1']) {
      t.is(sansTiming(join(queued, 'runs', name)), sansTiming(join(local, 'runs', name)), name);
      t.is(state(join(queued, 'runs', name)), state(join(local, 'runs', name)), `${name}: latency and assignment state`);
    }
    t.regex(readFileSync(join(local, 'runs', 'ew-tmax1-seed1-lambda1', 'config.json'), 'utf8'), /"initialSlow"/);
  } finally {
    await new Promise<void>((r) => {
      worker.once('exit', () => r());
      worker.kill('SIGTERM');
    });
    await server.stop();
  }
});
