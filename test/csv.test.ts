import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFilesAtomic } from '../src/util/atomic-write.ts';
import { formatCsv, parseCsv, readCsv, writeCsv } from '../src/util/csv.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'csv-test-'));
}

test('writeCsv writes a header in column order and round-trips typed values', async (t) => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'sub', 'out.csv');
    await writeCsv(
      path,
      [
        { scheme: 'ew', received: 3, probability: 0.8765, extra: 'ignored' },
        { scheme: 'now, quoted', received: 4, probability: undefined },
        { scheme: 'x"y', received: 5, probability: null },
      ],
      ['received', 'scheme', 'probability'],
    );
    const text = await readFile(path, 'utf8');
    t.is(text.split('\n')[0], 'received,scheme,probability');
    t.true(text.endsWith('\n'));
    t.is(text.trim().split('\n').length, 4);
    const rows = await readCsv(path);
    t.deepEqual(rows, [
      { received: 3, scheme: 'ew', probability: 0.8765 },
      { received: 4, scheme: 'now, quoted', probability: null },
      { received: 5, scheme: 'x"y', probability: null },
    ]);
    // no temporary files are left behind
    t.deepEqual(await readdir(join(dir, 'sub')), ['out.csv']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('empty row list gives a header only; bad input is reported', (t) => {
  t.is(formatCsv([], ['a', 'b']), 'a,b\n');
  t.deepEqual(parseCsv('a,b\n'), []);
  t.throws(() => formatCsv([{ a: 1 }], []), { instanceOf: RangeError });
  t.deepEqual(parseCsv('a,b\n1,true\n\n2,x\n'), [
    { a: 1, b: true },
    { a: 2, b: 'x' },
  ]);
});

test('writeFileAtomic replaces a file whole; writeFilesAtomic writes a group', async (t) => {
  const dir = await tempDir();
  try {
    const p = join(dir, 'a.txt');
    await writeFile(p, 'old');
    await writeFileAtomic(p, 'new content');
    t.is(await readFile(p, 'utf8'), 'new content');
    const written = await writeFilesAtomic([
      { path: join(dir, 'b.txt'), data: 'bee' },
      { path: join(dir, 'c.bin'), data: new Uint8Array([1, 2, 3]) },
    ]);
    t.deepEqual(written, [join(dir, 'b.txt'), join(dir, 'c.bin')]);
    t.is(await readFile(join(dir, 'b.txt'), 'utf8'), 'bee');
    t.deepEqual([...(await readFile(join(dir, 'c.bin')))], [1, 2, 3]);
    t.deepEqual((await readdir(dir)).sort(), ['a.txt', 'b.txt', 'c.bin']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failing group write leaves no destination and no temporary file', async (t) => {
  const dir = await tempDir();
  try {
    // The second destination's parent is a regular file, so its temporary cannot be created.
    await writeFile(join(dir, 'blocker'), 'x');
    await t.throwsAsync(
      writeFilesAtomic([
        { path: join(dir, 'first.txt'), data: '1' },
        { path: join(dir, 'blocker', 'second.txt'), data: '2' },
      ]),
    );
    t.deepEqual(await readdir(dir), ['blocker']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
