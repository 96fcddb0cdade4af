// `regex` / `regex~`: Lucene regular-expression syntax (what Elasticsearch's regexp query
// accepts), matched against the whole value. The EQL front end parses the pattern
// (parseLuceneRegex); this file translates that tree to RE2 syntax, run by re2js, a
// linear-time engine, so hostile patterns or huge values cannot backtrack catastrophically.
// Intersection (`&`) and complement (`~`) have no RE2 form: at the top of a pattern (or of a
// union / intersection / complement) they combine whole-value matchers; nested inside a
// concatenation or repetition they are reported as unsupported by the local engine.
import { RE2JS } from 're2js';
import { parseLuceneRegex, type LuceneRegex } from '../eql/lucene-regex';
import type { StringTest } from './wildcard';

export class RegexError extends Error {}

const MAX_INTERVAL_TERMS = 5000;
const hex = (cp: number) => `\\x{${cp.toString(16)}}`;

function interval(min: number, max: number, digits: number): string {
  if (max - min + 1 > MAX_INTERVAL_TERMS) throw new RegexError(`numeric interval <${min}-${max}> is too wide for the local engine`);
  const alts: string[] = [];
  for (let n = min; n <= max; n++) alts.push(digits > 0 ? String(n).padStart(digits, '0') : String(n));
  // Without padding Lucene accepts any number of leading zeros.
  return digits > 0 ? `(?:${alts.join('|')})` : `(?:0*(?:${alts.join('|')}))`;
}

/** RE2 text for a tree without `&` / `~`; always safe to follow with a quantifier. */
function toRe2(r: LuceneRegex): string {
  switch (r.type) {
    case 'char':
      return hex(r.cp);
    case 'string':
      return `(?:${Array.from(r.value, (c) => hex(c.codePointAt(0)!)).join('')})`;
    case 'any':
      return '(?s:.)';
    case 'empty':
      return '[^\\x00-\\x{10ffff}]';
    case 'anystring':
      return '(?s:.*)';
    case 'class': {
      if (!r.ranges.length) return r.negated ? '(?s:.)' : '[^\\x00-\\x{10ffff}]';
      const body = r.ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('');
      return `[${r.negated ? '^' : ''}${body}]`;
    }
    case 'concat':
      return `(?:${r.items.map(toRe2).join('')})`;
    case 'union':
      return `(?:${r.items.map(toRe2).join('|')})`;
    case 'repeat': {
      if (r.min > 1000 || (r.max !== null && r.max > 1000)) throw new RegexError('repetition counts above 1000 are not supported by the local engine');
      const q = r.max === null ? (r.min === 0 ? '*' : r.min === 1 ? '+' : `{${r.min},}`) : r.min === 0 && r.max === 1 ? '?' : r.min === r.max ? `{${r.min}}` : `{${r.min},${r.max}}`;
      return `(?:${toRe2(r.item)})${q}`;
    }
    case 'interval':
      return interval(r.min, r.max, r.digits);
    case 'intersection':
    case 'complement':
      throw new RegexError(`'${r.type === 'intersection' ? '&' : '~'}' inside a larger expression is not supported by the local engine`);
  }
}

function compileTree(r: LuceneRegex, ci: boolean): StringTest {
  if (r.type === 'intersection') {
    const parts = r.items.map((x) => compileTree(x, ci));
    return (s) => parts.every((p) => p(s));
  }
  if (r.type === 'complement') {
    const inner = compileTree(r.item, ci);
    return (s) => !inner(s);
  }
  if (r.type === 'union' && r.items.some((x) => x.type === 'intersection' || x.type === 'complement')) {
    const parts = r.items.map((x) => compileTree(x, ci));
    return (s) => parts.some((p) => p(s));
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(toRe2(r), ci ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    throw new RegexError(e instanceof Error ? e.message : String(e));
  }
  return (s) => re.matches(s);
}

/** Compiles a Lucene pattern to a whole-value test; throws RegexError on bad syntax. */
export function compileRegex(pattern: string, ci: boolean): StringTest {
  const parsed = parseLuceneRegex(pattern);
  if (!parsed.ok) throw new RegexError(`${parsed.message} (at offset ${parsed.offset})`);
  return compileTree(parsed.ast, ci);
}
