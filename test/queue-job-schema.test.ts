/**
 * The sweep job's strict schema (src/queue/job-schema.ts): every field checked before a worker
 * acts, names safe as file names, options through the catalogue, file-naming options refused
 * unless inside --allow-dir; and the scratch-directory containment check.
 */
import test from 'ava';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { insideScratch, isSafeRunName, JobRefusal, parseSweepJob } from '../src/queue/job-schema.ts';
import { jobInput } from '../src/queue/submit.ts';
import { useTempDir } from './helpers/io.ts';

const tempDir = useTempDir('job-schema-');
const enc = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o));
const good = { v: 1, sweep: 'sabc123', name: 'ew-tmax0.5-seed1', submission: 'deadbeef', backend: 'wasm', input: { scheme: 'ew', tmax: 0.5, seed: 1, limit: 320, epochs: 1 } };

function refused(t: import('ava').ExecutionContext, job: unknown, pattern: RegExp, policy = {}): JobRefusal {
  const err = t.throws(() => parseSweepJob(enc(job), policy), { instanceOf: JobRefusal });
  t.regex(err!.reason, pattern);
  return err as JobRefusal;
}

test('a well-formed job passes and resolves through the catalogue', (t) => {
  const { job, config } = parseSweepJob(enc(good));
  t.is(job.name, 'ew-tmax0.5-seed1');
  t.is(config.scheme, 'ew');
  t.is(config.tmax, 0.5);
  t.is(config.limit, 320);
});

test('traversal and separator names are refused (the reported /../../../tmp/x/victim among them)', (t) => {
  for (const name of ['/../../../tmp/x/victim', '../victim', 'a/b', 'a\\b', '..', '.hidden', 'a..b', '', 'x'.repeat(161), 'a b', 'a\0b']) {
    refused(t, { ...good, name }, /run name/);
    t.false(isSafeRunName(name), name);
  }
  for (const sweep of ['../s', 's/1', '', 's.1', 'x'.repeat(65)]) refused(t, { ...good, sweep }, /sweep id/);
  // real run names pass
  for (const name of ['baseline-seed1', 'ew-tmaxinf-seed2', 'now-tmax0.25-seed3-gamma0.5,0.3,0.2', 'ew-tmax1-seed2-lambda0.5']) t.true(isSafeRunName(name), name);
});

test('malformed messages: not JSON, not an object, unknown fields, wrong version, too large', (t) => {
  refused(t, '{', /not JSON/);
  refused(t, '[1,2]', /not a JSON object/);
  refused(t, 'null', /not a JSON object/);
  refused(t, { ...good, extra: 1 }, /unknown field "extra"/);
  refused(t, { ...good, v: 2 }, /unsupported version/);
  refused(t, { ...good, submission: '../x' }, /submission/);
  refused(t, { ...good, input: { ...good.input, pad: 'x'.repeat(70_000) } }, /bytes/);
});

test('options go through the catalogue: scheme foo, an unknown option, a non-scalar value and a backend mismatch are refused at once', (t) => {
  const e = refused(t, { ...good, input: { ...good.input, scheme: 'foo' } }, /--scheme/);
  // the sweep and run are named so the worker can store the refusal as the run's status
  t.is(e.sweep, 'sabc123');
  t.is(e.run, 'ew-tmax0.5-seed1');
  refused(t, { ...good, input: { ...good.input, tmax: -1 } }, /--tmax/);
  refused(t, { ...good, input: { ...good.input, sites: {} } }, /"sites" is not a training option/);
  refused(t, { ...good, input: { ...good.input, lr: { a: 1 } } }, /--lr: not a value/);
  refused(t, { ...good, backend: 'auto' }, /backend/);
  refused(t, { ...good, backend: 'gpu' }, /backend/);
  refused(t, { ...good, input: { ...good.input, backend: 'cpu' } }, /differs/);
  refused(t, { ...good, input: 3 }, /input is not an object/);
});

test('options naming files on the worker are refused without --allow-dir, and outside it', (t) => {
  const dir = tempDir();
  const allowed = join(dir, 'allowed');
  mkdirSync(allowed, { recursive: true });
  const trace = join(allowed, 'trace.csv');
  writeFileSync(trace, 'step,product,worker,dispatched_ms,replied_ms,in_time\n0,0,0,0,5,1\n');
  const outside = join(dir, 'outside.csv');
  writeFileSync(outside, 'x\n');
  symlinkSync(outside, join(allowed, 'link.csv'));
  refused(t, { ...good, input: { ...good.input, dataDir: '/etc' } }, /--data-dir names a file.*--allow-dir/);
  refused(t, { ...good, input: { ...good.input, latency: 'trace-pool:/etc/passwd' } }, /--latency names a file.*\/etc\/passwd/);
  refused(t, { ...good, input: { ...good.input, latency: 'trace:/etc/passwd' } }, /--latency names a file/);
  refused(t, { ...good, input: { ...good.input, latency: 'bursts:/etc/passwd' } }, /--latency names a file.*\/etc\/passwd/);
  const policy = { allowDir: realpathSync(allowed) };
  refused(t, { ...good, input: { ...good.input, latency: `trace-pool:${outside}` } }, /outside this worker's --allow-dir/, policy);
  refused(t, { ...good, input: { ...good.input, latency: `trace-pool:${join(allowed, '..', 'outside.csv')}` } }, /outside/, policy);
  // a link inside the directory to a file outside it: the real path counts
  refused(t, { ...good, input: { ...good.input, latency: `trace-pool:${join(allowed, 'link.csv')}` } }, /outside/, policy);
  refused(t, { ...good, input: { ...good.input, latency: `trace-pool:${join(allowed, 'none.csv')}` } }, /does not exist/, policy);
  // inside the allow-list: read and checked by the catalogue
  const { config } = parseSweepJob(enc({ ...good, input: { ...good.input, latency: `trace-pool:${trace},unit-ms=50` } }), policy);
  t.truthy(config.coded !== 'baseline' && config.coded.latency);
});

test('the submitter\'s jobs pass the schema; ∞ travels as "inf" (JSON has no Infinity)', (t) => {
  const input = jobInput({ scheme: 'ew', tmax: Infinity, seed: 2, limit: 320, backend: 'wasm' });
  t.is(input.tmax, 'inf');
  const { config } = parseSweepJob(enc({ ...good, name: 'ew-tmaxinf-seed2', input }));
  t.is(config.tmax, Infinity);
});

test('insideScratch keeps every path inside the scratch directory', (t) => {
  const root = realpathSync(tempDir());
  t.is(insideScratch(root, 's1-ew-tmax1-seed1'), join(root, 's1-ew-tmax1-seed1'));
  for (const bad of ['../x', '/tmp/x', 'a/../../x', '.', '']) t.throws(() => insideScratch(root, bad), { instanceOf: JobRefusal }, bad);
});
