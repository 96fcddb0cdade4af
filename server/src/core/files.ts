// Finding files under a path, for the CLI and the workspace index alike: a file given by name
// is taken as is; a folder is walked (sorted, so output is stable), skipping hidden folders and
// tool folders. A path that cannot be read at the top throws (the caller reports it); an
// unreadable folder further down is skipped.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const SKIP = new Set(['node_modules', 'dist', 'out']);

/**
 * Files under `path` whose path relative to it (with `/` separators) `accept` takes.
 * Stops after visiting `limit` entries, so a huge tree cannot stall an editor.
 */
export function collectFiles(path: string, accept: (rel: string) => boolean, limit = 100_000): string[] {
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  const stack = [path];
  let seen = 0;
  while (stack.length && seen < limit) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen++;
      if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && accept(relative(path, p).split(sep).join('/'))) out.push(p);
    }
  }
  return out.sort();
}
