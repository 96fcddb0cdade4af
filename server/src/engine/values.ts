// Value semantics of the local engine: field access on event sources, equality and ordering
// with Elasticsearch's rules, timestamps. Multi-valued fields are plain JS arrays; operators
// map over them and a predicate holds when any value satisfies it (term queries on arrays).

export type Getter = (o: unknown) => unknown;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flattens nested arrays and drops null/undefined, as Elasticsearch indexes multi-valued fields. */
function flatten(vals: unknown[], out: unknown[]): unknown[] {
  for (const v of vals) {
    if (Array.isArray(v)) flatten(v, out);
    else if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

/** null for absent / empty, the single value for one-element arrays, else the flat array. */
export function normalize(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) return v;
  const flat = flatten(v, []);
  return flat.length === 0 ? null : flat.length === 1 ? flat[0] : flat;
}

/**
 * Resolves a path against a source that may use nested objects, dotted keys
 * (`{"process.name": ...}`) or a mix; arrays of objects are flattened (any value).
 */
function resolve(v: unknown, path: (string | number)[], i: number, out: unknown[]): void {
  if (v === undefined || v === null) return;
  if (i === path.length) {
    out.push(v);
    return;
  }
  const seg = path[i];
  if (typeof seg === 'number') {
    if (Array.isArray(v)) resolve(v[seg], path, i + 1, out);
    return;
  }
  if (Array.isArray(v)) {
    for (const e of v) resolve(e, path, i, out);
    return;
  }
  if (!isObj(v)) return;
  // Try the longest dotted key first, then shorter ones: `a.b.c` may be stored as
  // {"a.b.c"}, {"a": {"b.c"}}, {"a.b": {"c"}}, ...
  let key = '';
  let j = i;
  const keys: [string, number][] = [];
  while (j < path.length && typeof path[j] === 'string') {
    key = j === i ? (path[j] as string) : key + '.' + (path[j] as string);
    keys.push([key, j + 1]);
    j++;
  }
  for (let k = keys.length - 1; k >= 0; k--) {
    const [name, next] = keys[k];
    if (Object.prototype.hasOwnProperty.call(v, name)) resolve(v[name], path, next, out);
  }
}

/** Arrays of non-null scalars need no copy: null when empty, the value when single. */
function quickArray(v: unknown[]): unknown {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === null || x === undefined || typeof x === 'object') return normalize(v);
  }
  return v.length === 0 ? null : v.length === 1 ? v[0] : v;
}

/** A compiled field accessor: a fast nested path first, the general resolver otherwise. */
export function fieldGetter(path: (string | number)[]): Getter {
  const simple = path.every((p) => typeof p === 'string') as boolean;
  const slow: Getter = (o) => {
    const out: unknown[] = [];
    resolve(o, path, 0, out);
    return out.length === 0 ? null : normalize(out.length === 1 ? out[0] : out);
  };
  if (simple && path.length === 1) {
    const k = path[0] as string;
    return (o) => {
      const v = (o as Record<string, unknown>)[k];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'object') return v;
      return Array.isArray(v) ? quickArray(v) : v;
    };
  }
  if (simple && path.length === 2) {
    const [a, b] = path as string[];
    return (o) => {
      const x = (o as Record<string, unknown>)[a];
      if (x !== undefined && x !== null && typeof x === 'object' && !Array.isArray(x)) {
        const v = (x as Record<string, unknown>)[b];
        if (v !== undefined && v !== null) {
          if (typeof v !== 'object') return v;
          if (Array.isArray(v)) return quickArray(v);
        }
      }
      return slow(o);
    };
  }
  if (simple) {
    const segs = path as string[];
    return (o) => {
      let x: unknown = o;
      for (let i = 0; i < segs.length; i++) {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) return slow(o);
        x = (x as Record<string, unknown>)[segs[i]];
      }
      if (x !== undefined && x !== null) {
        if (typeof x !== 'object') return x;
        if (Array.isArray(x)) return quickArray(x);
      }
      return slow(o);
    };
  }
  return slow;
}

/** Getter for a dotted field name as the `_eql/search` options name them (`event.category`). */
export function namedGetter(name: string): Getter {
  return fieldGetter(name.split('.'));
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v);
  return null;
}

/**
 * Timestamps: epoch millis as numbers (or numeric strings), or ISO-8601 / RFC 3339 strings
 * (fractions beyond milliseconds kept as a fraction of a millisecond, for ordering).
 */
const d2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

/** `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, the usual shape, without a regex; null for anything else. */
function fastIso(s: string): number | null {
  const n = s.length;
  if ((n !== 24 && n !== 20) || s.charCodeAt(n - 1) !== 90 || s.charCodeAt(10) !== 84 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  if (n === 24 && s.charCodeAt(19) !== 46) return null;
  for (const i of n === 24 ? FAST_DIGITS_MS : FAST_DIGITS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const ms = n === 24 ? d2(s, 20) * 10 + s.charCodeAt(22) - 48 : 0;
  const y = d2(s, 0) * 100 + d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  const sec = d2(s, 17);
  // Date.UTC would roll over what Date.parse rejects (25:00) and read years 0-99 as 19xx:
  // those, like 24:00, take the general path.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  return Number.isNaN(t) ? null : t;
}
const FAST_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const FAST_DIGITS_MS = [...FAST_DIGITS, 20, 21, 22];

export function parseTimestamp(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') {
    const f = fastIso(v);
    if (f !== null) return f;
  }
  if (Array.isArray(v)) return v.length ? parseTimestamp(v[0]) : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (NUMERIC.test(s)) return Number(s);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return null;
  const [, date, time, frac, zone] = m;
  const z = !zone ? 'Z' : zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone;
  const base = Date.parse(`${date}T${time ? (time.length === 5 ? time + ':00' : time) : '00:00:00'}${z}`);
  if (Number.isNaN(base)) return null;
  return frac ? base + Number('0.' + frac) * 1000 : base;
}

/** Equality as a term query does it: case-sensitive strings, numbers by value. */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb) return false;
  if (ta === 'number' && tb === 'string') return toNumber(b) === a;
  if (ta === 'string' && tb === 'number') return toNumber(a) === b;
  if (ta === 'boolean' && tb === 'string') return String(a) === b;
  if (ta === 'string' && tb === 'boolean') return a === String(b);
  return false;
}

export function eqFold(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b || a.toLowerCase() === b.toLowerCase();
  return eq(a, b);
}

/** Ordering: numbers, numeric strings against numbers, dates against numbers, strings by code unit. */
export function order(a: unknown, b: unknown): number | null {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') return (a as number) - (b as number);
  if (ta === 'string' && tb === 'string') return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  if (ta === 'number' && tb === 'string') {
    const n = toNumber(b) ?? parseTimestamp(b);
    return n === null ? null : (a as number) - n;
  }
  if (ta === 'string' && tb === 'number') {
    const n = toNumber(a) ?? parseTimestamp(a);
    return n === null ? null : n - (b as number);
  }
  if (ta === 'boolean' && tb === 'boolean') return Number(a) - Number(b);
  return null;
}

/** Every way to pick one option per position, in order, stopping at `max` picks (multi-valued arguments and keys). */
export function combinations<T>(options: Iterable<T>[], max: number): T[][] {
  let out: T[][] = [[]];
  for (const opts of options) {
    const next: T[][] = [];
    for (const c of out) for (const x of opts) if (next.length < max) next.push([...c, x]);
    out = next;
  }
  return out;
}

/** A stable text key for join keys (type-aware so 1 and "1" differ, as keyword vs long would). */
export function keyOf(vals: unknown[]): string {
  let k = '';
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    // Length-prefixed strings cannot collide with each other or with numbers.
    k += typeof v === 'string' ? `s${v.length}:${v}` : typeof v === 'number' ? `n${v};` : `j${JSON.stringify(v)};`;
  }
  return k;
}
