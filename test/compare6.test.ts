/** compare6: final test accuracy of sweeps side by side (mean, min–max over seeds, difference). */
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare6 } from '../experiments/compare6.ts';
import { parseCsv } from '../src/util/csv.ts';
import { cliMessage } from './helpers/cli-message.ts';
import { useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('compare6-');

function fakeRun(sweep: string, scheme: string, tmax: number | null, seed: number, acc: number): void {
  const dir = join(sweep, 'runs', `${scheme}-${tmax === null ? '' : `tmax${tmax}-`}seed${seed}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metrics.csv'), 'iteration,test_acc\n1,0.5\n');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ options: { scheme, tmax, seed }, result: { finalTestAccuracy: acc, msPerStep: 1, iterations: 1, backend: 'fake' } }));
}

test('compare6: means over seeds with min–max, the difference last − first, a CSV; bad --sweeps named', async (t) => {
  const root = tempDir();
  const a = join(root, 'paper');
  const b = join(root, 'auto');
  fakeRun(a, 'ew', 0.5, 1, 0.7);
  fakeRun(a, 'ew', 0.5, 2, 0.8);
  fakeRun(b, 'ew', 0.5, 1, 0.75);
  fakeRun(b, 'ew', 0.5, 2, 0.9);
  fakeRun(b, 'now', 1, 1, 0.6);
  const lines: string[] = [];
  const written = await compare6(['--sweeps', `paper=${a},auto=${b}`, '--out', root], (l) => lines.push(l));
  const text = lines.join('\n');
  t.regex(text, /\| ew \| 0\.5 \| 0\.7500 \(0\.7000–0\.8000\) \| 0\.8250 \(0\.7500–0\.9000\) \| \+0\.0750 \|/);
  t.regex(text, /\| now \| 1 \| — \| 0\.6000 \| — \|/);
  const rows = parseCsv(readFileSync(written[0], 'utf8'));
  t.deepEqual(rows.find((r) => r.scheme === 'ew'), { scheme: 'ew', tmax: 0.5, paper_mean: 0.75, paper_min: 0.7, paper_max: 0.8, paper_seeds: 2, auto_mean: 0.825, auto_min: 0.75, auto_max: 0.9, auto_seeds: 2 });
  const err = await t.throwsAsync(compare6(['--sweeps', `x=${join(root, 'nowhere')}`], () => undefined));
  t.regex(cliMessage(err), /^--sweeps: .*has no runs\/ folder/);
});
