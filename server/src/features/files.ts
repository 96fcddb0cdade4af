// Workspace file discovery by glob (minimatch: `**`, `*`, `?`, `{a,b}`), over the core's folder
// walk. Used for sample event files and the workspace rule index.
import { minimatch } from 'minimatch';
import { collectFiles } from '../core/files';

/** Every file under the roots that some glob matches (paths relative to their root), sorted. */
export function findByGlobs(roots: string[], globs: string[]): string[] {
  const out = new Set<string>();
  for (const root of roots) for (const f of filesUnder(root, (rel) => globs.some((g) => minimatch(rel, g, { dot: true })))) out.add(f);
  return [...out].sort();
}

/** `collectFiles` that treats a missing or unreadable root as empty (a folder may be gone). */
export function filesUnder(root: string, accept: (rel: string) => boolean): string[] {
  try {
    return collectFiles(root, accept, 50_000);
  } catch {
    return [];
  }
}
