/**
 * Converts a representative set of the FaaS parallelism benchmark's results (compute tasks at
 * several burst sizes, per provider) into the burst CSVs under data/traces/ (one per provider),
 * which `--latency bursts:FILE` reads. Rerunnable:
 *
 *   git clone https://github.com/danielBCN/faas-parallelism-benchmark /tmp/faas
 *   git -C /tmp/faas checkout 3012d720fe220f9600fb9feb2538cfc6f41b39f6
 *   npx tsx scripts/convert-faas-traces.ts /tmp/faas [data/traces]
 *
 * Columns: burst, size, index (the record's position in its file), task_ms = pyend_ms − pystart_ms
 * (client-observed), duration_ms (the function's own). The numbers are written as JavaScript prints
 * the doubles, so parsing them gives back exactly the computed values.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BURST_COLUMNS, burstRows, type BurstRow } from '../src/coded-backprop/latency/faas-records.ts';
import { formatCsv } from '../src/util/csv.ts';

/** Per provider: the compute-task results files converted (one burst each). */
export const SELECTION: Record<string, string[]> = {
  aws: ['work_size=10', 'work_size=50', 'work_size=100', 'work_size=200'],
  azure: ['work_size=20', 'work_size=50', 'works_size=100', 'work_load_size=200'],
  gcp: ['work_size=10', 'work_size=50', 'work_size=100', 'work_size=200'],
  ibm: ['work_size=10', 'work_size=50', 'work_size=100', 'work_size=200'],
};

const [src, out = 'data/traces'] = process.argv.slice(2);
if (!src || !existsSync(join(src, 'LICENSE.md'))) {
  console.error('usage: npx tsx scripts/convert-faas-traces.ts SOURCE_DIR [OUT_DIR]  (SOURCE_DIR: a checkout of danielBCN/faas-parallelism-benchmark, with its LICENSE.md)');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
for (const [provider, bursts] of Object.entries(SELECTION)) {
  const rows: BurstRow[] = [];
  for (const burst of bursts) {
    const file = join(src, provider, 'run-experiment', 'results', `${burst}.json`);
    rows.push(...burstRows(readFileSync(file, 'utf8'), burst));
  }
  const path = join(out, `${provider}.csv`);
  writeFileSync(`${path}.tmp`, formatCsv(rows, BURST_COLUMNS));
  renameSync(`${path}.tmp`, path);
  console.log(`wrote ${path}: ${rows.length} invocations in ${bursts.length} bursts (${bursts.join(', ')})`);
}
