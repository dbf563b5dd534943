/**
 * Atomic file writes: data goes to a temporary file in the destination's directory, is
 * flushed to disk, and is then renamed over the destination, so a reader never sees a
 * half-written file. The destination directory is created if missing.
 */
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** A unique temporary path beside `path` (hidden, same directory, so rename is atomic). */
function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${process.hrtime.bigint()}.${counter}.tmp`);
}

async function writeTemp(path: string, data: string | Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return tmp;
}

/** Writes `data` to `path` atomically (temporary file + rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = await writeTemp(path, data);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** One file of a group write. */
export interface FileToWrite {
  path: string;
  data: string | Uint8Array;
}

/**
 * Writes several files as a group, as atomically as a file system allows: every temporary
 * file is written first (if any write fails, all temporaries are removed and no destination
 * is touched), then all are renamed in order. Only a failure between renames can leave the
 * group partly updated, and each file is still whole.
 * @returns the destination paths, in order
 */
export async function writeFilesAtomic(files: readonly FileToWrite[]): Promise<string[]> {
  const temps: string[] = [];
  try {
    for (const f of files) temps.push(await writeTemp(f.path, f.data));
  } catch (err) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => undefined)));
    throw err;
  }
  for (let i = 0; i < files.length; i++) {
    try {
      await rename(temps[i], files[i].path);
    } catch (err) {
      await Promise.all(temps.slice(i).map((t) => unlink(t).catch(() => undefined)));
      throw err;
    }
  }
  return files.map((f) => f.path);
}
