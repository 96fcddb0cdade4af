// Property test: the compiled evaluator agrees with a plain reference interpreter (below,
// written straight from the semantics: three-valued logic, any-value matching on arrays,
// `:` folds case, wildcard `*`/`?`) on random expressions over random events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Expr, Statement } from '../../server/src/eql/ast';
import { compileQuery } from '../../server/src/engine/index';
import { compileRegex, compileRegexUnfiltered } from '../../server/src/engine/regex';

const sp = { start: 0, end: 0 };
const field = (name: string): Expr => ({ kind: 'field', name, path: [name], optional: false, span: sp });
const lit = (value: string | number | null): Expr => ({ kind: 'literal', type: value === null ? 'null' : typeof value === 'number' ? 'number' : 'string', value, span: sp });

const FIELDS = ['a', 'b', 'c'];
const strVal = fc.constantFrom('cmd', 'CMD', 'cmd.exe', 'x', '', 'aXb', '12');
const scalar = fc.oneof(strVal, fc.integer({ min: -3, max: 13 }));
const fieldVal = fc.oneof(fc.constant(undefined), fc.constant(null), scalar, fc.array(scalar, { maxLength: 3 }));
const eventArb = fc.record({ a: fieldVal, b: fieldVal, c: fieldVal }, { requiredKeys: [] });

const pattern = fc.constantFrom('cmd*', '*EXE', 'c?d', '*', '?', 'x', 'a*b', '12', '');
const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.record({ f: fc.constantFrom(...FIELDS), op: fc.constantFrom('==', '!=', '<', '>='), v: fc.oneof(scalar, fc.constant(null)) }).map(
    ({ f, op, v }): Expr => ({ kind: 'compare', op: op as '==', left: field(f), right: lit(v), opSpan: sp, span: sp }),
  ),
  fc.record({ f: fc.constantFrom(...FIELDS), op: fc.constantFrom(':', 'like'), ci: fc.boolean(), ps: fc.array(pattern, { minLength: 1, maxLength: 3 }) }).map(
    ({ f, op, ci, ps }): Expr => ({ kind: 'match', op: op as ':', caseInsensitive: op === ':' || ci, value: field(f), patterns: ps.map(lit), opSpan: sp, span: sp }),
  ),
  fc.record({ f: fc.constantFrom(...FIELDS), neg: fc.boolean(), ci: fc.boolean(), vs: fc.array(scalar, { minLength: 1, maxLength: 3 }) }).map(
    ({ f, neg, ci, vs }): Expr => ({ kind: 'in', negated: neg, caseInsensitive: ci, value: field(f), list: vs.map(lit), opSpan: sp, span: sp }),
  ),
  fc.record({ f: fc.constantFrom(...FIELDS), n: fc.integer({ min: -2, max: 5 }), op: fc.constantFrom('+', '*', '-') }).map(
    ({ f, n, op }): Expr => ({
      kind: 'compare', op: '>', opSpan: sp, span: sp, right: lit(3),
      left: { kind: 'arith', op: op as '+', left: field(f), right: lit(n), span: sp },
    }),
  ),
  fc.record({ f: fc.constantFrom(...FIELDS), s: strVal, ci: fc.boolean() }).map(
    ({ f, s, ci }): Expr => ({ kind: 'call', name: 'startsWith', nameSpan: sp, caseInsensitive: ci, args: [field(f), lit(s)], span: sp }),
  ),
);
const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map((ops): Expr => ({ kind: 'and', operands: ops, span: sp })),
    fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map((ops): Expr => ({ kind: 'or', operands: ops, span: sp })),
    tie('e').map((x): Expr => ({ kind: 'not', operand: x, span: sp })),
  ),
})).e;

// ---- reference interpreter ----
type Val = null | string | number | boolean | Val[];
const TRUE = true;

function values(ev: Record<string, unknown>, name: string): (string | number)[] | null {
  const v = ev[name];
  if (v === undefined || v === null) return null;
  const list = (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined) as (string | number)[];
  return list.length ? list : null;
}

function same(x: unknown, y: unknown, fold: boolean): boolean {
  if (typeof x === 'string' && typeof y === 'string') return fold ? x.toLowerCase() === y.toLowerCase() : x === y;
  if (typeof x === 'number' && typeof y === 'number') return x === y;
  const n = typeof x === 'number' ? x : y;
  const s = typeof x === 'string' ? x : y;
  return typeof n === 'number' && typeof s === 'string' && /^-?\d+$/.test(s) && Number(s) === n;
}

function glob(p: string, s: string): boolean {
  // Plain recursive matcher: fine for the tiny strings generated here.
  if (p === '') return s === '';
  if (p[0] === '*') return glob(p.slice(1), s) || (s !== '' && glob(p, s.slice(1)));
  if (s === '') return false;
  return (p[0] === '?' || p[0] === s[0]) && glob(p.slice(1), s.slice(1));
}

/** Truth of an expression: true, false or null (unknown). */
function refTruth(e: Expr, ev: Record<string, unknown>): boolean | null {
  switch (e.kind) {
    case 'and': {
      const ts = e.operands.map((x) => refTruth(x, ev));
      return ts.includes(false) ? false : ts.includes(null) ? null : TRUE;
    }
    case 'or': {
      const ts = e.operands.map((x) => refTruth(x, ev));
      return ts.includes(true) ? true : ts.includes(null) ? null : false;
    }
    case 'not': {
      const t = refTruth(e.operand, ev);
      return t === null ? null : !t;
    }
    case 'compare': {
      const lit = (e.right as { value: string | number | null }).value;
      if (e.left.kind === 'arith') {
        const vs = values(ev, (e.left.left as { name: string }).name);
        if (vs === null) return null;
        const n = (e.left.right as { value: number }).value;
        const nums = vs.filter((v): v is number => typeof v === 'number');
        const results = nums.map((v) => (e.left.kind === 'arith' && e.left.op === '+' ? v + n : e.left.kind === 'arith' && e.left.op === '-' ? v - n : v * n));
        // Arithmetic on non-numbers is null; a field with no numeric value gives null.
        return results.length ? results.some((r) => r > 3) : null;
      }
      const vs = values(ev, (e.left as { name: string }).name);
      if (lit === null) return e.op === '==' ? vs === null : e.op === '!=' ? vs !== null : null;
      if (vs === null) return null;
      if (e.op === '==') return vs.some((v) => same(v, lit, false));
      if (e.op === '!=') return !vs.some((v) => same(v, lit, false));
      const cmp = (v: string | number): number | null => {
        if (typeof v === typeof lit) return v < lit ? -1 : v > lit ? 1 : 0;
        const n = typeof v === 'number' ? v : /^-?\d+$/.test(v) ? Number(v) : null;
        const m = typeof lit === 'number' ? lit : /^-?\d+$/.test(lit) ? Number(lit) : null;
        return n === null || m === null ? null : n - m;
      };
      return vs.some((v) => {
        const c = cmp(v);
        return c !== null && (e.op === '<' ? c < 0 : c >= 0);
      });
    }
    case 'match': {
      const vs = values(ev, (e.value as { name: string }).name);
      if (vs === null) return null;
      const ps = e.patterns.map((p) => (p as { value: string }).value);
      const fold = (s: string) => (e.caseInsensitive ? s.toLowerCase() : s);
      return vs.some((v) => ps.some((p) => (/[*?]/.test(p) ? glob(fold(p), fold(String(v))) : same(v, p, e.caseInsensitive))));
    }
    case 'in': {
      const vs = values(ev, (e.value as { name: string }).name);
      if (vs === null) return null;
      const hit = vs.some((v) => e.list.some((l) => same(v, (l as { value: unknown }).value, e.caseInsensitive)));
      return e.negated ? !hit : hit;
    }
    case 'call': {
      const vs = values(ev, (e.args[0] as { name: string }).name);
      const p = (e.args[1] as { value: string }).value;
      if (vs === null) return null;
      return vs.some((v) => (e.caseInsensitive ? String(v).toLowerCase().startsWith(p.toLowerCase()) : String(v).startsWith(p)));
    }
    default:
      throw new Error(`not generated: ${e.kind}`);
  }
}

function statement(cond: Expr): Statement {
  return {
    kind: 'statement',
    pipes: [],
    span: sp,
    query: { kind: 'event', span: sp, filter: { kind: 'filter', span: sp, condition: cond, category: { kind: 'category', name: null, quoted: false, span: sp } } },
  };
}

test('compiled evaluator agrees with the reference interpreter', () => {
  fc.assert(
    fc.property(expr, fc.array(eventArb, { minLength: 1, maxLength: 8 }), (e, events) => {
      const c = compileQuery(statement(e));
      assert.ok(c.query, JSON.stringify(c.diagnostics));
      for (const ev of events) assert.equal(c.query.terms[0].test(ev), refTruth(e, ev as Record<string, unknown>) === true, JSON.stringify({ ev }));
    }),
    { numRuns: 400 },
  );
});

test('the regex literal pre-filter never rejects a value the automaton accepts', () => {
  const patterns = ['.*(ab|cd).*', 'x(ab)+y', 'ab.*CD', '[a-c]+"d.e"', '(ab|a)*c', '.*ſt.*', 'a{2,3}b', '@&~(.*bc.*)', '(abc)?d', '[a-z]+[0-9]{2,}', '.*[kK].*', '[^a]+', '(x|[b-d])+', '.*[ſ].*', '\\d+'];
  const str = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'x', 'y', 'A', 'B', 'C', 'D', '.', 'e', 'ſ', 's', 'S', 't', 'K', 'k', '\u212a', '1', '2', '9'), maxLength: 12 });
  fc.assert(
    fc.property(fc.constantFrom(...patterns), fc.boolean(), str, (p, ci, s) => {
      assert.equal(compileRegex(p, ci)(s), compileRegexUnfiltered(p, ci)(s), JSON.stringify({ p, ci, s }));
    }),
    { numRuns: 3000 },
  );
});
