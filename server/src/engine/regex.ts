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

/**
 * Literals of which every match must contain at least one (null: no such set). Lets most
 * values be rejected with `includes` before the (slower) RE2 automaton runs.
 */
export function requiredLiterals(r: LuceneRegex): string[] | null {
  switch (r.type) {
    case 'char':
      return [String.fromCodePoint(r.cp)];
    case 'string':
      return r.value ? [r.value] : null;
    case 'repeat':
      return r.min >= 1 ? requiredLiterals(r.item) : null;
    case 'union': {
      const all: string[] = [];
      for (const x of r.items) {
        const l = requiredLiterals(x);
        if (!l) return null;
        all.push(...l);
      }
      return all;
    }
    case 'intersection': {
      const sets = r.items.map(requiredLiterals).filter((x): x is string[] => x !== null);
      return sets.length ? best(sets) : null;
    }
    case 'concat': {
      // Runs of adjacent literal characters join into longer literals.
      const sets: string[][] = [];
      let run = '';
      for (const x of r.items) {
        if (x.type === 'char' || x.type === 'string') {
          run += x.type === 'char' ? String.fromCodePoint(x.cp) : x.value;
          continue;
        }
        if (run) sets.push([run]);
        run = '';
        const l = requiredLiterals(x);
        if (l) sets.push(l);
      }
      if (run) sets.push([run]);
      return sets.length ? best(sets) : null;
    }
    default:
      return null;
  }
}

/** The most selective set: the one whose shortest literal is longest. */
function best(sets: string[][]): string[] {
  const score = (l: string[]) => Math.min(...l.map((x) => x.length)) - l.length / 100;
  return sets.reduce((a, b) => (score(b) > score(a) ? b : a));
}

const ASCII = /^[\x00-\x7f]*$/;

/** The automaton alone, without the literal pre-filter (tests compare the two). */
export function compileRegexUnfiltered(pattern: string, ci: boolean): StringTest {
  const parsed = parseLuceneRegex(pattern);
  if (!parsed.ok) throw new RegexError(`${parsed.message} (at offset ${parsed.offset})`);
  return compileTree(parsed.ast, ci);
}

/** Compiles a Lucene pattern to a whole-value test; throws RegexError on bad syntax. */
export function compileRegex(pattern: string, ci: boolean): StringTest {
  const parsed = parseLuceneRegex(pattern);
  if (!parsed.ok) throw new RegexError(`${parsed.message} (at offset ${parsed.offset})`);
  const full = compileTree(parsed.ast, ci);
  const lits = requiredLiterals(parsed.ast);
  if (!lits || lits.some((l) => l === '' || !ASCII.test(l))) return full;
  if (!ci && lits.length <= 4) return (s) => lits.some((l) => s.includes(l)) && full(s);
  // A literal alternation is linear to scan; `iu` folds case as Unicode simple folding does
  // (K/K/k, ſ/s), like RE2, so the pre-filter never rejects what the automaton accepts.
  const any = new RegExp(lits.map((l) => l.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')).join('|'), ci ? 'iu' : 'u');
  return (s) => any.test(s) && full(s);
}
