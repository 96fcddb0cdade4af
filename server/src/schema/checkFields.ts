// Field diagnostics over an EQL AST against a FieldSet. Offsets are QUERY offsets (the caller's
// QueryRegion maps them). Schemas may disagree on a field's type, so a use is only reported
// when no definition of the field accepts it.

import { diag, type Diagnostic, type Severity, type Span } from '../core/diagnostic';
import { filtersOf, rootExpressions, walkExpr, type Expr, type FieldExpr, type LiteralExpr, type Statement } from '../eql/ast';
import { compileWildcard } from '../eql/wildcard';
import { lookupFunction, type ValueType } from '../eql/functions';
import type { FieldInfo, FieldSet } from './fieldSet';

/** Every field-check code with its default severity (the one table of them). */
export const FIELD_CHECK_SEVERITY = {
  'eql/unknown-field': 'warning',
  'eql/text-field': 'error',
  'eql/type-mismatch': 'error',
  'eql/disallowed-value': 'warning',
  'eql/unknown-category': 'warning',
} as const satisfies Record<string, Severity>;

export type FieldCheckCode = keyof typeof FIELD_CHECK_SEVERITY;

/** Per-code severity overrides; `off` drops the diagnostic. Keys may be any diagnostic code. */
export type SeverityOverrides = Partial<Record<string, Severity | 'off'>>;

export interface FieldCheckOptions {
  severities?: SeverityOverrides;
  /** The rule overrides the category field (`event_category_override`): categories are not ECS ones. */
  categoryOverridden?: boolean;
}

/** What kind of value a mapping type holds, for type checks. */
type Kind = 'string' | 'number' | 'boolean' | 'ip' | 'date' | 'text' | 'other';

const KIND_BY_TYPE: Record<string, Kind> = {
  keyword: 'string',
  constant_keyword: 'string',
  wildcard: 'string',
  version: 'string',
  long: 'number',
  integer: 'number',
  short: 'number',
  byte: 'number',
  double: 'number',
  float: 'number',
  half_float: 'number',
  scaled_float: 'number',
  unsigned_long: 'number',
  boolean: 'boolean',
  ip: 'ip',
  date: 'date',
  date_nanos: 'date',
  text: 'text',
  match_only_text: 'text',
};

export const kindOf = (type: string): Kind => KIND_BY_TYPE[type] ?? 'other';

/** Can a field of this kind hold a value of that EQL type? */
function accepts(kind: Kind, t: ValueType | 'null'): boolean {
  if (t === 'any' || t === 'null' || kind === 'other' || kind === 'text') return true; // text is its own error
  switch (kind) {
    case 'string':
      return t === 'string';
    case 'number':
      return t === 'number';
    case 'boolean':
      return t === 'boolean';
    case 'ip':
      return t === 'string' || t === 'ip';
    case 'date':
      return t === 'string' || t === 'number';
  }
}

/** As a function argument: may a field of this kind be passed where `t` is expected? */
function argAccepts(kind: Kind, t: ValueType): boolean {
  if (t === 'any' || kind === 'other' || kind === 'text') return true;
  if (t === 'ip') return kind === 'ip';
  if (t === 'string') return kind === 'string' || kind === 'ip' || kind === 'date';
  if (t === 'number') return kind === 'number' || kind === 'date';
  return kind === t;
}

const literalType = (l: LiteralExpr): ValueType | 'null' => (l.type === 'null' ? 'null' : l.type);

/** The ECS fields whose values are an enumeration worth checking. */
const ENUM_FIELDS = new Set(['event.category', 'event.type', 'event.kind', 'event.outcome']);

export function checkFields(ast: Statement, fields: FieldSet, options: FieldCheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (code: FieldCheckCode, message: string, at: Span, fixes?: Diagnostic['fixes']) => {
    const sev = options.severities?.[code] ?? FIELD_CHECK_SEVERITY[code];
    if (sev !== 'off') out.push(diag(code, sev, message, at, fixes));
  };

  const defsCache = new Map<string, FieldInfo[]>();
  const defs = (f: FieldExpr): FieldInfo[] => {
    let d = defsCache.get(f.name);
    if (!d) {
      d = fields.getAll(f.name);
      if (!d.length) d = fields.matchWildcard(f.name);
      defsCache.set(f.name, d);
    }
    return d;
  };
  const describe = (d: FieldInfo[]) => [...new Set(d.map((x) => x.type))].join(' / ');

  // A literal compared with a field (or a function result) of an incompatible type.
  const checkValue = (subject: Expr | undefined, lit: Expr | undefined) => {
    if (!subject || !lit || lit.kind !== 'literal') return;
    const t = literalType(lit);
    if (subject.kind === 'field') {
      const d = defs(subject);
      if (d.length && !d.some((x) => accepts(kindOf(x.type), t))) report('eql/type-mismatch', `\`${subject.name}\` is ${describe(d)}; it cannot be compared with a ${t}`, lit.span);
    } else if (subject.kind === 'call') {
      const spec = lookupFunction(subject.name);
      const r = spec?.returns;
      if (r && r !== 'any' && t !== 'null' && t !== r && !(r === 'ip' && t === 'string')) report('eql/type-mismatch', `\`${spec.name}\` returns a ${r}; it cannot be compared with a ${t}`, lit.span);
    }
  };

  const checkEnumValue = (f: FieldExpr, lit: Expr | undefined, mode: 'exact' | 'ci' | 'wildcard' | 'wildcard-ci') => {
    if (!ENUM_FIELDS.has(f.name) || !lit || lit.kind !== 'literal' || typeof lit.value !== 'string') return;
    // Only where ECS alone defines the field: a beats / integration / custom schema that also
    // defines it (as a plain keyword) speaks for data that may carry other values.
    const d = defs(f);
    const allowed = d[0]?.allowedValues;
    if (!allowed?.length || d.some((x) => !x.allowedValues)) return;
    const v = lit.value;
    const matches = mode === 'exact' ? (n: string) => n === v : mode === 'ci' ? (n: string) => n.toLowerCase() === v.toLowerCase() : compileWildcard(v, mode === 'wildcard-ci');
    const ok = allowed.some((a) => matches(a.name));
    if (!ok) report('eql/disallowed-value', `"${v}" is not an ECS value of \`${f.name}\` (allowed: ${allowed.map((a) => a.name).join(', ')})`, lit.span);
  };

  const visit = (e: Expr | undefined): void => {
    if (!e) return; // broken trees may have holes
    switch (e.kind) {
      case 'field': {
        if (e.optional) return;
        const d = defs(e);
        if (!d.length) {
          if (fields.coveredByObject(e.name)) return;
          const plain = e.path.every((p) => typeof p === 'string' && /^[A-Za-z_@][A-Za-z0-9_]*$/.test(p));
          const near = fields.suggest(e.name);
          const fixes = plain ? near.map((n) => ({ title: `Change to \`${n}\``, edits: [{ span: e.span, newText: n }] })) : undefined;
          report('eql/unknown-field', `Unknown field \`${e.name}\`${near.length ? `; did you mean \`${near[0]}\`?` : ''}`, e.span, fixes);
        } else if (d.every((x) => kindOf(x.type) === 'text')) {
          report('eql/text-field', `\`${e.name}\` is a ${describe(d)} field; EQL cannot search text fields`, e.span);
        }
        return;
      }
      case 'compare': {
        if (e.left?.kind === 'literal') checkValue(e.right, e.left);
        else checkValue(e.left, e.right);
        const f = e.left?.kind === 'field' ? e.left : e.right?.kind === 'field' ? e.right : null;
        const lit = e.left?.kind === 'field' ? e.right : e.left;
        if (f && (e.op === '==' || e.op === '!=')) checkEnumValue(f, lit, 'exact');
        return;
      }
      case 'in': {
        for (const item of e.list) {
          checkValue(e.value, item);
          if (e.value?.kind === 'field') checkEnumValue(e.value, item, e.caseInsensitive ? 'ci' : 'exact');
        }
        return;
      }
      case 'match': {
        if (e.value?.kind === 'field') {
          const d = defs(e.value);
          const kinds = d.map((x) => kindOf(x.type));
          const stringy = (k: Kind) => k === 'string' || k === 'other' || k === 'text' || k === 'date' || (k === 'ip' && e.op === ':');
          if (d.length && !kinds.some(stringy)) {
            const what = e.op === ':' ? '`:`' : `\`${e.op}${e.caseInsensitive ? '~' : ''}\``;
            const numericOk = e.op === ':' && e.patterns.every((p) => p?.kind === 'literal' && p.type !== 'string' && kinds.some((k) => accepts(k, literalType(p as LiteralExpr))));
            if (!numericOk) report('eql/type-mismatch', `${what} matches strings, but \`${e.value.name}\` is ${describe(d)}`, e.opSpan);
          }
          for (const p of e.patterns) {
            if (e.op !== 'regex') checkEnumValue(e.value, p, e.op === ':' || e.caseInsensitive ? 'wildcard-ci' : 'wildcard');
          }
        }
        return;
      }
      case 'call': {
        const spec = lookupFunction(e.name);
        if (!spec) return;
        e.args.forEach((arg, i) => {
          if (arg?.kind !== 'field') return;
          const param = i < spec.params.length ? spec.params[i] : spec.params.find((p) => p.variadic);
          if (!param) return;
          const d = defs(arg);
          if (d.length && !d.some((x) => argAccepts(kindOf(x.type), param.type))) {
            report('eql/type-mismatch', `\`${spec.name}\` expects ${param.type === 'ip' ? 'an ip' : `a ${param.type}`} for \`${param.name}\`, but \`${arg.name}\` is ${describe(d)}`, arg.span);
          }
        });
        return;
      }
      default:
        return;
    }
  };

  // A hole in a broken tree (undefined child) is skipped, not descended into.
  for (const root of rootExpressions(ast)) if (root) walkExpr(root, (e) => (e ? void visit(e) : false));

  if (!options.categoryOverridden) {
    const allowed = fields.get('event.category')?.allowedValues;
    if (allowed?.length) {
      const names = new Set(allowed.map((a) => a.name));
      for (const f of filtersOf(ast.query)) {
        const c = f.category;
        if (c.name !== null && c.name !== '' && !names.has(c.name)) {
          report('eql/unknown-category', `Unknown event category \`${c.name}\` (ECS categories: ${[...names].join(', ')})`, c.span);
        }
      }
    }
  }
  return out;
}

/** `event.module` / `event.dataset` values the query compares against: they pick beats and integration schemas. */
export function datasetHints(ast: Statement): { modules: string[]; datasets: string[] } {
  const modules = new Set<string>();
  const datasets = new Set<string>();
  const add = (f: Expr | undefined, v: Expr | undefined) => {
    if (!f || !v || f.kind !== 'field' || v.kind !== 'literal' || typeof v.value !== 'string' || /[*?]/.test(v.value)) return;
    if (f.name === 'event.module') modules.add(v.value);
    else if (f.name === 'event.dataset') datasets.add(v.value);
  };
  for (const root of rootExpressions(ast)) {
    if (!root) continue;
    walkExpr(root, (e) => {
      if (!e) return false;
      if (e.kind === 'compare' && e.op === '==') {
        add(e.left, e.right);
        add(e.right, e.left);
      } else if (e.kind === 'in' && !e.negated) for (const item of e.list) add(e.value, item);
      else if (e.kind === 'match' && e.op === ':') for (const p of e.patterns) add(e.value, p);
    });
  }
  return { modules: [...modules].sort(), datasets: [...datasets].sort() };
}
