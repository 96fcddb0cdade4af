// Lucene regular-expression syntax (org.apache.lucene.util.automaton.RegExp), the dialect of
// EQL's `regex` / `regex~`. Elasticsearch builds the pattern with `new RegExp(pattern)`, i.e. with
// Lucene's default flags (ALL), so these optional operators are ON:
//   `&`  intersection     `~`  complement (of the following expression)
//   `<n-m>` numeric interval (e.g. <1-100>)     `@` any string     `#` the empty language
//   `<name>` named automaton: syntactically valid, but Elasticsearch has no named automata,
//            so it always fails; reported as an error here.
// Always on: `.` any char, `?` `*` `+` `{n}` `{n,}` `{n,m}` repetition, `|` union, `(...)`
// grouping (`()` = empty string), `[...]` / `[^...]` classes with ranges, `"..."` literal text,
// `\x` escapes any character, and the shorthand classes \d \D \s \S \w \W.
// Matching is on the whole value (implicitly anchored): there are no `^`/`$` anchors; those
// characters, and any other character without a role above, are literals.
// A character with no role where an expression starts (`*a`, `|` after `|`, `]`) is a literal,
// as in Lucene. Errors carry the UTF-16 offset Lucene would report.
//
// The AST below is what the engine translates (engine/regex.ts: to RE2 syntax, for re2js).

export type LuceneRegex =
  /** One code point, matched literally. */
  | { type: 'char'; cp: number }
  /** Literal text: `"..."`, or `()` which is the empty string. */
  | { type: 'string'; value: string }
  /** `.`: any single code point. */
  | { type: 'any' }
  /** `#`: matches nothing at all. */
  | { type: 'empty' }
  /** `@`: any string, including the empty one. */
  | { type: 'anystring' }
  /** A set of code points: `[...]`, `[^...]`, \d, \w... Ranges are inclusive. */
  | { type: 'class'; negated: boolean; ranges: [number, number][] }
  | { type: 'concat'; items: LuceneRegex[] }
  | { type: 'union'; items: LuceneRegex[] }
  /** `a&b`: strings matching both. */
  | { type: 'intersection'; items: LuceneRegex[] }
  /** `~a`: any string NOT matching a. */
  | { type: 'complement'; item: LuceneRegex }
  /** `?` = {0,1}, `*` = {0,}, `+` = {1,}, `{n}`, `{n,}`, `{n,m}`; max null = unbounded. */
  | { type: 'repeat'; item: LuceneRegex; min: number; max: number | null }
  /** `<n-m>`: a decimal number in [min, max]; `digits` > 0 means zero-padded to that width. */
  | { type: 'interval'; min: number; max: number; digits: number };

export type LuceneRegexResult = { ok: true; ast: LuceneRegex } | { ok: false; message: string; offset: number };

const MAX_CP = 0x10ffff;

function shorthand(c: string): { negated: boolean; ranges: [number, number][] } | null {
  switch (c) {
    case 'd': return { negated: false, ranges: [[48, 57]] };
    case 'D': return { negated: true, ranges: [[48, 57]] };
    case 's': return { negated: false, ranges: [[9, 13], [32, 32]] };
    case 'S': return { negated: true, ranges: [[9, 13], [32, 32]] };
    case 'w': return { negated: false, ranges: [[48, 57], [65, 90], [95, 95], [97, 122]] };
    case 'W': return { negated: true, ranges: [[48, 57], [65, 90], [95, 95], [97, 122]] };
    default: return null;
  }
}

function complementRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let next = 0;
  for (const [a, b] of sorted) {
    if (a > next) out.push([next, a - 1]);
    next = Math.max(next, b + 1);
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

class RegexSyntaxError {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

class Parser {
  pos = 0;
  depth = 0;
  constructor(readonly s: string) {}

  more(): boolean {
    return this.pos < this.s.length;
  }
  peek(chars: string): boolean {
    return this.more() && chars.includes(this.s[this.pos]);
  }
  match(c: string): boolean {
    if (this.more() && this.s[this.pos] === c) {
      this.pos++;
      return true;
    }
    return false;
  }
  next(): number {
    if (!this.more()) throw new RegexSyntaxError('unexpected end of pattern', this.pos);
    const cp = this.s.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
  fail(message: string, offset = this.pos): never {
    throw new RegexSyntaxError(message, offset);
  }

  union(): LuceneRegex {
    // Iterative over `|` so long alternations do not deepen the stack.
    const items = [this.inter()];
    while (this.match('|')) items.push(this.inter());
    return items.length === 1 ? items[0] : { type: 'union', items };
  }

  inter(): LuceneRegex {
    const items = [this.concat()];
    while (this.match('&')) items.push(this.concat());
    return items.length === 1 ? items[0] : { type: 'intersection', items };
  }

  concat(): LuceneRegex {
    const items = [this.repeat()];
    while (this.more() && !this.peek(')|&')) items.push(this.repeat());
    return items.length === 1 ? items[0] : { type: 'concat', items };
  }

  repeat(): LuceneRegex {
    let e = this.compl();
    while (this.peek('?*+{')) {
      const at = this.pos;
      if (this.match('?')) e = { type: 'repeat', item: e, min: 0, max: 1 };
      else if (this.match('*')) e = { type: 'repeat', item: e, min: 0, max: null };
      else if (this.match('+')) e = { type: 'repeat', item: e, min: 1, max: null };
      else if (this.match('{')) {
        const n = this.integer();
        let m: number | null = n;
        if (this.match(',')) m = this.peek('0123456789') ? this.integer() : null;
        if (!this.match('}')) this.fail("expected '}'");
        if (m !== null && m < n) this.fail(`invalid repetition range {${n},${m}}: the maximum is below the minimum`, at);
        e = { type: 'repeat', item: e, min: n, max: m };
      }
    }
    return e;
  }

  integer(): number {
    const start = this.pos;
    while (this.peek('0123456789')) this.pos++;
    if (start === this.pos) this.fail('integer expected');
    return Number(this.s.slice(start, this.pos));
  }

  compl(): LuceneRegex {
    // `~~~a` is a chain; loop instead of recursing.
    let count = 0;
    while (this.match('~')) count++;
    let e = this.charClassExp();
    for (let i = 0; i < count; i++) e = { type: 'complement', item: e };
    return e;
  }

  charClassExp(): LuceneRegex {
    if (!this.match('[')) return this.simple();
    const negated = this.match('^');
    const ranges: [number, number][] = [];
    do {
      this.classItem(ranges);
    } while (this.more() && !this.peek(']'));
    if (!this.match(']')) this.fail("expected ']'");
    return { type: 'class', negated, ranges };
  }

  classItem(ranges: [number, number][]): void {
    const at = this.pos;
    if (this.s[this.pos] === '\\') {
      const sh = shorthand(this.s[this.pos + 1] ?? '');
      if (sh) {
        this.pos += 2;
        ranges.push(...(sh.negated ? complementRanges(sh.ranges) : sh.ranges));
        return;
      }
    }
    const from = this.charExp();
    if (this.match('-')) {
      const to = this.charExp();
      if (from > to) this.fail(`invalid character range ${String.fromCodePoint(from)}-${String.fromCodePoint(to)}: the start is after the end`, at);
      ranges.push([from, to]);
    } else ranges.push([from, from]);
  }

  charExp(): number {
    this.match('\\');
    return this.next();
  }

  simple(): LuceneRegex {
    if (this.match('.')) return { type: 'any' };
    if (this.match('#')) return { type: 'empty' };
    if (this.match('@')) return { type: 'anystring' };
    if (this.match('"')) {
      const start = this.pos;
      while (this.more() && !this.peek('"')) this.pos++;
      if (!this.match('"')) this.fail("expected '\"' (unterminated quoted literal)", start - 1);
      return { type: 'string', value: this.s.slice(start, this.pos - 1) };
    }
    if (this.match('(')) {
      const open = this.pos - 1;
      if (this.match(')')) return { type: 'string', value: '' };
      if (++this.depth > 500) this.fail('pattern nested too deeply', open);
      const e = this.union();
      this.depth--;
      if (!this.match(')')) this.fail(this.more() ? "expected ')'" : `unclosed group: missing ')' for the '(' at position ${open}`);
      return e;
    }
    if (this.match('<')) {
      const open = this.pos - 1;
      const close = this.s.indexOf('>', this.pos);
      if (close < 0) this.fail("expected '>' (an interval is written <min-max>)", open);
      const body = this.s.slice(this.pos, close);
      this.pos = close + 1;
      const dash = body.indexOf('-');
      if (dash < 0) this.fail(`named automaton <${body}> is not available in Elasticsearch; for a numeric interval write <min-max>, for a literal '<' escape it as \\<`, open);
      if (dash === 0 || dash === body.length - 1 || dash !== body.lastIndexOf('-') || !/^\d+-\d+$/.test(body)) this.fail(`interval syntax error in <${body}>: write <min-max> with two non-negative integers`, open);
      const a = body.slice(0, dash);
      const b = body.slice(dash + 1);
      let min = Number(a);
      let max = Number(b);
      if (min > max) [min, max] = [max, min];
      // Lucene zero-pads when both bounds are written with the same width.
      const digits = a.length === b.length ? a.length : 0;
      return { type: 'interval', min, max, digits };
    }
    if (this.s[this.pos] === '\\') {
      const sh = shorthand(this.s[this.pos + 1] ?? '');
      if (sh) {
        this.pos += 2;
        return { type: 'class', negated: sh.negated, ranges: sh.ranges };
      }
    }
    return { type: 'char', cp: this.charExp() };
  }
}

/** Parses a Lucene regular expression as Elasticsearch's EQL `regex` does. Never throws. */
export function parseLuceneRegex(pattern: string): LuceneRegexResult {
  if (pattern === '') return { ok: true, ast: { type: 'string', value: '' } }; // as Lucene special-cases it
  const p = new Parser(pattern);
  try {
    const ast = p.union();
    if (p.more()) {
      // Only an unmatched ')' can stop the top-level union early.
      return { ok: false, message: "unmatched ')': escape it as \\) for a literal parenthesis", offset: p.pos };
    }
    return { ok: true, ast };
  } catch (e) {
    if (e instanceof RegexSyntaxError) return { ok: false, message: e.message, offset: Math.min(e.offset, pattern.length) };
    return { ok: false, message: e instanceof Error ? e.message : String(e), offset: 0 };
  }
}
