/**
 * Reading a file the user named (a trace, a grid, a run's CSV): a regular file of at most
 * `maxBytes`, as UTF-8 text. `/dev/zero` (never ends), a directory or a huge file is refused
 * before anything is read. Throws {@link InputFileError} whose `detail` says what is wrong,
 * without the option's name (the caller adds it).
 */
import { readFileSync, statSync } from 'node:fs';

/** What a trace, grid or metrics file may weigh (the largest traces here are a few MB). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(readonly detail: string) {
    super(detail);
  }
}

export function readInputText(path: string, maxBytes = MAX_INPUT_BYTES): string {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputFileError(code === 'ENOENT' ? `no file ${path}` : `cannot read ${path} (${code ?? (err as Error).message})`);
  }
  if (!st.isFile()) throw new InputFileError(`${path} is not a regular file${st.isDirectory() ? ' (a directory)' : ''}`);
  if (st.size > maxBytes) throw new InputFileError(`${path} is ${(st.size / 2 ** 20).toFixed(0)} MB, over the ${(maxBytes / 2 ** 20).toFixed(0)} MB this reads`);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputFileError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
