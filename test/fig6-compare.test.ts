/** fig6:compare: two sweeps run (or resumed) and compared in one command; CSV and figure written. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseCsv } from '../src/util/csv.ts';
import { decodePng, nonBackgroundPixels } from './helpers/png.ts';
import { useTempDir } from './helpers/io.ts';

const run = promisify(execFile);
const tempDir = useTempDir('fig6-compare-');

test('fig6:compare --compare design: paper and auto arms, compare.csv and compare.png; a rerun resumes', async (t) => {
  const out = join(tempDir(), 'cmp');
  const args = ['--import', 'tsx', 'experiments/fig6-compare.ts', '--compare', 'design', '--seeds', '1', '--tmax', '1', '--epochs', '1', '--limit', '320', '--jobs', '1', '--out', out];
  const first = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  t.regex(first.stdout, /\| now \| 1 \| 0\.\d{4} \| 0\.\d{4} \| [+-]0\.\d{4} \|/);
  const rows = parseCsv(await readFile(join(out, 'compare.csv'), 'utf8'));
  t.deepEqual(rows.map((r) => r.scheme), ['now', 'ew']);
  for (const r of rows) t.true(r.paper_seeds === 1 && r.auto_seeds === 1);
  const png = decodePng(await readFile(join(out, 'compare.png')));
  t.true(nonBackgroundPixels(png) > 0.01 * png.width * png.height);
  const auto = JSON.parse(await readFile(join(out, 'auto', 'runs', 'ew-tmax1-seed1', 'config.json'), 'utf8'));
  t.deepEqual(auto.options.design, { warmup: 50, every: 200 });
  const second = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  t.is((second.stdout.match(/skip /g) ?? []).length, 4, 'both arms resume: nothing retrained');
});
