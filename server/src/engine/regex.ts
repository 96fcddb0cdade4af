// `regex` / `regex~`: Lucene regular-expression syntax (what Elasticsearch's regexp query
// accepts), matched against the whole value. The EQL front end parses the pattern
// (parseLuceneRegex); this file translates that tree to RE2 syntax, run by re2js, a
// linear-time engine, so hostile patterns or huge values cannot backtrack catastrophically.
// Intersection (`&`) and complement (`~`) have no RE2 form: at the top of a pattern (or of a
// union / intersection / complement) they combine whole-value matchers; nested inside a
// concatenation or repetition they are reported as unsupported by the local engine.
import { RE2JS } from 're2js';
import { parseLuceneRegex, type LuceneRegex } from '../eql/lucene-regex';
import type { StringTest } from '../eql/wildcard';

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

/** A necessary condition for a match: a needle (JS regex source) some part of it must contain. */
interface Needle {
  source: string;
  /** Selectivity: longer literals are rarer; a character class is weak. */
  score: number;
  /** The plain literals when the needle is only literals (for `includes`). */
  lits: string[] | null;
}

const escapeLit = (l: string) => l.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const cpEsc = (cp: number) => `\\u{${cp.toString(16)}}`;

/**
 * What every match must contain, so most values can be rejected by a fast scan before the
 * (slower) RE2 automaton runs. null when nothing useful is required.
 */
export function requiredNeedle(r: LuceneRegex): Needle | null {
  const lit = (l: string): Needle => ({ source: escapeLit(l), score: l.length, lits: [l] });
  switch (r.type) {
    case 'char':
      return lit(String.fromCodePoint(r.cp));
    case 'string':
      return r.value ? lit(r.value) : null;
    case 'class':
      if (r.negated || !r.ranges.length) return null;
      {
        // Smaller classes are more selective ([0-9] over [a-z]); any literal beats a class.
        const size = r.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
        return { source: `[${r.ranges.map(([a, b]) => (a === b ? cpEsc(a) : `${cpEsc(a)}-${cpEsc(b)}`)).join('')}]`, score: 0.5 + 0.4 / Math.max(1, Math.log2(size)), lits: null };
      }
    case 'repeat':
      return r.min >= 1 ? requiredNeedle(r.item) : null;
    case 'union': {
      const parts: Needle[] = [];
      for (const x of r.items) {
        const n = requiredNeedle(x);
        if (!n) return null;
        parts.push(n);
      }
      const lits = parts.every((p) => p.lits) ? parts.flatMap((p) => p.lits!) : null;
      return { source: parts.map((p) => p.source).join('|'), score: Math.min(...parts.map((p) => p.score)) - parts.length / 100, lits };
    }
    case 'intersection':
      return best(r.items.map(requiredNeedle));
    case 'concat': {
      // Runs of adjacent literal characters join into longer literals.
      const cands: (Needle | null)[] = [];
      let run = '';
      for (const x of r.items) {
        if (x.type === 'char' || x.type === 'string') {
          run += x.type === 'char' ? String.fromCodePoint(x.cp) : x.value;
          continue;
        }
        if (run) cands.push(lit(run));
        run = '';
        cands.push(requiredNeedle(x));
      }
      if (run) cands.push(lit(run));
      return best(cands);
    }
    default:
      return null;
  }
}

function best(cands: (Needle | null)[]): Needle | null {
  let b: Needle | null = null;
  for (const c of cands) if (c && (!b || c.score > b.score)) b = c;
  return b;
}

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
  const needle = requiredNeedle(parsed.ast);
  if (!needle) return full;
  const lits = needle.lits;
  if (!ci && lits && lits.length <= 4 && lits.every((l) => l !== '')) return (s) => lits.some((l) => s.includes(l)) && full(s);
  // One linear scan for the needle; `iu` folds case as Unicode simple folding does (K/K/k,
  // ſ/s), like RE2, so the pre-filter never rejects what the automaton accepts.
  let any: RegExp;
  try {
    any = new RegExp(needle.source, ci ? 'iu' : 'u');
  } catch {
    return full;
  }
  return (s) => any.test(s) && full(s);
}
