/**
 * `npm run bench:profile`: where the time of the six coded backward products goes, per scheme —
 * a CPU profile of the products of Table II (batch 64, T_max 1 by default), self time grouped
 * by what the functions do (src/bench/profile-products.ts), in µs per step's six products, beside
 * the exact products of the same inputs. Each code on its training grid (3×3; BACC 9×1).
 */
import { hideBin } from 'yargs/helpers';
import { resolveCodedOptions, type SchemeName } from '../src/coded-backprop/index.ts';
import { resolveValues, valuesFromArgv, withOptions } from '../src/config/index.ts';
import { profileProducts, timeExact } from '../src/bench/profile-products.ts';
import { benchProducts } from '../src/bench/table-ii.ts';
import { type BackendChoice, initBackend } from '../src/util/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { trainingGrid } from '../src/training/train-config.ts';
import { commandLine, isMainModule, runCommand } from './cli-common.ts';

const KEYS = ['codeSchemes', 'tmax', 'lambda', 'batch', 'rounds', 'perRound', 'seed', 'backend'] as const;

export async function benchProfile(args: string[]): Promise<void> {
  const argv = withOptions(commandLine('Profiles the six coded backward products: where their time goes, per scheme.', args), KEYS, 'bench').parseSync();
  const v = resolveValues(KEYS, valuesFromArgv(argv as Record<string, unknown>, KEYS), 'bench');
  const schemes = v.codeSchemes as SchemeName[];
  const calls = (v.rounds as number) * (v.perRound as number);
  const seed = v.seed as number;
  console.log(`backend: ${await initBackend(v.backend as BackendChoice)}`);
  console.log(`T_max = ${v.tmax as number}, λ = ${v.lambda as number}, batch ${v.batch as number}; ${calls} profiled calls of the six products per scheme, seed ${seed}`);
  const products = benchProducts(v.batch as number, new Rng(seed));
  const exactUs = timeExact(products, calls);
  const tables: Awaited<ReturnType<typeof profileProducts>>[] = [];
  for (const s of schemes) {
    const opts = resolveCodedOptions({ scheme: s, tmax: v.tmax as number, latency: { lambda: v.lambda as number }, ...trainingGrid(s) });
    tables.push(await profileProducts(products, opts, new Rng(seed + 1), calls));
    process.stderr.write(`profiled ${s}\n`);
  }
  const w = 40;
  console.log(`\nµs per step's six products (self time by group; exact products of the same inputs: ${exactUs.toFixed(0)} µs, timed)`);
  console.log('group'.padEnd(w) + schemes.map((s) => s.padStart(9)).join(''));
  tables[0].rows.forEach((row, i) => console.log(row.group.padEnd(w) + tables.map((t) => t.rows[i].us.toFixed(0).padStart(9)).join('')));
  console.log('total (profiled)'.padEnd(w) + tables.map((t) => t.totalUs.toFixed(0).padStart(9)).join(''));
  console.log('total / exact'.padEnd(w) + tables.map((t) => `${(t.totalUs / exactUs).toFixed(2)}×`.padStart(9)).join(''));
}

if (isMainModule(import.meta.url)) void runCommand(() => benchProfile(hideBin(process.argv)));
