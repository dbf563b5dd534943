/**
 * Checks an output location before a command starts writing, with bounded operations only (a
 * stat per path component, one statfs, one access check): a recursive mkdir under /proc never
 * returns in Node, and a failure half-way through a run would leave partial output.
 */
import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OptionError } from './option-error.ts';

/** statfs magic numbers of kernel pseudo file systems, where results cannot be written. */
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x64626720: 'debugfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x73636673: 'securityfs',
};

/**
 * Resolves `path` and checks that it is, or can be created as, a writable directory.
 * @param key the option it came from (named by the OptionError)
 * @returns the absolute path
 */
export function checkOutputDir(path: string, key = 'out'): string {
  const dir = resolve(path);
  let probe = dir;
  for (;;) {
    try {
      const st = statSync(probe);
      if (!st.isDirectory()) {
        throw new OptionError(key, probe === dir ? `${path} exists and is not a directory` : `${probe} is a file, so ${path} cannot be created`);
      }
      break;
    } catch (err) {
      if (err instanceof OptionError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new OptionError(key, `cannot use ${path}: ${code ?? String(err)} on ${probe}`);
      const up = dirname(probe);
      if (up === probe) throw new OptionError(key, `cannot use ${path}: no existing parent directory`);
      probe = up;
    }
  }
  const fs = PSEUDO_FS[statfsSync(probe).type];
  if (fs) throw new OptionError(key, `${path} is on the kernel's ${fs} file system, where results cannot be written`);
  try {
    accessSync(probe, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new OptionError(key, `${probe} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return dir;
}
