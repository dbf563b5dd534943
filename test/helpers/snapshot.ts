import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file and directory under `dir` (relative), with sizes: what "nothing left behind" compares. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(join(d, e.name), r);
      } else out.push(`${r} ${e.isFile() ? statSync(join(d, e.name)).size : 'link'}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

