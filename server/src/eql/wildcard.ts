// Wildcard patterns of `:` / `like` / `like~`: `*` is any run of characters, `?` exactly one,
// everything else literal. Elasticsearch's EQL has no escape character in these patterns
// (real rules write `"C:\\Windows\\*.exe"` and mean a literal backslash before `*`).
// Matching is linear-ish (greedy with one backtrack point), never exponential.

export type StringTest = (s: string) => boolean;

/** Characters (code points) of s, so `?` matches one character even outside the BMP. */
const chars = (s: string): string[] => Array.from(s);

export function hasWildcard(p: string): boolean {
  return p.includes('*') || p.includes('?');
}

/**
 * Compiles one pattern. `ci` folds both sides with toLowerCase (Elasticsearch lower-cases
 * the value and the pattern for case-insensitive keyword matching).
 */
export function compileWildcard(pattern: string, ci: boolean): StringTest {
  const p = ci ? pattern.toLowerCase() : pattern;
  const fold = ci ? (s: string) => s.toLowerCase() : (s: string) => s;
  if (!p.includes('?')) {
    const parts = p.split('*');
    if (parts.length === 1) return ci ? (s) => s === p || s.toLowerCase() === p : (s) => s === p;
    // Common shapes get direct string operations.
    if (parts.length === 2) {
      const [pre, suf] = parts;
      if (suf === '') return (s) => fold(s).startsWith(pre);
      if (pre === '') return (s) => fold(s).endsWith(suf);
      return (s) => {
        const t = fold(s);
        return t.length >= pre.length + suf.length && t.startsWith(pre) && t.endsWith(suf);
      };
    }
    if (parts.length === 3 && parts[0] === '' && parts[2] === '') {
      const mid = parts[1];
      return (s) => fold(s).includes(mid);
    }
    // a*b*c: anchored first and last parts, middle parts found left to right (greedy is
    // optimal for `*`-only patterns, so this is exact and linear).
    const first = parts[0];
    const last = parts[parts.length - 1];
    const middle = parts.slice(1, -1).filter((x) => x !== '');
    return (s) => {
      const t = fold(s);
      if (t.length < first.length + last.length || !t.startsWith(first) || !t.endsWith(last)) return false;
      let at = first.length;
      const end = t.length - last.length;
      for (const m of middle) {
        const i = t.indexOf(m, at);
        if (i < 0 || i + m.length > end) return false;
        at = i + m.length;
      }
      return true;
    };
  }
  const pc = chars(p);
  return (s) => globMatch(pc, chars(fold(s)));
}

/** Classic two-pointer glob match with a single star backtrack point: O(n*m) worst case. */
function globMatch(p: string[], s: string[]): boolean {
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === s[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}
