import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trainCommand } from '../experiments/train.ts';
import { parseCsv } from '../src/util/csv.ts';
import { sink, useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('runtime-train-');

test.serial('train --runtime threads: real workers with a wall-clock deadline; metrics finite, workers counted, runtime recorded', async (t) => {
  const out = join(tempDir(), 'ew-threads');
  const so = sink();
  await trainCommand(
    ['--scheme', 'ew', '--tmax', '0.5', '--runtime', 'threads', '--threads', '2', '--limit', '640', '--epochs', '1', '--eval-every', '1000', '--test-limit', '300', '--out', out],
    { stdout: so, handleSignals: false },
  );
  t.log(so.text().split('\n').filter((l) => l.startsWith('runtime')).join('\n'));
  t.regex(so.text(), /runtime: threads \(2 worker threads\), injected delays = model draws × 50 ms, deadline T_max × 50 ms = 25 ms/);
  t.regex(so.text(), /runtime: replies in time \d+ of 900, late \d+, rejected 0/);
  const rows = parseCsv(await readFile(join(out, 'metrics.csv'), 'utf8'));
  t.is(rows.length, 10);
  for (const r of rows) {
    t.true(Number.isFinite(r.train_loss as number), 'no NaN');
    t.true((r.workers_received as number) >= 0 && (r.workers_received as number) <= 6 * 15);
    t.true((r.step_ms as number) > 0);
    t.is(r.rejected, 0);
    t.true(Number.isInteger(r.late) && Number.isInteger(r.blocks_withheld));
  }
  t.true(rows.some((r) => (r.workers_received as number) > 0), 'some workers arrive in time');
  // the console's run total of late replies is the sum of the per-step column
  const lateTotal = Number(/late (\d+), rejected/.exec(so.text())?.[1]);
  t.true(rows.reduce((s, r) => s + (r.late as number), 0) <= lateTotal);
  const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
  t.is(JSON.stringify(config).includes('"runtime":"threads"'), true);
});

test.serial('train --runtime threads --scheme baseline is refused, naming the flag', async (t) => {
  await t.throwsAsync(trainCommand(['--scheme', 'baseline', '--runtime', 'threads', '--threads', '1', '--limit', '64', '--out', join(tempDir(), 'b')], { stdout: sink(), handleSignals: false }), {
    message: /--runtime: the baseline has exact products/,
  });
});

test.serial('fig6 --runtime threads: coded runs on real workers, one at a time; the wall-clock figure is drawn; a sim rerun into the same folder is refused', async (t) => {
  const { fig6 } = await import('../experiments/fig6.ts');
  const { decodePng, nonBackgroundPixels } = await import('./helpers/png.ts');
  const out = join(tempDir(), 'fig6-threads');
  const so = sink();
  const args = ['--schemes', 'baseline,ew', '--tmax', '0.5', '--seeds', '1', '--epochs', '1', '--limit', '320', '--test-limit', '200', '--eval-every', '2', '--out', out];
  const res = await fig6([...args, '--runtime', 'threads', '--threads', '2', '--jobs', '2'], { stdout: so, handleSignals: false });
  t.regex(so.text(), /runs one training at a time \(--jobs 2 ignored\)/);
  t.is(res.outcome.ran.length, 2);
  const runtimeOf = async (name: string) => JSON.parse(await readFile(join(out, 'runs', name, 'config.json'), 'utf8')).runtime;
  t.is(await runtimeOf('ew-tmax0.5-seed1'), 'threads');
  t.is(await runtimeOf('baseline-seed1'), 'sim', 'the baseline has no workers');
  const png = decodePng(await readFile(join(out, 'fig6-wallclock.png')));
  t.true(png.width > 600 && png.height > 200);
  t.true(nonBackgroundPixels(png) > 0.01 * png.width * png.height, 'the chart has content');
  // the same folder under the simulator: the coded run was made on another runtime
  await t.throwsAsync(fig6(args, { stdout: sink(), handleSignals: false }), { message: /runtime: "?threads"? → sim|runtime: threads → sim/ });
});

test.serial('train --latency trace:FILE replays a threads run: every step receives exactly the workers the real run received', async (t) => {
  const real = join(tempDir(), 'real');
  const trace = join(tempDir(), 'real-trace.csv');
  const common = ['--scheme', 'ew', '--tmax', '0.5', '--limit', '320', '--epochs', '1', '--eval-every', '1000', '--test-limit', '200'];
  await trainCommand([...common, '--runtime', 'threads', '--threads', '2', '--trace', trace, '--out', real], { stdout: sink(), handleSignals: false });
  const replay = join(tempDir(), 'replay');
  await trainCommand([...common, '--latency', `trace:${trace}`, '--out', replay], { stdout: sink(), handleSignals: false });
  const rows = async (dir: string) => parseCsv(await readFile(join(dir, 'metrics.csv'), 'utf8'));
  const [a, b] = [await rows(real), await rows(replay)];
  t.is(a.length, 5);
  t.deepEqual(b.map((r) => r.workers_received), a.map((r) => r.workers_received), 'the same received count in every step');
  t.deepEqual(
    b.map((r) => (r.blocks_recovered as number) + (r.blocks_withheld as number)),
    a.map((r) => (r.blocks_recovered as number) + (r.blocks_withheld as number)),
    'the same blocks determined in every step',
  );
  const config = JSON.parse(await readFile(join(replay, 'config.json'), 'utf8'));
  t.is(config.coded.replay.calls, 30, '5 steps × 6 products replayed');
  // a longer run than the recorded one cannot be replayed
  const longer = common.map((x) => (x === '320' ? '640' : x));
  await t.throwsAsync(trainCommand([...longer, '--latency', `trace:${trace}`, '--out', join(tempDir(), 'long')], { stdout: sink(), handleSignals: false }), {
    message: /has no call step 5, product 0 \(it recorded 5 step\(s\)\)/,
  });
  // a different W is refused naming --workers
  await t.throwsAsync(trainCommand([...common, '--workers', '12', '--latency', `trace:${trace}`, '--out', join(tempDir(), 'w')], { stdout: sink(), handleSignals: false }), {
    message: /recorded with W = 15/,
  });
});
