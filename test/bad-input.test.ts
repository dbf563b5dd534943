/**
 * The table-driven bad-input suite (issue 19): every command, every option kind, every file input
 * (missing, empty, binary, truncated, huge, not a regular file) and every URL input (nothing
 * listening, no JetStream). For each case, run as a user would (a child process, cwd a fresh
 * directory): non-zero exit, no hang, exactly one line on stderr naming the flag or the file, no
 * stack trace anywhere, and nothing left behind (the directory holds what it held before).
 *
 * Cases run two at a time (each is a process start: ~1–4 s on a loaded 2-core machine).
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cases, snapshot, type Case, type Ctx } from './helpers/bad-input-cases.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/util/nats-server-process.ts';
import { startNatsServer, type TestNatsServer } from './helpers/nats-server.ts';
import { hasStackTrace, linesOf, runCli } from './helpers/run-cli.ts';

let root = '';
let nojs: TestNatsServer;
let dead = '';
test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'bad-input-'));
  nojs = await startNatsServer();
  dead = `nats://127.0.0.1:${await freePort()}`;
});
test.after.always(async () => {
  await nojs?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Outcome {
  c: Case;
  problems: string[];
  ms: number;
}

async function runCase(c: Case, i: number): Promise<Outcome> {
  const dir = join(root, `case${i}`);
  mkdirSync(dir);
  c.setup?.(dir);
  const before = snapshot(dir);
  const ctx: Ctx = { dir, dead, nojs: nojs.url };
  const r = await runCli(`${c.cmd}.ts`, c.args(ctx), { cwd: dir, timeoutMs: 90_000 });
  const problems: string[] = [];
  const errLines = linesOf(r.stderr);
  if (r.hung) problems.push('hung (killed after 90 s)');
  else if (r.code === 0) problems.push('exit 0');
  if (errLines.length !== 1) problems.push(`${errLines.length} stderr lines`);
  const names = typeof c.names === 'function' ? c.names(ctx) : c.names;
  if (!names.test(r.stderr)) problems.push(`stderr does not name ${names}`);
  if (hasStackTrace(r.stderr) || hasStackTrace(r.stdout)) problems.push('stack trace');
  const after = snapshot(dir);
  if (after.join('\n') !== before.join('\n')) problems.push(`left behind: ${after.filter((x) => !before.includes(x)).join(', ')}`);
  if (problems.length) problems.push(`stderr: ${r.stderr.trim().slice(0, 400)}`);
  return { c, problems, ms: r.ms };
}

/** Two cases at a time: each is a process start. */
let free = 2;
const waiting: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (free === 0) await new Promise<void>((r) => waiting.push(r));
  else free--;
  try {
    return await f();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free++;
  }
}

const t0 = performance.now();
test('the table has at least 150 cases', (t) => {
  t.true(cases.length >= 150, `${cases.length} cases`);
});
cases.forEach((c, i) => {
  // one test per case: results stream in, and a failure names its case
  test(`bad input: ${c.name}`, async (t) => {
    // every case's test starts at once and waits for a slot: the timeout counts from then
    t.timeout(60 * 60_000);
    const o = await slot(() => {
      t.timeout(5 * 60_000);
      return runCase(c, i);
    });
    t.deepEqual(o.problems, [], `${o.c.name} (${(o.ms / 1000).toFixed(1)} s)`);
  });
});
test.after(() => {
  // the suite's wall time, for the README (ava prints nothing of a hook's output; stderr does)
  process.stderr.write(`bad-input: ${cases.length} cases in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
});
