/**
 * The module graph of src/ and experiments/ (relative imports only): no cycles, experiments do
 * not import other commands, and nothing outside the engine imports its internal files (only its
 * entry points src/coded-backprop/index.ts and plan-api.ts).
 */
import test from 'ava';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Relative import specifiers of a source text (static, re-export, side-effect and dynamic). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) specs.push(m[1]);
  return specs;
}

/** file (repo-relative) → imported files (repo-relative). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const abs of [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'experiments'))]) {
    const from = relative(ROOT, abs);
    const text = readFileSync(abs, 'utf8');
    g.set(
      from,
      importsOf(text).map((s) => relative(ROOT, resolve(dirname(abs), s))),
    );
  }
  return g;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('the import scanner sees static, re-export, side-effect and dynamic imports', (t) => {
  const text = `import a from './a.ts';\nexport { b } from "../b.ts";\nimport './c.ts';\nawait import('./d.ts');\nimport x from 'node:fs';`;
  t.deepEqual(importsOf(text), ['./a.ts', '../b.ts', './c.ts', './d.ts']);
});

test('the cycle finder finds a cycle and accepts a DAG', (t) => {
  t.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  t.deepEqual(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
});

test('no cycle in the module graph of src/ and experiments/', (t) => {
  const g = graph();
  t.true(g.size > 50, 'scanned the tree');
  t.deepEqual(cycles(g), []);
});

test('no cycle between the folders of src/ (e.g. montecarlo <-> workloads)', (t) => {
  const folder = (f: string) => f.split('/').slice(0, 2).join('/');
  const dirs = new Map<string, string[]>();
  for (const [from, tos] of graph()) {
    if (!from.startsWith('src/')) continue;
    const list = dirs.get(folder(from)) ?? [];
    for (const to of tos) if (to.startsWith('src/') && folder(to) !== folder(from)) list.push(folder(to));
    dirs.set(folder(from), list);
  }
  const found = cycles(dirs).filter((c) => !PENDING_FOLDER_CYCLES.has(c.join(' <-> ')));
  t.deepEqual(found, []);
});

/**
 * Folder cycles with an owner's note in TEAM.md (remove when fixed): config's option catalogue
 * reads the engine's name lists, and the engine's options.ts (lead's) takes config's presets/errors.
 */
const PENDING_FOLDER_CYCLES = new Set<string>();

/** Shared helper modules of the commands (not commands themselves). */
const COMMAND_HELPERS = new Set(['experiments/cli-common.ts', 'experiments/cli-montecarlo.ts', 'experiments/matmul-cxr.ts']);

/** Imports that break a rule below and have an owner's note in TEAM.md to move (remove when fixed). */
const PENDING = new Set<string>();

test('no command imports another command', (t) => {
  const bad: string[] = [];
  for (const [from, tos] of graph()) {
    if (!from.startsWith('experiments/')) continue;
    for (const to of tos) {
      if (to.startsWith('experiments/') && !COMMAND_HELPERS.has(to) && !PENDING.has(`${from} -> ${to}`)) bad.push(`${from} -> ${to}`);
    }
  }
  t.deepEqual(bad, []);
});

const ENGINE = 'src/coded-backprop/';
const ENGINE_ENTRY_POINTS = new Set([`${ENGINE}index.ts`, `${ENGINE}plan-api.ts`, `${ENGINE}names.ts`]);

test('outside the engine, only its entry points are imported', (t) => {
  const bad: string[] = [];
  for (const [from, tos] of graph()) {
    if (from.startsWith(ENGINE)) continue;
    for (const to of tos) {
      const edge = `${from} -> ${to}`;
      if (to.startsWith(ENGINE) && !ENGINE_ENTRY_POINTS.has(to) && !PENDING_ENGINE.has(edge)) bad.push(edge);
    }
  }
  t.deepEqual(bad, []);
});

/** Files of another owner still importing engine internals (TEAM.md names the exports to use). */
const PENDING_ENGINE = new Set<string>([
]);

/**
 * Specifiers a module loads when it is loaded (static imports and re-exports; not `import type`,
 * not `{ type A, type B }` lists, not dynamic `import()`): what runs before the module's body does.
 */
export function loadTimeImportsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /^(import|export)\s+(?!type\b)([^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const braces = /^\s*\{([^}]*)\}\s*from/.exec(m[2] ?? '');
    if (m[1] === 'import' && braces && braces[1].split(',').every((x) => x.trim() === '' || /^type\s/.test(x.trim()))) continue;
    specs.push(m[3]);
  }
  return specs;
}

/** Commands that parse and check their flags before they load tfjs (dynamic import after), so a bad flag is refused at once. */
const PARSE_BEFORE_TFJS = ['experiments/design.ts', 'experiments/train.ts', 'experiments/matmul.ts', 'experiments/fig2.ts', 'experiments/compare6.ts'];

test('commands that check their flags before loading tfjs load none of it with their modules (dynamic import after the checks)', (t) => {
  t.deepEqual(loadTimeImportsOf("import type { A } from './a.ts';\nimport { type B } from './b.ts';\nimport { C, type D } from './c.ts';\nexport { E } from './e.ts';\nconst f = await import('./f.ts');\n"), ['./c.ts', './e.ts']);
  const heavyPath = (file: string, seen = new Set<string>()): string[] | null => {
    if (seen.has(file)) return null;
    seen.add(file);
    const abs = join(ROOT, file);
    for (const s of loadTimeImportsOf(readFileSync(abs, 'utf8'))) {
      if (s.startsWith('@tensorflow/')) return [file, s];
      if (!s.startsWith('.')) continue;
      const sub = heavyPath(relative(ROOT, resolve(dirname(abs), s)), seen);
      if (sub) return [file, ...sub];
    }
    return null;
  };
  for (const cmd of PARSE_BEFORE_TFJS) t.is(heavyPath(cmd)?.join(' > ') ?? null, null, cmd);
});
