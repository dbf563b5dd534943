/** Shared test plumbing: a per-file temporary directory and a stream that collects output. */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

/** Registers before/after hooks for a fresh temporary directory; call `dir()` inside tests. */
export function useTempDir(prefix: string): () => string {
  let tmp = '';
  test.before(async () => {
    tmp = await mkdtemp(join(tmpdir(), prefix));
  });
  test.after.always(async () => {
    await rm(tmp, { recursive: true, force: true });
  });
  return () => tmp;
}

/** A writable stream that keeps what is written; `text()` returns it. */
export function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}
