// Workspace file discovery: a small glob matcher (Node 20 has no fs.glob) and a folder walk
// that skips tool folders. Used for sample event files and the workspace rule index.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const SKIP = new Set(['node_modules', '.git', '.e2e', 'dist', 'out', '.vscode-test']);

/** `**` any folders (also none), `*` and `?` within a name, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',' && re.lastIndexOf('(?:') > re.lastIndexOf(')')) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Every file under `root` (bounded) whose path relative to root matches. */
export function walk(root: string, accept: (rel: string) => boolean, limit = 50_000): string[] {
  const out: string[] = [];
  const stack = [root];
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
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) stack.push(p);
      } else if (e.isFile() && accept(relative(root, p).split(sep).join('/'))) out.push(p);
    }
  }
  return out.sort();
}

export function findByGlobs(roots: string[], globs: string[]): string[] {
  const res = globs.map(globToRegExp);
  const out = new Set<string>();
  for (const root of roots) for (const f of walk(root, (rel) => res.some((r) => r.test(rel)))) out.add(f);
  return [...out].sort();
}
