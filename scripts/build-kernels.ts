/**
 * `npm run build:kernels`: assembles the wasm SIMD kernels (src/coded-backprop/kernels/*.wat)
 * into the .wasm files next to them, which are committed (a few hundred bytes each) so that
 * nothing is compiled at install or start-up. test/heap-kernels.test.ts checks that the
 * committed binaries are what their sources assemble to.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleKernel } from '../src/coded-backprop/kernels/assemble.ts';

const dir = fileURLToPath(new URL('../src/coded-backprop/kernels/', import.meta.url));
for (const name of readdirSync(dir).filter((f) => f.endsWith('.wat'))) {
  const bytes = await assembleKernel(name, readFileSync(join(dir, name), 'utf8'));
  const out = join(dir, name.replace(/\.wat$/, '.wasm'));
  writeFileSync(`${out}.tmp`, bytes);
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${name.replace(/\.wat$/, '.wasm')} (${bytes.length} bytes)`);
}
