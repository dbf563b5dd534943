/**
 * A `--queue` sweep's live status (real nats-server with JetStream, one worker process): the
 * worker's heartbeat carries the running run's status record (from its `.partial-<pid>`
 * directory), the submitter writes it into the sweep folder as `<run>.status.json`, and the
 * report's scan shows the run running with its step; once downloaded, the run is done.
 */
import test from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fig6 } from '../experiments/fig6.ts';
import { scanResults } from '../src/report/index.ts';
import { readStatusFile, sweepStatusPath, type RunStatus } from '../src/training/run-status.ts';
import { sink, useTempDir } from './helpers/io.ts';
import { startNatsServer } from './helpers/nats-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tempDir = useTempDir('report-queue-');
let worker: ChildProcess | null = null;
test.after.always(() => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
});

test('a queued run reports its step through the heartbeat into the sweep folder', async (t) => {
  const server = await startNatsServer({}, { jetstream: true });
  worker = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'experiments', 'worker.ts'), '--role', 'sweep', '--server', server.url, '--ack-wait-ms', '1500'], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<void>((done) => worker!.once('exit', () => done()));
  try {
    const out = join(tempDir(), 'queued');
    const runDir = join(out, 'runs', 'ew-tmax0.5-seed1');
    const seen: RunStatus[] = [];
    const scanned = new Set<string>();
    let watching = true;
    // what a live view reads while the sweep runs
    const watch = (async () => {
      while (watching) {
        const s = readStatusFile(sweepStatusPath(runDir));
        if (s && (seen.length === 0 || seen[seen.length - 1].step !== s.step)) seen.push(s);
        if (existsSync(out)) {
          const row = scanResults([out], { href: String }).runs.find((r) => r.name === 'ew-tmax0.5-seed1');
          if (row) scanned.add(row.state === 'running' ? `running ${row.step}/${row.totalSteps}` : row.state);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // 2 × 200 steps of 64: a few heartbeats (every 0.5 s)
    const args = ['--schemes', 'ew', '--tmax', '0.5', '--seeds', '1', '--limit', '12800', '--epochs', '2', '--eval-every', '20', '--test-limit', '200', '--ack-wait-ms', '1500'];
    let res;
    try {
      res = await fig6([...args, '--queue', server.url, '--out', out], { stdout: sink(), handleSignals: false });
    } finally {
      watching = false;
      await watch;
    }
    t.deepEqual(res.outcome.ran.map((r) => r.name), ['ew-tmax0.5-seed1']);
    t.log(`status records seen: ${seen.map((s) => `${s.state} ${s.step}/${s.totalSteps}`).join(', ')}; scan states: ${[...scanned].join(', ')}`);
    const running = seen.filter((s) => s.state === 'running' && s.totalSteps === 400);
    t.true(running.length > 0, 'a running status record reached the sweep folder');
    t.true([...scanned].some((s) => /^running \d+\/400$/.test(s)), [...scanned].join(', '));
    const row = scanResults([out], { href: String }).runs.find((r) => r.name === 'ew-tmax0.5-seed1');
    t.is(row?.state, 'done');
  } finally {
    worker.kill('SIGTERM');
    await exited;
    await server.stop();
  }
});
