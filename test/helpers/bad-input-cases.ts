/**
 * The cases of the bad-input suite (test/bad-input.test.ts): command, arguments, files to create
 * first, and what the one error line must name. Also used by scripts that time the cases.
 */
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshot } from './snapshot.ts';

export { snapshot };

/** Whether @tensorflow/tfjs-node resolves here (then `--backend node` is no bad input). */
function tfjsNodeInstalled(): boolean {
  try {
    import.meta.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** What a case gets: its directory (the cwd) and the servers' URLs. */
export interface Ctx {
  dir: string;
  /** nothing listening */
  dead: string;
  /** a server without JetStream */
  nojs: string;
}

export interface Case {
  name: string;
  cmd: string;
  args: (c: Ctx) => string[];
  /** Files to create first (paths relative to the case directory). */
  setup?: (dir: string) => void;
  /** What the one stderr line must contain (the flag or the file). */
  names: RegExp | ((c: Ctx) => RegExp);
}

// --- file fixtures -----------------------------------------------------------
const TRACE_HEADER = 'step,product,worker,dispatched_ms,replied_ms,in_time,deadline_ms\n';
type FileKind = 'missing' | 'empty' | 'binary' | 'truncated' | 'huge' | 'directory' | 'device';
const FILE_KINDS: FileKind[] = ['missing', 'empty', 'binary', 'truncated', 'huge', 'directory', 'device'];
/** Path (relative to the case dir) of a file of `kind`, created by the returned setup. */
function fileOf(kind: FileKind, name: string, truncated: string): { path: string; setup: (dir: string) => void } {
  const rel = join('in', name);
  return {
    path: kind === 'device' ? '/dev/zero' : rel,
    setup: (dir) => {
      mkdirSync(join(dir, 'in'), { recursive: true });
      const p = join(dir, rel);
      if (kind === 'empty') writeFileSync(p, '');
      if (kind === 'binary') writeFileSync(p, Buffer.from([0, 159, 146, 150, 255, 0, 1, 2, 3, 0xc3, 0x28]));
      if (kind === 'truncated') writeFileSync(p, truncated);
      if (kind === 'huge') {
        writeFileSync(p, TRACE_HEADER);
        truncateSync(p, 300 * 1024 * 1024); // sparse: no disk used
      }
      if (kind === 'directory') mkdirSync(p);
    },
  };
}
const fileName = (kind: FileKind, name: string) => (kind === 'device' ? /\/dev\/zero/ : new RegExp(name.replace('.', '\\.')));

export const cases: Case[] = [];
const add = (c: Case) => cases.push(c);
/** Option-kind cases: `flag value` rejected by `cmd` and named in the error. */
function optionCases(cmd: string, base: string[], list: Array<[string, string]>): void {
  const where = base.filter((b) => b.startsWith('--') && b !== '--out' && b !== '--no-progress').join(' ');
  for (const [flag, value] of list) add({ name: `${cmd}${where ? ` ${where}` : ''} --${flag} ${value}`, cmd, args: () => [...base, `--${flag}`, value], names: new RegExp(`--${flag}\\b`) });
}

// --- every command: an unknown flag, a flag without its value ----------------
const COMMANDS = ['matmul', 'bench', 'bench-train', 'bench-profile', 'fig2', 'fig3', 'fig4', 'journal-rxc', 'journal-cxr', 'train', 'fig6', 'plot6', 'compare6', 'fig6-compare', 'sweep', 'design', 'worker', 'energies', 'fit-latency'];
for (const cmd of COMMANDS) add({ name: `${cmd} --bogus (unknown flag)`, cmd, args: () => ['--bogus', '1'], names: /bogus/ });
for (const cmd of ['matmul', 'train', 'design', 'worker']) add({ name: `${cmd} --seed (no value)`, cmd, args: () => (cmd === 'worker' ? ['--concurrency'] : ['--seed']), names: cmd === 'worker' ? /concurrency/ : /seed/ });

// --- option kinds ------------------------------------------------------------
optionCases('train', ['--out', 'out'], [
  ['epochs', '0'], ['epochs', '1.5'], ['batch', 'x'], ['lr', 'NaN'], ['lr', 'inf'], ['tmax', '0'], ['workers', '1e9'], ['gamma', '0.5,0.6'],
  ['scheme', 'foo'], ['seed', '99999999999'], ['limit', '0'], ['backend', 'gpu'], ['design', 'manual'], ['latency', 'foo'], ['shift', '-1'],
  ['runtime', 'cloud'], ['straggle', 'sometimes'], ['on-disconnect', 'maybe'], ['time-unit-ms', '0'], ['deadline-ms', '-5'], ['threads', '0'],
]);
optionCases('matmul', ['--partition', 'cxr'], [['packet-classes', '0,9'], ['packets', '0']]);
optionCases('matmul', [], [
  ['workers', '-1'], ['tmax', 'x'], ['trials', '0'], ['trials', '1e12'], ['variances', '1,-1'], ['executor', 'gpu'], ['ordering', 'random'], 
  ['scheme', 'nope'], ['lambda', '0'], ['latency', 'pareto:3'],
]);
optionCases('fig2', [], [['workers', '0'], ['workers', 'x'], ['gamma', '1,1'], ['classes', '0,1'], ['classes', 'a'], ['schemes', 'now,foo']]);
optionCases('fig3', ['--no-progress'], [['trials', '-1'], ['confidence', '1.5'], ['y-scale', 'cubic'], ['times', '1:0:0.1'], ['granularities', 'foo'], ['row-blocks', '0'], ['class-table', '9/9'], ['threads', '-2']]);
optionCases('fig4', ['--no-progress'], [['trials', 'x'], ['schemes', 'zzz'], ['variances', '']]);
optionCases('journal-rxc', ['--no-progress'], [['times', 'abc'], ['workers', '2.5']]);
optionCases('journal-cxr', ['--no-progress'], [['packet-classes', 'x'], ['lambda', '-1']]);
optionCases('design', ['--scheme', 'ew'], [['tmax', '0'], ['tmax', 'x']]);
optionCases('design', ['--scheme', 'ew', '--tmax', '1'], [['class-sizes', '0,1'], ['energies', '-1,1,1'], ['grid-points', '0'], ['trials', '-1'], ['workers', '0']]);
add({ name: 'design without --scheme', cmd: 'design', args: () => ['--tmax', '1'], names: /--scheme/ });
optionCases('bench', [], [['rounds', '0'], ['per-round', '-1'], ['batch', 'x'], ['schemes', 'foo'], ['runtime', 'x'], ['nats-workers', 'a']]);
optionCases('bench-train', [], [['head', '-1'], ['epochs', 'x']]);
optionCases('bench-profile', [], [['rounds', 'x'], ['schemes', 'foo']]);
optionCases('fig6', ['--out', 'out'], [['schemes', 'foo'], ['tmax', '0'], ['tmax', '1,1'], ['seeds', '-1'], ['seeds', '1,1'], ['jobs', '0'], ['epochs', '0'], ['ack-wait-ms', '10']]);
optionCases('fig6-compare', ['--out', 'out'], [['compare', 'foo'], ['seeds', 'x'], ['jobs', '-1']]);
optionCases('sweep', ['--out', 'out', '--grid', 'in/grid.json'], [['jobs', '0']]);
optionCases('worker', [], [['concurrency', '0'], ['concurrency', 'x'], ['role', 'boss'], ['server', 'http://127.0.0.1:1'], ['ack-wait-ms', '1'], ['allow-dir', 'in/none']]);
optionCases('worker', ['--role', 'sweep'], [['ack-wait-ms', '1'], ['allow-dir', 'in/none']]);
optionCases('energies', ['--out', 'out'], [['energy-every', '-1'], ['batch', '0'], ['backend', 'tpu'], ['data-dir', 'in/none']]);
for (const [flag, value] of [['workers', '0'], ['tmax', '-1'], ['time-unit-ms', '0']]) {
  add({ name: `fit-latency --${flag} ${value}`, cmd: 'fit-latency', args: () => ['--trace', 'in/t.csv', '--out', 'out', `--${flag}`, value], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 't.csv'), `${TRACE_HEADER}0,0,0,0,5,1,10\n0,0,1,0,7,1,10\n`); }, names: new RegExp(`--${flag}\\b`) });
}
optionCases('plot6', [], [['window', '0'], ['window', 'x']]);
add({ name: 'plot6 --out a directory without runs/', cmd: 'plot6', args: () => ['--out', 'in'], setup: (d) => mkdirSync(join(d, 'in')), names: /--out/ });
add({ name: 'compare6 --sweeps malformed', cmd: 'compare6', args: () => ['--sweeps', 'noequals', '--out', 'out'], names: /--sweeps/ });
add({ name: 'compare6 --sweeps a missing directory', cmd: 'compare6', args: () => ['--sweeps', 'a=in/none,b=in/none2', '--out', 'out'], names: /in\/none/ });
add({ name: 'sweep without --grid', cmd: 'sweep', args: () => ['--out', 'out'], names: /--grid/ });
add({ name: 'train --user without --pass', cmd: 'train', args: () => ['--runtime', 'nats', '--user', 'u', '--out', 'out'], names: /--user/ });
add({ name: 'worker --user without --pass', cmd: 'worker', args: () => ['--user', 'u'], names: /--user/ });
add({ name: 'fig6 --queue with --runtime threads', cmd: 'fig6', args: (c) => ['--queue', c.nojs, '--runtime', 'threads', '--out', 'out'], names: /--queue/ });
add({ name: 'fig6 --queue not a URL', cmd: 'fig6', args: () => ['--queue', 'localhost', '--out', 'out'], names: /--queue/ });
add({ name: 'fig2 --workers over its cap', cmd: 'fig2', args: () => ['--workers', '30000'], names: /--workers/ });

// --- file inputs -------------------------------------------------------------
for (const kind of FILE_KINDS) {
  const trunc = `${TRACE_HEADER}0,0,0,0,`;
  {
    const f = fileOf(kind, 'pool.csv', trunc);
    add({ name: `matmul --latency trace-pool:FILE (${kind})`, cmd: 'matmul', args: () => ['--latency', `trace-pool:${f.path}`], setup: f.setup, names: fileName(kind, 'pool.csv') });
  }
  {
    const f = fileOf(kind, 'replay.csv', trunc);
    add({ name: `train --latency trace:FILE (${kind})`, cmd: 'train', args: () => ['--latency', `trace:${f.path}`, '--out', 'out'], setup: f.setup, names: fileName(kind, 'replay.csv') });
  }
  {
    const f = fileOf(kind, 'trace.csv', trunc);
    add({ name: `fit-latency --trace FILE (${kind})`, cmd: 'fit-latency', args: () => ['--trace', f.path, '--out', 'out'], setup: f.setup, names: fileName(kind, 'trace.csv') });
  }
  {
    const f = fileOf(kind, 'grid.json', '{"schemes": ["ew"], "tmax": [1');
    add({ name: `sweep --grid FILE (${kind})`, cmd: 'sweep', args: () => ['--grid', f.path, '--out', 'out'], setup: f.setup, names: fileName(kind, 'grid.json') });
  }
  {
    const f = fileOf(kind, 'pool2.csv', trunc);
    add({ name: `design --latency trace-pool:FILE (${kind})`, cmd: 'design', args: () => ['--scheme', 'ew', '--tmax', '1', '--latency', `trace-pool:${f.path}`], setup: f.setup, names: fileName(kind, 'pool2.csv') });
  }
}
// a run directory's files, read by plot6 (metrics.csv, config.json) and fig6 (queue.json)
const runDir = (dir: string, metrics: string | Buffer, config: string) => {
  const r = join(dir, 'sw', 'runs', 'baseline-seed1');
  mkdirSync(r, { recursive: true });
  writeFileSync(join(r, 'metrics.csv'), metrics);
  writeFileSync(join(r, 'config.json'), config);
};
const CONFIG = JSON.stringify({ options: { scheme: 'baseline', seed: 1 }, result: { finalTestAccuracy: 0.9 } });
add({ name: 'plot6 with an empty metrics.csv', cmd: 'plot6', args: () => ['--out', 'sw'], setup: (d) => runDir(d, '', CONFIG), names: /metrics\.csv/ });
add({ name: 'plot6 with a binary metrics.csv', cmd: 'plot6', args: () => ['--out', 'sw'], setup: (d) => runDir(d, Buffer.from([0, 1, 2, 255, 0, 10, 0]), CONFIG), names: /metrics\.csv/ });
add({ name: 'plot6 with a corrupt config.json', cmd: 'plot6', args: () => ['--out', 'sw'], setup: (d) => runDir(d, 'iteration,epoch,train_loss,train_acc,test_acc,step_ms\n1,1,2.3,0.1,,5\n', '{"options": '), names: /config\.json/ });
add({ name: 'plot6 --out a missing directory', cmd: 'plot6', args: () => ['--out', 'in/none'], names: /in\/none/ });
add({ name: 'plot6 --out a file', cmd: 'plot6', args: () => ['--out', 'in/f'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'f'), 'x'); }, names: /in\/f/ });
add({ name: 'fig6 with a corrupt OUT/queue.json', cmd: 'fig6', args: (c) => ['--queue', c.nojs, '--out', 'q', '--schemes', 'baseline', '--seeds', '1'], setup: (d) => { mkdirSync(join(d, 'q')); writeFileSync(join(d, 'q', 'queue.json'), '\u0000\u0001'); }, names: /queue\.json/ });
add({ name: 'train --data-dir missing', cmd: 'train', args: () => ['--data-dir', 'in/none', '--out', 'out'], names: /--data-dir/ });
add({ name: 'train --data-dir a file', cmd: 'train', args: () => ['--data-dir', 'in/f', '--out', 'out'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'f'), 'x'); }, names: /--data-dir/ });
add({ name: 'worker --allow-dir a file', cmd: 'worker', args: () => ['--role', 'sweep', '--allow-dir', 'in/f'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'f'), 'x'); }, names: /--allow-dir/ });
add({ name: 'sweep --grid with an unknown field', cmd: 'sweep', args: () => ['--grid', 'in/g.json', '--out', 'out'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'g.json'), '{"schemes":["ew"],"tmax":[1],"seeds":[1],"bogus":1}'); }, names: /g\.json/ });
add({ name: 'sweep --grid with a bad option value', cmd: 'sweep', args: () => ['--grid', 'in/g.json', '--out', 'out'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'g.json'), '{"schemes":["ew"],"tmax":[1],"seeds":[1],"options":{"epochs":-1}}'); }, names: /epochs/ });

add({ name: 'train --latency trace:FILE with a non-numeric replied_ms', cmd: 'train', args: () => ['--latency', 'trace:in/r.csv', '--out', 'out'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'r.csv'), 'step,product,worker,dispatched_ms,replied_ms,in_time,deadline_ms,time_unit_ms\n0,0,0,0,abc,1,10,50\n'); }, names: /r\.csv.*numeric replied_ms/ });
if (!tfjsNodeInstalled()) add({ name: 'train --backend node (tfjs-node not installed)', cmd: 'train', args: () => ['--backend', 'node', '--limit', '64', '--out', 'out'], names: /--backend/ });

// --- URL inputs: nothing listening, no JetStream -------------------------------
add({ name: 'train --runtime nats, nothing listening', cmd: 'train', args: (c) => ['--runtime', 'nats', '--server', c.dead, '--out', 'out', '--limit', '64'], names: /--server/ });
add({ name: 'matmul --runtime nats, nothing listening', cmd: 'matmul', args: (c) => ['--runtime', 'nats', '--server', c.dead, '--trials', '2'], names: /--server/ });
add({ name: 'bench --runtime nats, nothing listening', cmd: 'bench', args: (c) => ['--runtime', 'nats', '--server', c.dead, '--rounds', '1', '--no-steps'], names: /--server/ });
add({ name: 'worker, nothing listening', cmd: 'worker', args: (c) => ['--server', c.dead], names: /--server/ });
add({ name: 'worker --role sweep, nothing listening', cmd: 'worker', args: (c) => ['--role', 'sweep', '--server', c.dead], names: /--server/ });
add({ name: 'worker --role sweep, no JetStream', cmd: 'worker', args: (c) => ['--role', 'sweep', '--server', c.nojs], names: /--server.*-js/ });
add({ name: 'fig6 --queue, nothing listening', cmd: 'fig6', args: (c) => ['--queue', c.dead, '--out', 'out', '--schemes', 'baseline', '--seeds', '1'], names: /--queue.*-js/ });
add({ name: 'fig6 --queue, no JetStream', cmd: 'fig6', args: (c) => ['--queue', c.nojs, '--out', 'out', '--schemes', 'baseline', '--seeds', '1'], names: /--queue.*-js/ });
add({ name: 'sweep --queue, nothing listening', cmd: 'sweep', args: (c) => ['--queue', c.dead, '--grid', 'in/g.json', '--out', 'out'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'g.json'), '{"schemes":["baseline"],"seeds":[1],"options":{"limit":64}}'); }, names: /--queue/ });
add({ name: 'sweep --queue, no JetStream', cmd: 'sweep', args: (c) => ['--queue', c.nojs, '--grid', 'in/g.json', '--out', 'out'], setup: (d) => { mkdirSync(join(d, 'in')); writeFileSync(join(d, 'in', 'g.json'), '{"schemes":["baseline"],"seeds":[1],"options":{"limit":64}}'); }, names: /--queue.*-js/ });
add({ name: 'matmul --runtime nats --server not a URL', cmd: 'matmul', args: () => ['--runtime', 'nats', '--server', 'ftp://x'], names: /--server/ });

