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
