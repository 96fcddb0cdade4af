// Compiles the EQL AST once into closures: no AST walking per event. Values follow
// Elasticsearch: three-valued logic (null is neither true nor false), multi-valued fields
// satisfy a predicate when any value does, `:` folds case, functions come from THE table.
import type { Expr, Statement, SequenceTerm, EventFilter, Span } from '../eql/ast';
import { diag, type Diagnostic } from '../core/diagnostic';
import { lookupFunction, arity, divide, modulo, type Scalar } from '../eql/functions';
import { eq, eqFold, order, fieldGetter, namedGetter, combinations, type Getter } from './values';
import { compileWildcard, hasWildcard, type StringTest } from '../eql/wildcard';
import { compileRegex, RegexError } from './regex';

/** Evaluates an expression on one event source. Arrays are multi-valued results. */
export type Ev = (o: unknown) => unknown;
export type Pred = (o: unknown) => boolean;

export interface EngineOptions {
  /** Named as in the `_eql/search` API. Default `event.category`. */
  eventCategoryField?: string;
  /** Default `@timestamp`. */
  timestampField?: string;
  tiebreakerField?: string | null;
  /**
   * The query text the AST was parsed from. Lets the engine tell `2.0` (a double: float
   * division) from `2` (a long: integer division), which the AST's numbers cannot.
   */
  text?: string;
}

export interface CompiledTerm {
  /** Category and condition together. */
  test: Pred;
  /** The condition alone, for callers that check the category once for several terms. */
  where: Pred;
  /** Category name; null for `any`. */
  category: string | null;
  keys: Getter[];
  /** Per key: `?field`, which may join on null (other keys must have a value). */
  optionalKeys: boolean[];
  missing: boolean;
}

export type PipeSpec = { kind: 'head' | 'tail'; n: number };

export interface CompiledQuery {
  kind: 'event' | 'sequence' | 'sample';
  /** Event query: one term. Sequence (runs expanded) / sample: one per stage. */
  terms: CompiledTerm[];
  until: CompiledTerm | null;
  /** Milliseconds, or null when not given. */
  maxspan: number | null;
  pipes: PipeSpec[];
  categoryField: string;
  timestampField: string;
  tiebreakerField: string | null;
  getTimestamp: Getter;
  getTiebreaker: Getter | null;
  getCategory: Getter;
}

export type CompileResult = { query: CompiledQuery; diagnostics: Diagnostic[] } | { query: null; diagnostics: Diagnostic[] };

class CompileError extends Error {
  constructor(readonly d: Diagnostic) {
    super(d.message);
  }
}
const fail = (code: string, message: string, at: Span): never => {
  throw new CompileError(diag(code, 'error', message, at));
};

/** Three-valued truth of a result: true, false or null; multi-valued: any true. */
function truth(v: unknown): boolean | null {
  if (v === true) return true;
  if (v === false) return false;
  if (Array.isArray(v)) {
    let sawFalse = false;
    for (const x of v) {
      if (x === true) return true;
      if (x === false) sawFalse = true;
    }
    return sawFalse ? false : null;
  }
  return null;
}

/** Applies a binary scalar function over possibly multi-valued sides; null in, null out. */
function lift2(f: (a: unknown, b: unknown) => unknown): (a: unknown, b: unknown) => unknown {
  return (a, b) => {
    if (a === null || b === null) return null;
    if (!Array.isArray(a) && !Array.isArray(b)) return f(a, b);
    // Null results drop out of a multi-valued result; none left is null.
    const out: unknown[] = [];
    for (const x of Array.isArray(a) ? a : [a])
      for (const y of Array.isArray(b) ? b : [b]) {
        const r = f(x, y);
        if (r !== null) out.push(r);
      }
    return out.length === 0 ? null : out.length === 1 ? out[0] : out;
  };
}

/** Any value of a (multi-valued) side satisfies p. null stays null. */
function anyOf(v: unknown, p: (x: unknown) => boolean): boolean | null {
  if (v === null) return null;
  if (!Array.isArray(v)) return p(v);
  for (const x of v) if (p(x)) return true;
  return false;
}

const isScalar = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Query text of the statement being compiled (compilation is synchronous). */
let sourceText: string | undefined;

/** Statically a floating-point value: a decimal literal, or arithmetic involving one. */
function isDecimal(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'number' && (!Number.isInteger(e.value) || (sourceText !== undefined && /[.eE]/.test(sourceText.slice(e.span.start, e.span.end))));
    case 'arith':
      return isDecimal(e.left) || isDecimal(e.right);
    case 'negate':
      return isDecimal(e.operand);
    case 'call':
      return ['add', 'subtract', 'multiply', 'divide', 'modulo'].includes(e.name.toLowerCase()) && e.args.some(isDecimal);
    default:
      return false;
  }
}

function literalValue(e: Expr): unknown {
  return e.kind === 'literal' ? e.value : undefined;
}

function compileExpr(e: Expr): Ev {
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'field': {
      if (e.path.length === 0) fail('engine/unsupported', 'empty field name', e.span);
      return fieldGetter(e.path);
    }
    case 'and':
    case 'or': {
      // `and` stops at the first false, `or` at the first true; otherwise any null makes it null.
      const ops = e.operands.map(compileExpr);
      const stop = e.kind === 'or';
      return (o) => {
        let unknown = false;
        for (let i = 0; i < ops.length; i++) {
          const t = truth(ops[i](o));
          if (t === stop) return stop;
          if (t === null) unknown = true;
        }
        return unknown ? null : !stop;
      };
    }
    case 'not': {
      const x = compileExpr(e.operand);
      return (o) => {
        const t = truth(x(o));
        return t === null ? null : !t;
      };
    }
    case 'compare':
      return compileCompare(e.op, e.left, e.right);
    case 'in': {
      const v = compileExpr(e.value);
      const test = compileMembership(e.list, e.caseInsensitive);
      const neg = e.negated;
      return (o) => {
        const r = test(v(o), o);
        return r === null ? null : neg ? !r : r;
      };
    }
    case 'match':
      return compileMatch(e);
    case 'arith': {
      const l = compileExpr(e.left);
      const r = compileExpr(e.right);
      const f = lift2(arithOp(e.op, isDecimal(e)));
      return (o) => f(l(o), r(o));
    }
    case 'negate': {
      const x = compileExpr(e.operand);
      const neg = (v: unknown): unknown => (typeof v === 'number' ? -v : Array.isArray(v) ? v.map(neg) : null);
      return (o) => neg(x(o));
    }
    case 'call':
      return compileCall(e);
    case 'lineage':
      return fail('engine/unsupported', `'${e.relation} of' (lineage) is not supported by Elasticsearch`, e.span);
    case 'error':
      return fail('engine/invalid', 'the query has syntax errors', e.span);
  }
}

function arithOp(op: string, float: boolean): (a: unknown, b: unknown) => unknown {
  const nums = (f: (x: number, y: number) => number | null) => (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? f(a, b) : null);
  switch (op) {
    case '+':
      return nums((x, y) => x + y);
    case '-':
      return nums((x, y) => x - y);
    case '*':
      return nums((x, y) => x * y);
    case '/':
      return nums((x, y) => divide(x, y, float));
    default:
      return nums(modulo);
  }
}

function compileCompare(op: string, left: Expr, right: Expr): Ev {
  // `x == null` means absent or null; `x != null` means present.
  const lnull = left.kind === 'literal' && left.value === null;
  const rnull = right.kind === 'literal' && right.value === null;
  if (lnull || rnull) {
    if (lnull && rnull) return () => (op === '==' ? true : op === '!=' ? false : null);
    const side = compileExpr(lnull ? right : left);
    if (op === '==') return (o) => side(o) === null;
    if (op === '!=') return (o) => side(o) !== null;
    return () => null;
  }
  const l = compileExpr(left);
  const r = compileExpr(right);
  // `!=` is the negation of `==` over all values (must_not term on arrays).
  if (op === '==' || op === '!=') {
    const lv = literalValue(right);
    const neg = op === '!=';
    if (typeof lv === 'string') {
      const isLv = (x: unknown) => eq(x, lv);
      return (o) => {
        const a = l(o);
        if (a === lv) return !neg;
        if (a === null) return null;
        const t = typeof a === 'string' ? false : anyOf(a, isLv);
        return neg ? !t : t;
      };
    }
    return (o) => {
      const a = l(o);
      const b = r(o);
      if (a === null || b === null) return null;
      const t = Array.isArray(b) ? anyOf(b, (y) => anyOf(a, (x) => eq(x, y)) === true) : anyOf(a, (x) => eq(x, b));
      return t === null ? null : neg ? !t : t;
    };
  }
  const ok: (c: number) => boolean = op === '<' ? (c) => c < 0 : op === '<=' ? (c) => c <= 0 : op === '>' ? (c) => c > 0 : (c) => c >= 0;
  const cmp = (x: unknown, y: unknown) => {
    const c = order(x, y);
    return c !== null && ok(c);
  };
  return (o) => {
    const a = l(o);
    const b = r(o);
    if (a === null || b === null) return null;
    if (!Array.isArray(a) && !Array.isArray(b)) {
      if (typeof a === 'number' && typeof b === 'number') return ok(a - b);
      const c = order(a, b);
      return c === null ? false : ok(c);
    }
    return anyOf(b, (y) => anyOf(a, (x) => cmp(x, y)) === true);
  };
}

function compileMembership(list: Expr[], ci: boolean): (v: unknown, o: unknown) => boolean | null {
  const allLiteral = list.every((x) => x.kind === 'literal');
  if (allLiteral) {
    const vals = list.map((x) => (x as { value: unknown }).value).filter((v) => v !== null);
    const strs = new Set(vals.filter((v): v is string => typeof v === 'string').map((s) => (ci ? s.toLowerCase() : s)));
    const others = vals.filter((v) => typeof v !== 'string');
    const one = (x: unknown): boolean => {
      if (typeof x === 'string') {
        if (strs.has(ci ? x.toLowerCase() : x)) return true;
        for (const y of others) if (eq(x, y)) return true;
        return false;
      }
      for (const y of vals) if (eq(x, y)) return true;
      return false;
    };
    return (v) => anyOf(v, one);
  }
  const evs = list.map(compileExpr);
  const same = ci ? eqFold : eq;
  return (v, o) => {
    if (v === null) return null;
    const items = evs.map((f) => f(o));
    return anyOf(v, (x) => items.some((y) => anyOf(y, (z) => same(x, z)) === true));
  };
}

function compileMatch(e: Extract<Expr, { kind: 'match' }>): Ev {
  const v = compileExpr(e.value);
  const ci = e.op === ':' || e.caseInsensitive;
  // String values: folded once, then an exact-term set, wildcard tests and regexes.
  const exact = new Set<string>();
  const globs: StringTest[] = [];
  const regexes: StringTest[] = [];
  // Numbers and booleans compare by value against every literal (`pid : 4`, `pid : "4"`).
  const literals: unknown[] = [];
  const nonStrings: unknown[] = [];
  for (const p of e.patterns) {
    if (p.kind !== 'literal') fail('engine/unsupported', `the right-hand side of '${e.op}' must be a literal`, p.span);
    const pv = (p as { value: unknown }).value;
    if (pv === null) continue;
    literals.push(pv);
    if (typeof pv !== 'string') {
      nonStrings.push(pv);
      continue;
    }
    if (e.op === 'regex') {
      try {
        regexes.push(compileRegex(pv, ci));
      } catch (err) {
        return fail('engine/invalid-regex', `invalid regular expression: ${err instanceof RegexError ? err.message : String(err)}`, p.span);
      }
    } else if (hasWildcard(pv)) globs.push(compileWildcard(ci ? pv.toLowerCase() : pv, false));
    else exact.add(ci ? pv.toLowerCase() : pv);
  }
  const onString = (x: string): boolean => {
    const f = ci ? x.toLowerCase() : x;
    if (exact.has(f)) return true;
    for (let i = 0; i < globs.length; i++) if (globs[i](f)) return true;
    for (let i = 0; i < regexes.length; i++) if (regexes[i](x)) return true;
    return false;
  };
  const one = (x: unknown): boolean => {
    if (typeof x === 'string') return onString(x) || (nonStrings.length !== 0 && nonStrings.some((l) => eq(x, l)));
    if (typeof x === 'number' || typeof x === 'boolean') return literals.some((l) => eq(x, l)) || onString(String(x));
    return false;
  };
  return (o) => {
    const x = v(o);
    return typeof x === 'string' ? one(x) : anyOf(x, one);
  };
}

const MAX_COMBINATIONS = 4096;

function compileCall(e: Extract<Expr, { kind: 'call' }>): Ev {
  const spec = lookupFunction(e.name);
  if (!spec) return fail('engine/unknown-function', `unknown function '${e.name}'`, e.nameSpan);
  const { min, max } = arity(spec);
  if (e.args.length < min || e.args.length > max) fail('engine/arity', `${spec.name} takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} arguments`, e.span);
  if (e.caseInsensitive && !spec.caseInsensitive) fail('engine/unsupported', `${spec.name} has no case-insensitive (~) form`, e.nameSpan);
  const args = e.args.map(compileExpr);
  const ci = e.caseInsensitive;
  const decimal = e.args.some(isDecimal) ? e.args.map(isDecimal) : undefined;
  const impl = (a: Scalar[], c: boolean) => spec.impl(a, c, decimal);
  const n = args.length;
  return (o) => {
    const vals: unknown[] = new Array(n);
    let multi = false;
    for (let i = 0; i < n; i++) {
      const v = args[i](o);
      if (Array.isArray(v)) multi = true;
      vals[i] = isScalar(v) || Array.isArray(v) ? v : null;
    }
    if (!multi) return impl(vals as Scalar[], ci);
    // Multi-valued arguments: evaluate every combination; predicates over the result see any.
    const combos = combinations(
      vals.map((v) => (Array.isArray(v) ? v : [v]).map((x) => (isScalar(x) ? (x as Scalar) : null))),
      MAX_COMBINATIONS,
    );
    const results = combos.map((c) => impl(c, ci)).filter((r) => r !== null);
    return results.length === 0 ? null : results.length === 1 ? results[0] : results;
  };
}

function compileFilter(f: EventFilter, categoryGet: Getter): { test: Pred; where: Pred; category: string | null } {
  const cond = compileExpr(f.condition);
  const name = f.category.name;
  const where: Pred = (o) => {
    const v = cond(o);
    return v === true || (v !== false && v !== null && truth(v) === true);
  };
  if (name === null) return { test: where, where, category: null };
  const test: Pred = (o) => {
    const c = categoryGet(o);
    if (c !== name && !(Array.isArray(c) && c.includes(name))) return false;
    return where(o);
  };
  return { test, where, category: name };
}

function compileTerm(t: SequenceTerm, shared: Expr[], categoryGet: Getter): CompiledTerm {
  const keys = [...shared, ...t.by];
  return { ...compileFilter(t.filter, categoryGet), keys: keys.map(compileExpr) as Getter[], optionalKeys: keys.map((k) => k.kind === 'field' && k.optional), missing: t.missing };
}

/** Compiles a parsed statement. Never throws: problems come back as diagnostics. */
export function compileQuery(ast: Statement, options: EngineOptions = {}): CompileResult {
  const categoryField = options.eventCategoryField || 'event.category';
  const timestampField = options.timestampField || '@timestamp';
  const tiebreakerField = options.tiebreakerField || null;
  const categoryGet = namedGetter(categoryField);
  const diagnostics: Diagnostic[] = [];
  sourceText = options.text;
  try {
    const q = ast.query;
    const pipes: PipeSpec[] = [];
    for (const p of ast.pipes) {
      const name = p.name.toLowerCase();
      const n = p.args.length === 1 && p.args[0].kind === 'literal' ? p.args[0].value : null;
      if ((name !== 'head' && name !== 'tail') || typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        fail('engine/unsupported', name === 'head' || name === 'tail' ? `${name} takes one non-negative integer` : `pipe '${p.name}' is not supported by Elasticsearch (only head and tail)`, p.span);
      }
      pipes.push({ kind: name as 'head' | 'tail', n: n as number });
    }
    const base = {
      pipes,
      categoryField,
      timestampField,
      tiebreakerField,
      getTimestamp: namedGetter(timestampField),
      getTiebreaker: tiebreakerField ? namedGetter(tiebreakerField) : null,
      getCategory: categoryGet,
    };
    if (q.kind === 'join') return fail('engine/unsupported', 'join is not supported by Elasticsearch', q.span);
    if (q.kind === 'event') {
      const term: CompiledTerm = { ...compileFilter(q.filter, categoryGet), keys: [], optionalKeys: [], missing: false };
      return { query: { kind: 'event', terms: [term], until: null, maxspan: null, ...base }, diagnostics };
    }
    if (q.kind === 'sample') {
      const terms = q.terms.map((t) => compileTerm(t, q.by, categoryGet));
      checkKeys(terms, q.span);
      return { query: { kind: 'sample', terms, until: null, maxspan: null, ...base }, diagnostics };
    }
    // Sequence: `with runs=N` repeats a term N times.
    const terms: CompiledTerm[] = [];
    for (const t of q.terms) {
      const c = compileTerm(t, q.by, categoryGet);
      const runs = t.runs ? t.runs.value : 1;
      if (!Number.isInteger(runs) || runs < 1 || runs > 100) fail('engine/invalid', 'runs must be an integer from 1 to 100', t.runs!.span);
      for (let i = 0; i < runs; i++) terms.push(c);
    }
    if (terms.length < 2 && !terms.some((t) => t.missing)) fail('engine/invalid', 'a sequence needs at least two terms', q.span);
    if (!terms.some((t) => !t.missing)) fail('engine/invalid', 'a sequence needs at least one event that is not missing', q.span);
    const maxspan = q.maxspan ? q.maxspan.ms : null;
    if (q.maxspan && maxspan === null) fail('engine/invalid', 'invalid maxspan', q.maxspan.span);
    if (terms.some((t) => t.missing) && maxspan === null) fail('engine/invalid', 'a sequence with missing events (![...]) needs maxspan', q.span);
    const until = q.until ? compileTerm(q.until, q.by, categoryGet) : null;
    checkKeys(until ? [...terms, until] : terms, q.span);
    return { query: { kind: 'sequence', terms, until, maxspan, ...base }, diagnostics };
  } catch (e) {
    if (e instanceof CompileError) return { query: null, diagnostics: [...diagnostics, e.d] };
    throw e;
  } finally {
    sourceText = undefined;
  }
}

function checkKeys(terms: CompiledTerm[], at: Span): void {
  const n = terms[0]?.keys.length ?? 0;
  if (terms.some((t) => t.keys.length !== n)) fail('engine/invalid', 'every term needs the same number of join keys', at);
}
