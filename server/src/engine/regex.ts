// `regex` / `regex~`: Lucene regular-expression syntax (what Elasticsearch's regexp query
// accepts), matched against the whole value. Translated to RE2 syntax and run by re2js, a
// linear-time engine, so hostile patterns or huge values cannot backtrack catastrophically.
import { RE2JS } from 're2js';
import type { StringTest } from './wildcard';

export class RegexError extends Error {}

const META = new Set('\\.+*?()|[]{}^$'.split(''));
const lit = (c: string) => (META.has(c) ? '\\' + c : c === '\n' ? '\\n' : c);
const classLit = (c: string) => `\\x{${c.codePointAt(0)!.toString(16)}}`;
const SHORTHAND: Record<string, string> = { d: '[0-9]', D: '[^0-9]', w: '[a-zA-Z0-9_]', W: '[^a-zA-Z0-9_]', s: '[\\t\\n\\v\\f\\r ]', S: '[^\\t\\n\\v\\f\\r ]' };

/** Lucene `<a-b>`: decimal integers in [a, b], left-padded to a's width when a has leading zeros. */
function interval(a: string, b: string): string {
  let lo = Number(a);
  let hi = Number(b);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi - lo > 5000) throw new RegexError(`numeric interval <${a}-${b}> is too wide for the local engine`);
  const width = a.length > 1 && a.startsWith('0') ? a.length : 0;
  const alts: string[] = [];
  for (let n = lo; n <= hi; n++) alts.push(String(n).padStart(width, '0'));
  return `(?:${alts.join('|')})`;
}

/** Translates a Lucene regexp (all syntax flags, as Elasticsearch enables them) to RE2. */
export function luceneToRe2(p: string): string {
  const cs = Array.from(p);
  let out = '';
  let i = 0;
  let depth = 0;
  while (i < cs.length) {
    const c = cs[i];
    if (c === '\\') {
      if (i + 1 >= cs.length) throw new RegexError('trailing backslash');
      const n = cs[i + 1];
      out += SHORTHAND[n] ?? lit(n);
      i += 2;
    } else if (c === '"') {
      const end = cs.indexOf('"', i + 1);
      if (end < 0) throw new RegexError('unterminated quoted string');
      out += '(?:' + cs.slice(i + 1, end).map(lit).join('') + ')';
      i = end + 1;
    } else if (c === '.') {
      out += '(?s:.)';
      i++;
    } else if (c === '@') {
      out += '(?s:.*)';
      i++;
    } else if (c === '#') {
      out += '[^\\x00-\\x{10FFFF}]';
      i++;
    } else if (c === '&' || c === '~') {
      throw new RegexError(`'${c}' (${c === '&' ? 'intersection' : 'complement'}) is not supported by the local engine`);
    } else if (c === '<') {
      const m = /^<(\d+)-(\d+)>/.exec(cs.slice(i, i + 48).join(''));
      if (!m) {
        out += lit(c);
        i++;
      } else {
        out += interval(m[1], m[2]);
        i += m[0].length;
      }
    } else if (c === '[') {
      // Lucene classes: an item is a char (or \\c); `x-y` after an item is always a range,
      // even `_-]` (so a literal dash must be escaped), as Lucene's parser does.
      let j = i + 1;
      let body = '';
      if (cs[j] === '^') {
        body += '^';
        j++;
      }
      const item = (): string => {
        if (j >= cs.length) throw new RegexError('unterminated character class');
        if (cs[j] === '\\' && j + 1 < cs.length) {
          j += 2;
          return cs[j - 1];
        }
        return cs[j++];
      };
      let items = 0;
      while (j < cs.length && cs[j] !== ']') {
        if (cs[j] === '\\' && SHORTHAND[cs[j + 1]]) {
          body += SHORTHAND[cs[j + 1]].slice(1, -1);
          j += 2;
          items++;
          continue;
        }
        const from = item();
        if (cs[j] === '-') {
          j++;
          const to = item();
          if (from.codePointAt(0)! > to.codePointAt(0)!) throw new RegexError(`invalid character range ${from}-${to}`);
          body += `${classLit(from)}-${classLit(to)}`;
        } else body += classLit(from);
        items++;
      }
      if (j >= cs.length) throw new RegexError('unterminated character class');
      if (!items) throw new RegexError('empty character class');
      out += `[${body}]`;
      i = j + 1;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(cs.slice(i, i + 24).join(''));
      if (!m) throw new RegexError('malformed repeat {n,m}');
      out += m[0];
      i += m[0].length;
    } else if (c === '(') {
      depth++;
      out += '(?:';
      i++;
    } else if (c === ')') {
      if (--depth < 0) throw new RegexError('unbalanced )');
      out += ')';
      i++;
    } else if (c === '*' || c === '+' || c === '?' || c === '|') {
      out += c;
      i++;
    } else {
      out += lit(c);
      i++;
    }
  }
  if (depth !== 0) throw new RegexError('unbalanced (');
  return out;
}

/** Compiles a Lucene pattern to a whole-value test; throws RegexError on bad syntax. */
export function compileRegex(pattern: string, ci: boolean): StringTest {
  const re2 = luceneToRe2(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(re2, ci ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    throw new RegexError(e instanceof Error ? e.message : String(e));
  }
  return (s) => re.matches(s);
}
