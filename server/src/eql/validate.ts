// Schema-free static checks on a parsed EQL statement: what Elasticsearch's parser and verifier
// would reject (or silently get wrong) regardless of the fields that exist. Messages keep the
// meaning of Elasticsearch's own (LogicalPlanBuilder, ExpressionBuilder, Verifier) and say how
// to fix; codes are stable. Broken parts (ErrorExpr) are skipped: the parser already spoke.

import { diag, type Diagnostic, type Fix, type Span } from '../core/diagnostic';
import { rootExpressions, walkExpr, type CallExpr, type Expr, type LiteralExpr, type Maxspan, type Query, type SequenceTerm, type Statement } from './ast';
import { arity, FUNCTIONS, lookupFunction, type ParamSpec } from './functions';
import { parseLuceneRegex } from './lucene-regex';
import { hasWildcard } from './wildcard';
import { UNIT_MS } from './parser';

const UNITS = Object.keys(UNIT_MS);
/** Common spellings of units that Elasticsearch does not accept, mapped to the accepted one. */
const UNIT_ALIASES: Record<string, string> = {
  sec: 's', secs: 's', second: 's', seconds: 's', S: 's',
  min: 'm', mins: 'm', minute: 'm', minutes: 'm', M: 'm',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h', H: 'h',
  day: 'd', days: 'd', D: 'd',
  MS: 'ms', msec: 'ms', millis: 'ms',
};
/** Pipes of the Python `eql` dialect that Elasticsearch does not run. */
const KNOWN_PIPES = ['count', 'filter', 'sort', 'unique', 'unique_count', 'window'];
const MAX_RUNS = 100;

function isLiteral(e: Expr): boolean {
  return e.kind === 'literal' || (e.kind === 'negate' && e.operand.kind === 'literal' && e.operand.type === 'number');
}

function literalText(e: LiteralExpr): string {
  return e.type === 'string' ? JSON.stringify(e.value) : String(e.value);
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

class Checker {
  readonly out: Diagnostic[] = [];

  error(code: string, message: string, span: Span, fixes?: Fix[]): void {
    this.out.push(diag(code, 'error', message, span, fixes));
  }

  warn(code: string, message: string, span: Span, fixes?: Fix[]): void {
    this.out.push(diag(code, 'warning', message, span, fixes));
  }

  statement(s: Statement): void {
    this.query(s.query);
    for (const e of rootExpressions(s)) this.expressions(e);
    this.pipes(s);
  }

  // ---- queries -------------------------------------------------------------------------

  query(q: Query): void {
    if (q.kind === 'event') return;
    if (q.kind === 'join') {
      this.error('eql/unsupported-join', 'Join is not supported by Elasticsearch; use a [sequence] (ordered) or a [sample] (unordered) instead', { start: q.span.start, end: q.span.start + 4 });
    }
    if (q.kind === 'sequence' && q.maxspan) this.maxspan(q.maxspan);
    const terms = q.terms;
    const keyed = q.kind === 'sample' ? terms : [...terms, ...(q.until ? [q.until] : [])];
    this.joinKeyCounts(keyed);
    for (const t of terms) {
      if (t.runs) {
        if (q.kind !== 'sequence') this.error(`eql/${q.kind}-runs`, `[runs] is not supported in a ${q.kind}; only sequence terms take [with runs=N]`, t.runs.span);
        else this.runs(t.runs);
      }
      if (t.missing && q.kind !== 'sequence') this.error(`eql/${q.kind}-missing-event`, `Missing events ![...] are only supported in sequences, not in a ${q.kind}`, { start: t.span.start, end: t.span.start + 2 });
    }
    if (q.kind === 'sample') {
      if (terms.length === 1) this.error('eql/sample-too-short', 'A sample requires a minimum of 2 queries, found [1]; add another [...] term', terms[0].span);
      return;
    }
    if (q.until?.missing) this.error('eql/until-missing-event', '[until] takes a regular [...] term, not a missing event ![...]', { start: q.until.span.start, end: q.until.span.start + 2 });
    if (q.until?.runs) this.error('eql/until-runs', '[with runs=N] is not supported on the [until] term', q.until.runs.span);
    if (q.kind !== 'sequence') return;
    const count = terms.reduce((n, t) => n + (t.runs && t.runs.value > 0 ? t.runs.value : 1), 0);
    if (terms.length > 0 && count < 2) {
      this.error('eql/sequence-too-short', 'A sequence requires a minimum of 2 queries, found [1]; add another [...] term, repeat it with [with runs=N], or use an event query', terms[0].span);
    }
    const missing = terms.filter((t) => t.missing);
    if (missing.length) {
      const at = { start: missing[0].span.start, end: missing[0].span.start + 2 };
      if (!q.maxspan) {
        this.error('eql/missing-event-maxspan', 'A sequence with missing events ![...] requires a maxspan; add [with maxspan=...] after [sequence] (and its [by] keys)', at);
      }
      if (missing.length === terms.length) {
        this.error('eql/missing-event-only', 'A sequence needs at least one regular [...] term besides its missing events ![...]', at);
      }
    }
  }

  maxspan(m: Maxspan): void {
    const valueSpan = m.valueSpan ?? m.span;
    const written = `${m.value}${m.unit ?? ''}`;
    if (!Number.isInteger(m.value)) {
      // Suggest the same duration as an integer in the largest unit that allows it (1.5m -> 90s).
      const factor = m.unit ? UNIT_MS[m.unit] : undefined;
      const ms = factor ? Math.round(m.value * factor * 1000) / 1000 : NaN;
      const unit = Number.isInteger(ms) && ms > 0 ? [...UNITS].reverse().find((u) => ms % UNIT_MS[u] === 0) : undefined;
      const suggestion = unit ? `${ms / UNIT_MS[unit]}${unit}` : null;
      const whole = { start: valueSpan.start, end: m.unitSpan ? m.unitSpan.end : valueSpan.end };
      this.error(
        'eql/maxspan',
        `Decimal time interval [${m.value}] not supported; use an integer${suggestion ? `, e.g. [${suggestion}]` : ' with a smaller unit (ms, s, m, h, d)'}`,
        valueSpan,
        suggestion ? [{ title: `Use ${suggestion}`, edits: [{ span: whole, newText: suggestion }] }] : undefined,
      );
      return;
    }
    if (m.value <= 0) {
      this.error('eql/maxspan', `A positive maxspan value is required; found [${m.value}]`, valueSpan);
      return;
    }
    if (m.unit === null) {
      const at = { start: valueSpan.end, end: valueSpan.end };
      this.error('eql/maxspan', `No time unit specified, did you mean [s] as in [${m.value}s]? Units: ms, s, m, h, d`, valueSpan, [
        { title: `Use ${m.value}s`, edits: [{ span: at, newText: 's' }] },
        { title: `Use ${m.value}m`, edits: [{ span: at, newText: 'm' }] },
      ]);
      return;
    }
    if (!UNITS.includes(m.unit)) {
      const unitSpan = m.unitSpan ?? m.span;
      const alias = UNIT_ALIASES[m.unit] ?? UNIT_ALIASES[m.unit.toLowerCase()];
      this.error(
        'eql/maxspan',
        `Unrecognized time unit [${m.unit}] in [${written}], please specify one of [ms, s, m, h, d]${alias ? `, e.g. [${m.value}${alias}]` : ''}`,
        unitSpan,
        alias ? [{ title: `Use ${m.value}${alias}`, edits: [{ span: unitSpan, newText: alias }] }] : undefined,
      );
    }
  }

  runs(r: { value: number; span: Span }): void {
    if (r.value < 1) this.error('eql/runs', `A positive [runs] value is required; found [${r.value}] (allowed: 1 to ${MAX_RUNS})`, r.span);
    else if (r.value > MAX_RUNS) this.error('eql/runs', `A query cannot be repeated more than ${MAX_RUNS} times; found [runs=${r.value}]`, r.span);
  }

  joinKeyCounts(terms: SequenceTerm[]): void {
    if (terms.length < 2) return;
    const expected = terms[0].by.length;
    for (const t of terms.slice(1)) {
      if (t.by.length !== expected) {
        this.error(
          'eql/join-keys',
          `Inconsistent number of join keys specified; expected [${expected}] but found [${t.by.length}]: every term needs the same number of [by] keys`,
          t.bySpan ?? t.span,
        );
      }
    }
  }

  pipes(s: Statement): void {
    for (const p of s.pipes) {
      if (p.name === '') continue; // broken pipe: the parser reported it
      if (p.name !== 'head' && p.name !== 'tail') {
        const known = KNOWN_PIPES.includes(p.name);
        const close = ['head', 'tail'].find((n) => levenshtein(n, p.name.toLowerCase()) <= 2);
        this.error(
          'eql/unsupported-pipe',
          known
            ? `Pipe [${p.name}] is not supported by Elasticsearch; only [head N] and [tail N] are`
            : `Unrecognized pipe [${p.name}]${close ? `, did you mean [${close}]?` : ''}; only [head N] and [tail N] are supported`,
          p.nameSpan,
          close ? [{ title: `Use ${close}`, edits: [{ span: p.nameSpan, newText: close }] }] : undefined,
        );
        continue;
      }
      if (p.args.length !== 1) {
        this.error('eql/pipe-argument', `Pipe [${p.name}] expects exactly one argument but found [${p.args.length}]`, p.args.length ? { start: p.args[0].span.start, end: p.span.end } : p.span);
        continue;
      }
      const a = p.args[0];
      if (a.kind === 'error') continue;
      if (!(a.kind === 'literal' && a.type === 'number' && Number.isInteger(a.value) && (a.value as number) > 0)) {
        this.error('eql/pipe-argument', `Pipe [${p.name}] expects a positive integer but found [${a.kind === 'literal' ? literalText(a) : a.kind === 'negate' && a.operand.kind === 'literal' ? '-' + literalText(a.operand) : 'an expression'}]`, a.span);
      }
    }
  }

  // ---- expressions ---------------------------------------------------------------------

  expressions(root: Expr): void {
    walkExpr(root, (e) => {
      switch (e.kind) {
        case 'compare':
          this.compare(e);
          break;
        case 'in':
          for (const item of e.list) {
            if (item.kind === 'field' && e.value.kind === 'field') {
              this.error('eql/field-comparison', `Comparisons against fields are not supported by Elasticsearch; offender [${item.name}] in the [in] list: use literal values`, item.span);
            }
          }
          break;
        case 'match':
          this.match(e);
          break;
        case 'call':
          this.call(e);
          break;
        case 'field':
          // Elasticsearch parses `a.b[0]` only to reject it (its VerifierTests: "Array indexes are not supported").
          if (e.path.some((p) => typeof p === 'number')) this.error('eql/unsupported-array-index', `Array indexes are not supported by Elasticsearch ([${e.name}] with an index); compare the whole multi-valued field instead: a condition on an array is true when any value matches`, e.span);
          break;
        case 'lineage':
          this.error('eql/unsupported-lineage', `Process relationships ([${e.relation} of]) are not supported by Elasticsearch; use a [sequence by process.entity_id] instead`, { start: e.span.start, end: e.filter.span.start > e.span.start ? e.filter.span.start - 1 : e.span.end });
          // the lineage filter's own condition is walked as a child
          break;
      }
    });
  }

  compare(e: Extract<Expr, { kind: 'compare' }>): void {
    const { left, right } = e;
    if (left.kind === 'field' && right.kind === 'field') {
      this.error('eql/field-comparison', `Comparisons against fields are not supported by Elasticsearch; offender [${right.name}] in [${e.op}]: compare [${left.name}] with a literal value`, e.span);
      return;
    }
    if (e.op !== '==' && e.op !== '!=') return;
    const lit = right.kind === 'literal' ? right : left.kind === 'literal' ? left : null;
    const other = lit === right ? left : right;
    if (!lit || lit.type !== 'string' || other.kind === 'literal') return;
    const value = String(lit.value);
    if (!hasWildcard(value)) return;
    const fixes: Fix[] = [];
    if (lit === right) {
      const notEdit = e.op === '!=' ? [{ span: { start: e.span.start, end: e.span.start }, newText: 'not ' }] : [];
      fixes.push(
        { title: `Use ${e.op === '!=' ? 'not ... :' : ':'} (case-insensitive wildcard match)`, edits: [...notEdit, { span: e.opSpan, newText: ':' }] },
        { title: `Use ${e.op === '!=' ? 'not ... like' : 'like'} (case-sensitive wildcard match)`, edits: [...notEdit, { span: e.opSpan, newText: 'like' }] },
      );
    }
    this.warn(
      'eql/wildcard-equality',
      `[${e.op}] compares literally in Elasticsearch: "*" and "?" in ${JSON.stringify(value)} are not wildcards here; use [:] or [like] for a wildcard match`,
      e.span,
      fixes,
    );
  }

  match(e: Extract<Expr, { kind: 'match' }>): void {
    const op = e.op === ':' ? ':' : e.caseInsensitive ? `${e.op}~` : e.op;
    for (const p of e.patterns) {
      if (p.kind === 'error') continue;
      if (!isLiteral(p)) {
        this.error(
          'eql/non-literal-pattern',
          `The right side of [${op}] must be a literal${e.op === ':' ? '' : ' string'} (or a list of them); ${p.kind === 'field' ? `comparing against field [${p.name}] is not supported by Elasticsearch` : 'expressions are not supported there'}`,
          p.span,
        );
        continue;
      }
      if (e.op === ':') continue;
      if (p.kind !== 'literal' || p.type !== 'string') {
        this.error('eql/pattern-type', `[${op}] takes string patterns; found [${p.kind === 'literal' ? literalText(p) : p.kind === 'negate' ? '-' + literalText(p.operand as LiteralExpr) : '?'}]: quote it`, p.span);
        continue;
      }
      if (e.op === 'regex') {
        const r = parseLuceneRegex(String(p.value));
        if (!r.ok) this.error('eql/invalid-regex', `Invalid regular expression (Lucene syntax): ${r.message} (at position ${r.offset} of the pattern)`, p.span);
      }
    }
  }

  call(e: CallExpr): void {
    const f = lookupFunction(e.name);
    if (!f) {
      const lower = e.name.toLowerCase();
      const close = FUNCTIONS.map((g) => ({ g, d: levenshtein(g.name.toLowerCase(), lower) })).filter((x) => x.d <= 2).sort((a, b) => a.d - b.d)[0];
      this.error(
        'eql/unknown-function',
        `Unknown function [${e.name}]${close ? `, did you mean [${close.g.name}]?` : ''}`,
        e.nameSpan,
        close ? [{ title: `Use ${close.g.name}`, edits: [{ span: e.nameSpan, newText: close.g.name }] }] : undefined,
      );
      return;
    }
    if (e.caseInsensitive && !f.caseInsensitive) {
      const tilde = { start: e.nameSpan.end, end: e.nameSpan.end + 1 };
      this.error('eql/function-case-insensitive', `Function [${f.name}] has no case-insensitive form: remove the [~] (only ${FUNCTIONS.filter((g) => g.caseInsensitive).map((g) => g.name).join(', ')} take it)`, tilde, [
        { title: 'Remove ~', edits: [{ span: tilde, newText: '' }] },
      ]);
    }
    const { min, max } = arity(f);
    const n = e.args.length;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.error('eql/arity', `Function [${f.name}] expects ${want} argument${want === '1' || want === 'at least 1' ? '' : 's'} but found [${n}]`, e.span);
      return;
    }
    e.args.forEach((arg, i) => {
      const p: ParamSpec | undefined = f.params[i] ?? (f.params[f.params.length - 1]?.variadic ? f.params[f.params.length - 1] : undefined);
      if (!p || arg.kind === 'error') return;
      if (p.constant && !isLiteral(arg)) {
        this.error('eql/non-constant-argument', `Argument [${p.name}] of [${f.name}] must be a constant (a literal value), not ${arg.kind === 'field' ? `field [${arg.name}]` : 'an expression'}`, arg.span);
        return;
      }
      const lit = arg.kind === 'literal' ? arg : arg.kind === 'negate' && arg.operand.kind === 'literal' ? arg.operand : null;
      if (!lit || lit.type === 'null' || p.type === 'any') return;
      const actual = lit.type;
      const ok = p.type === 'ip' ? actual === 'string' : actual === p.type;
      if (!ok) {
        const want = p.type === 'ip' ? 'an IP address string' : `a ${p.type}`;
        this.error('eql/argument-type', `Argument [${p.name}] of [${f.name}] must be ${want}, found [${literalText(lit)}] (${actual})`, arg.span);
      }
    });
  }
}

/** Checks that count terms or keys: error recovery may have dropped what they count. */
const COUNTING = new Set(['eql/sequence-too-short', 'eql/sample-too-short', 'eql/join-keys', 'eql/missing-event-only', 'eql/pipe-argument']);

/** Spans of the parts the parser could not build (ErrorExpr nodes). */
function brokenSpans(ast: Statement): Span[] {
  const spans: Span[] = [];
  for (const root of rootExpressions(ast)) {
    walkExpr(root, (e) => {
      if (e.kind === 'error') spans.push(e.span);
    });
  }
  return spans;
}

/**
 * Schema-free static checks. Never throws. On a tree with broken parts (after syntax errors)
 * findings inside them, and counts that recovery may have changed, are left out.
 */
export function checkEql(ast: Statement): Diagnostic[] {
  const c = new Checker();
  try {
    c.statement(ast);
  } catch (e) {
    c.out.push(diag('eql/internal', 'error', `EQL checker failed: ${e instanceof Error ? e.message : String(e)}`, { start: ast.span.start, end: Math.min(ast.span.start + 1, ast.span.end) }));
  }
  const out = c.out.length ? withoutBroken(c.out, brokenSpans(ast)) : c.out;
  return out.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

/** Drops findings that overlap a broken span, and every count-based finding when anything is broken. */
export function withoutBroken(found: Diagnostic[], broken: Span[]): Diagnostic[] {
  if (!broken.length) return found;
  return found.filter((d) => !COUNTING.has(d.code) && !broken.some((b) => b.start <= d.span.end && d.span.start <= b.end));
}
