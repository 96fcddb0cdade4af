// The one table of EQL functions. Validation (arity, `~`, argument types), hover, completion
// and the engine all read it; add or change a function here and nowhere else.
// Semantics follow Elasticsearch's EQL function reference: null in -> null out.

/** The value kinds the checker reasons about. 'any' accepts everything. */
export type ValueType = 'string' | 'number' | 'boolean' | 'ip' | 'any';

/** A runtime scalar. Multi-valued fields are expanded by the engine before calling `impl`. */
export type Scalar = string | number | boolean | null;

export interface ParamSpec {
  name: string;
  type: ValueType;
  optional?: boolean;
  /** Repeats to the end of the argument list (at least once unless optional). */
  variadic?: boolean;
  /** Elasticsearch needs a constant here (it is folded at planning time). */
  constant?: boolean;
}

export interface FunctionSpec {
  /** Canonical spelling, as documented. Lookups are case-insensitive. */
  name: string;
  params: ParamSpec[];
  returns: ValueType;
  /** Accepts the `~` (case-insensitive) form. */
  caseInsensitive: boolean;
  doc: string;
  /** Example call, shown in hover and completion. */
  example: string;
  /**
   * Evaluates with scalar arguments; `ci` is true for the `~` form. `decimal[i]` says argument
   * i is a floating-point value even when integral (`4.0`), which JS numbers cannot carry:
   * Elasticsearch divides integers with integer division, doubles with float division.
   */
  impl: (args: Scalar[], ci: boolean, decimal?: readonly boolean[]) => Scalar;
}

const str = (v: Scalar): string | null => (v === null ? null : typeof v === 'string' ? v : String(v));
const num = (v: Scalar): number | null => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)) ? Number(v) : null);
const fold = (s: string, ci: boolean) => (ci ? s.toLowerCase() : s);

function arith(op: (a: number, b: number, float: boolean) => number | null): (args: Scalar[], ci: boolean, decimal?: readonly boolean[]) => Scalar {
  return ([a, b], _ci, decimal) => {
    const x = num(a);
    const y = num(b);
    return x === null || y === null ? null : op(x, y, decimal?.[0] === true || decimal?.[1] === true);
  };
}

/** A test on two strings (null in, null out), both folded for the `~` form. */
function strings(test: (a: string, b: string) => boolean): FunctionSpec['impl'] {
  return ([x, y], ci) => {
    const a = str(x);
    const b = str(y);
    return a === null || b === null ? null : test(fold(a, ci), fold(b, ci));
  };
}

/** Integer division when both sides are integers (long values), float division for doubles. Also the engine's `/`. */
export function divide(x: number, y: number, float: boolean): number | null {
  if (y === 0) return null;
  return !float && Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(x / y) : x / y;
}

/** Also the engine's `%`. */
export function modulo(x: number, y: number): number | null {
  return y === 0 ? null : x % y;
}

/** Python-style slice offsets: negative counts from the end, clamped to the string. */
function sliceIndex(i: number, len: number): number {
  const j = Math.trunc(i);
  return j < 0 ? Math.max(0, len + j) : Math.min(j, len);
}

/** Dotted quad, each part 1-3 digits and at most 255; parsed by hand (it runs per event). */
function parseIPv4(s: string): number[] | null {
  const out = [0, 0, 0, 0];
  let part = 0;
  let digits = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + c - 48;
      if (++digits > 3 || n > 255) return null;
    } else if (c === 46 && digits > 0 && part < 3) {
      out[part++] = n;
      n = 0;
      digits = 0;
    } else return null;
  }
  if (part !== 3 || digits === 0) return null;
  out[3] = n;
  return out;
}

/** An IP as 16 bytes (IPv4 mapped into IPv6), or null when it is not an address. */
export function parseIP(s: string): number[] | null {
  const v4 = parseIPv4(s);
  if (v4) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4];
  let text = s.replace(/%.*$/, '');
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return null;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const t = parseIPv4(text.slice(lastColon + 1));
    if (!t) return null;
    tail = t;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

// CIDR arguments are constants: parse each once.
const cidrCache = new Map<string, { bytes: number[]; bits: number } | null>();

/** Parses `addr/prefix` (or a bare address) into bytes and a prefix length over 128 bits. */
export function parseCIDR(s: string): { bytes: number[]; bits: number } | null {
  let c = cidrCache.get(s);
  if (c === undefined) {
    c = parseCIDRUncached(s);
    if (cidrCache.size < 10_000) cidrCache.set(s, c);
  }
  return c;
}

function parseCIDRUncached(s: string): { bytes: number[]; bits: number } | null {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const bytes = parseIP(addr);
  if (!bytes) return null;
  const isV4 = parseIPv4(addr) !== null;
  const max = isV4 ? 32 : 128;
  const prefix = slash < 0 ? max : /^\d{1,3}$/.test(s.slice(slash + 1)) ? Number(s.slice(slash + 1)) : -1;
  if (prefix < 0 || prefix > max) return null;
  return { bytes, bits: isV4 ? prefix + 96 : prefix };
}

export function ipInCIDR(ip: number[], cidr: { bytes: number[]; bits: number }): boolean {
  for (let bit = 0; bit < cidr.bits; bit++) {
    const mask = 0x80 >> bit % 8;
    if ((ip[bit >> 3] & mask) !== (cidr.bytes[bit >> 3] & mask)) return false;
  }
  return true;
}

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'add',
    params: [{ name: 'a', type: 'number' }, { name: 'b', type: 'number' }],
    returns: 'number',
    caseInsensitive: false,
    doc: 'Returns the sum of two numbers.',
    example: 'add(process.pid, 1)',
    impl: arith((a, b) => a + b),
  },
  {
    name: 'between',
    params: [
      { name: 'source', type: 'string' },
      { name: 'left', type: 'string' },
      { name: 'right', type: 'string' },
      { name: 'greedy', type: 'boolean', optional: true, constant: true },
    ],
    returns: 'string',
    caseInsensitive: true,
    doc: 'Extracts the substring between `left` and `right`. With `greedy = true` it ends at the last `right`; an empty string when either is not found.',
    example: 'between(file.path, "System32\\\\", ".exe")',
    impl: ([source, left, right, greedy], ci) => {
      const s = str(source);
      const l = str(left);
      const r = str(right);
      if (s === null || l === null || r === null) return null;
      const hay = fold(s, ci);
      const li = hay.indexOf(fold(l, ci));
      if (li < 0) return '';
      const from = li + l.length;
      const ri = greedy === true ? hay.lastIndexOf(fold(r, ci)) : hay.indexOf(fold(r, ci), from);
      return ri < from ? '' : s.slice(from, ri);
    },
  },
  {
    name: 'cidrMatch',
    params: [
      { name: 'ip', type: 'ip' },
      { name: 'cidr', type: 'string', variadic: true, constant: true },
    ],
    returns: 'boolean',
    caseInsensitive: false,
    doc: 'Returns true if the IP address (IPv4 or IPv6) falls in any of the CIDR blocks.',
    example: 'cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")',
    impl: ([ip, ...blocks]) => {
      const s = str(ip);
      const bytes = s === null ? null : parseIP(s);
      if (!bytes) return null;
      return blocks.some((b) => {
        const c = typeof b === 'string' ? parseCIDR(b) : null;
        return c !== null && ipInCIDR(bytes, c);
      });
    },
  },
  {
    name: 'concat',
    params: [{ name: 'value', type: 'any', variadic: true }],
    returns: 'string',
    caseInsensitive: false,
    doc: 'Returns the concatenation of its arguments as a string; null if any argument is null.',
    example: 'concat(process.name, "-", process.pid)',
    impl: (args) => (args.some((a) => a === null) ? null : args.map((a) => String(a)).join('')),
  },
  {
    name: 'divide',
    params: [{ name: 'dividend', type: 'number' }, { name: 'divisor', type: 'number' }],
    returns: 'number',
    caseInsensitive: false,
    doc: 'Returns the quotient; integer division (rounded toward zero) when both are integers.',
    example: 'divide(network.bytes, 1024)',
    impl: arith(divide),
  },
  {
    name: 'endsWith',
    params: [{ name: 'source', type: 'string' }, { name: 'substring', type: 'string' }],
    returns: 'boolean',
    caseInsensitive: true,
    doc: 'Returns true if `source` ends with `substring`.',
    example: 'endsWith~(file.name, ".EXE")',
    impl: strings((a, b) => a.endsWith(b)),
  },
  {
    name: 'indexOf',
    params: [
      { name: 'source', type: 'string' },
      { name: 'substring', type: 'string' },
      { name: 'start', type: 'number', optional: true },
    ],
    returns: 'number',
    caseInsensitive: true,
    doc: 'Returns the first position of `substring` in `source` at or after `start` (default 0), or null when absent.',
    example: 'indexOf(url.path, "/", 1)',
    impl: ([s, sub, start], ci) => {
      const a = str(s);
      const b = str(sub);
      if (a === null || b === null) return null;
      const from = start === undefined || start === null ? 0 : num(start);
      if (from === null) return null;
      const i = fold(a, ci).indexOf(fold(b, ci), Math.max(0, Math.trunc(from)));
      return i < 0 ? null : i;
    },
  },
  {
    name: 'length',
    params: [{ name: 'source', type: 'string' }],
    returns: 'number',
    caseInsensitive: false,
    doc: 'Returns the number of characters in a string.',
    example: 'length(process.command_line) > 1000',
    impl: ([s]) => {
      const a = str(s);
      return a === null ? null : a.length;
    },
  },
  {
    name: 'modulo',
    params: [{ name: 'dividend', type: 'number' }, { name: 'divisor', type: 'number' }],
    returns: 'number',
    caseInsensitive: false,
    doc: 'Returns the remainder of a division.',
    example: 'modulo(process.pid, 2)',
    impl: arith(modulo),
  },
  {
    name: 'multiply',
    params: [{ name: 'a', type: 'number' }, { name: 'b', type: 'number' }],
    returns: 'number',
    caseInsensitive: false,
    doc: 'Returns the product of two numbers.',
    example: 'multiply(network.packets, 2)',
    impl: arith((a, b) => a * b),
  },
  {
    name: 'number',
    params: [
      { name: 'string', type: 'string' },
      { name: 'base', type: 'number', optional: true, constant: true },
    ],
    returns: 'number',
    caseInsensitive: false,
    doc: 'Converts a string to a number, in `base` (default 10; a `0x` prefix means 16).',
    example: 'number(registry.data.strings, 16)',
    impl: ([s, base]) => {
      const a = str(s);
      if (a === null) return null;
      const t = a.trim();
      const b = base === undefined || base === null ? 10 : num(base);
      if (b === null) return null;
      if (/^[+-]?0x[0-9a-f]+$/i.test(t) && (b === 10 || b === 16)) return parseInt(t, 16);
      if (b === 10) return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : null;
      const n = parseInt(t, b);
      return isNaN(n) ? null : n;
    },
  },
  {
    name: 'startsWith',
    params: [{ name: 'source', type: 'string' }, { name: 'prefix', type: 'string' }],
    returns: 'boolean',
    caseInsensitive: true,
    doc: 'Returns true if `source` starts with `prefix`.',
    example: 'startsWith~(process.name, "power")',
    impl: strings((a, b) => a.startsWith(b)),
  },
  {
    name: 'string',
    params: [{ name: 'value', type: 'any' }],
    returns: 'string',
    caseInsensitive: false,
    doc: 'Converts a value to a string.',
    example: 'string(process.pid)',
    impl: ([v]) => (v === null ? null : String(v)),
  },
  {
    name: 'stringContains',
    params: [{ name: 'source', type: 'string' }, { name: 'substring', type: 'string' }],
    returns: 'boolean',
    caseInsensitive: true,
    doc: 'Returns true if `substring` occurs in `source`.',
    example: 'stringContains~(process.command_line, "-enc")',
    impl: strings((a, b) => a.includes(b)),
  },
  {
    name: 'substring',
    params: [
      { name: 'source', type: 'string' },
      { name: 'start', type: 'number' },
      { name: 'end', type: 'number', optional: true },
    ],
    returns: 'string',
    caseInsensitive: false,
    doc: 'Extracts the substring from `start` up to `end` (exclusive); negative offsets count from the end.',
    example: 'substring(file.name, -4)',
    impl: ([s, start, end]) => {
      const a = str(s);
      const st = num(start);
      if (a === null || st === null) return null;
      const en = end === undefined || end === null ? a.length : num(end);
      if (en === null) return null;
      const i = sliceIndex(st, a.length);
      const j = sliceIndex(en, a.length);
      return j <= i ? '' : a.slice(i, j);
    },
  },
  {
    name: 'subtract',
    params: [{ name: 'minuend', type: 'number' }, { name: 'subtrahend', type: 'number' }],
    returns: 'number',
    caseInsensitive: false,
    doc: 'Returns the difference of two numbers.',
    example: 'subtract(process.pid, process.parent.pid)',
    impl: arith((a, b) => a - b),
  },
];

const byLowerName = new Map(FUNCTIONS.map((f) => [f.name.toLowerCase(), f]));

/** Case-insensitive lookup, as Elasticsearch resolves function names. */
export function lookupFunction(name: string): FunctionSpec | undefined {
  return byLowerName.get(name.toLowerCase());
}

export function arity(f: FunctionSpec): { min: number; max: number } {
  const min = f.params.filter((p) => !p.optional).length;
  const max = f.params.some((p) => p.variadic) ? Infinity : f.params.length;
  return { min, max };
}

/** `name(a, b[, c])` with `~` noted, for hover and completion. */
export function signature(f: FunctionSpec): string {
  let req = '';
  let opt = '';
  for (const p of f.params) {
    const text = p.variadic ? `${p.name}, ...` : p.name;
    if (p.optional) opt += `[, ${text}]`;
    else req += (req ? ', ' : '') + text;
  }
  return `${f.name}${f.caseInsensitive ? '[~]' : ''}(${req}${opt})`;
}
