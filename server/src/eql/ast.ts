// The EQL syntax tree. Every node carries `span`: offsets into the query text it was parsed
// from (not the document; a QueryRegion maps them). Parsing always yields a tree, even for
// broken input: missing pieces become `ErrorExpr` nodes or empty lists, so nothing downstream
// may assume a well-formed tree.

import type { Span } from '../core/diagnostic';

export type { Span };

export interface Statement {
  kind: 'statement';
  query: Query;
  pipes: Pipe[];
  span: Span;
}

export type Query = EventQuery | SequenceQuery | SampleQuery | JoinQuery;

/** `category where condition`, also the body of every `[ ... ]` term. */
export interface EventFilter {
  kind: 'filter';
  category: Category;
  condition: Expr;
  span: Span;
}

export interface Category {
  kind: 'category';
  /** Unquoted / unescaped category name; null for `any`. */
  name: string | null;
  quoted: boolean;
  span: Span;
}

export interface EventQuery {
  kind: 'event';
  filter: EventFilter;
  span: Span;
}

export interface Maxspan {
  kind: 'maxspan';
  /** The number as written (may be a decimal, which is an error). */
  value: number;
  /** Time unit as written (`ms`, `s`, `m`, `h`, `d`), or null when omitted. */
  unit: string | null;
  /** Duration in milliseconds, or null when the value or unit is invalid. */
  ms: number | null;
  span: Span;
  /** Span of the number alone (for precise diagnostics); absent in hand-built trees. */
  valueSpan?: Span;
  /** Span of the unit identifier, or null when omitted. */
  unitSpan?: Span | null;
}

export interface SequenceTerm {
  kind: 'term';
  filter: EventFilter;
  /** `![ ... ]`: a missing event. */
  missing: boolean;
  /** Per-term join keys (`[ ... ] by a, b`). */
  by: Expr[];
  /** Span of `by a, b` after the term, when present. */
  bySpan?: Span;
  /** `with runs=N`, if present. */
  runs: { value: number; span: Span } | null;
  span: Span;
}

export interface SequenceQuery {
  kind: 'sequence';
  /** Shared join keys (`sequence by a, b`). */
  by: Expr[];
  bySpan: Span | null;
  maxspan: Maxspan | null;
  terms: SequenceTerm[];
  until: SequenceTerm | null;
  span: Span;
}

export interface SampleQuery {
  kind: 'sample';
  by: Expr[];
  bySpan: Span | null;
  terms: SequenceTerm[];
  span: Span;
}

/** Parsed for good messages; Elasticsearch rejects `join`. */
export interface JoinQuery {
  kind: 'join';
  by: Expr[];
  terms: SequenceTerm[];
  until: SequenceTerm | null;
  span: Span;
}

export interface Pipe {
  kind: 'pipe';
  name: string;
  nameSpan: Span;
  args: Expr[];
  span: Span;
}

export type Expr =
  | LogicalExpr
  | NotExpr
  | CompareExpr
  | InExpr
  | MatchExpr
  | ArithExpr
  | NegateExpr
  | CallExpr
  | FieldExpr
  | LiteralExpr
  | LineageExpr
  | ErrorExpr;

/** n-ary so that long `or` chains stay shallow; `and` binds tighter than `or`. */
export interface LogicalExpr {
  kind: 'and' | 'or';
  operands: Expr[];
  span: Span;
}

export interface NotExpr {
  kind: 'not';
  operand: Expr;
  span: Span;
}

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface CompareExpr {
  kind: 'compare';
  op: CompareOp;
  left: Expr;
  right: Expr;
  opSpan: Span;
  span: Span;
}

/** `value [not] in (list)` and `in~`. */
export interface InExpr {
  kind: 'in';
  negated: boolean;
  caseInsensitive: boolean;
  value: Expr;
  list: Expr[];
  opSpan: Span;
  span: Span;
}

export type MatchOp = ':' | 'like' | 'regex';

/** `value : pattern(s)`, `like`, `like~`, `regex`, `regex~`. `:` is always case-insensitive. */
export interface MatchExpr {
  kind: 'match';
  op: MatchOp;
  caseInsensitive: boolean;
  value: Expr;
  /** Right-hand side; Elasticsearch requires literals here (checked, not assumed). */
  patterns: Expr[];
  opSpan: Span;
  span: Span;
}

export type ArithOp = '+' | '-' | '*' | '/' | '%';

export interface ArithExpr {
  kind: 'arith';
  op: ArithOp;
  left: Expr;
  right: Expr;
  span: Span;
}

/** Unary minus (unary plus is dropped by the parser). */
export interface NegateExpr {
  kind: 'negate';
  operand: Expr;
  span: Span;
}

export interface CallExpr {
  kind: 'call';
  /** As written; look it up case-insensitively. */
  name: string;
  nameSpan: Span;
  caseInsensitive: boolean;
  args: Expr[];
  span: Span;
}

export interface FieldExpr {
  kind: 'field';
  /** Dotted name without array indexes, e.g. `process.args` for `process.args[0]`. */
  name: string;
  /** Path segments: names (unescaped backtick identifiers) and array indexes. */
  path: (string | number)[];
  /** `?field`: unknown fields evaluate to null instead of being an error. */
  optional: boolean;
  span: Span;
}

export interface LiteralExpr {
  kind: 'literal';
  type: 'string' | 'number' | 'boolean' | 'null';
  value: string | number | boolean | null;
  /** For strings: how it was written. 'single' and 'question' are legacy syntax (errors). */
  quote?: 'double' | 'raw' | 'single' | 'question';
  span: Span;
}

/** `child of [...]` / `descendant of [...]` / `event of [...]`: parsed, unsupported. */
export interface LineageExpr {
  kind: 'lineage';
  relation: string;
  filter: EventFilter;
  span: Span;
}

/** Stands where the parser could not build an expression; a diagnostic was already emitted. */
export interface ErrorExpr {
  kind: 'error';
  span: Span;
}

export type Node = Statement | Query | EventFilter | Category | Maxspan | SequenceTerm | Pipe | Expr;

/** Children of an expression, in source order. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'and':
    case 'or':
      return e.operands;
    case 'not':
    case 'negate':
      return [e.operand];
    case 'compare':
    case 'arith':
      return [e.left, e.right];
    case 'in':
      return [e.value, ...e.list];
    case 'match':
      return [e.value, ...e.patterns];
    case 'call':
      return e.args;
    case 'lineage':
      return [e.filter.condition];
    default:
      return [];
  }
}

/** Every event filter in a statement, in source order. */
export function filtersOf(q: Query): EventFilter[] {
  switch (q.kind) {
    case 'event':
      return [q.filter];
    case 'sample':
      return q.terms.map((t) => t.filter);
    case 'sequence':
    case 'join':
      return [...q.terms, ...(q.until ? [q.until] : [])].map((t) => t.filter);
  }
}

/** Every top-level expression of a statement (conditions, join keys, pipe arguments). */
export function rootExpressions(s: Statement): Expr[] {
  const q = s.query;
  const out: Expr[] = [];
  if (q.kind !== 'event') out.push(...q.by);
  if (q.kind === 'event') out.push(q.filter.condition);
  else {
    const terms = q.kind === 'sample' ? q.terms : [...q.terms, ...(q.until ? [q.until] : [])];
    for (const t of terms) out.push(t.filter.condition, ...t.by);
  }
  for (const p of s.pipes) out.push(...p.args);
  return out;
}

/** Depth-first walk over expressions; return false from `visit` to skip a subtree. */
export function walkExpr(e: Expr, visit: (e: Expr, parent: Expr | null) => boolean | void, parent: Expr | null = null): void {
  // Iterative to survive the 47 KB queries of real rules without deep recursion.
  const stack: [Expr, Expr | null][] = [[e, parent]];
  while (stack.length) {
    const [node, par] = stack.pop()!;
    if (visit(node, par) === false) continue;
    const kids = exprChildren(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], node]);
  }
}
