// A detection rule file: TOML parsed once, with positions, plus the queries it embeds.
// Features find keys and values by dotted path (`rule.severity`, `rule.threat.0.tactic.id`)
// or by offset, and get plain values from `data`.

import type { Diagnostic, Span } from '../core/diagnostic';
import { parseToml, staticValue, type AST } from './toml';
import { createRegion, styleOf, type QueryRegion } from './region';

export interface TomlEntry {
  /** Dotted path; array-of-tables and array elements use their index: `rule.threat.0.framework`. */
  path: string;
  /** Span of the key as written (`query`, `a.b`). */
  keySpan: Span;
  /** Span of the value (a string includes its quotes). */
  valueSpan: Span;
  /** Plain value (string, number, boolean, array, object, Date). */
  value: unknown;
  node: AST.TOMLKeyValue;
}

export interface TomlTable {
  /** Dotted path with array indexes (`rule.threat.0.technique.1`). */
  path: string;
  /** Span of the header (`[[rule.threat.technique]]`). */
  headerSpan: Span;
  /** Span of the header and its body. */
  span: Span;
}

export interface RuleFile {
  text: string;
  /** The TOML tree (of the text with broken lines blanked out when there were syntax errors). */
  ast: AST.TOMLProgram | null;
  /** The whole file as plain data. */
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  rule: Record<string, unknown>;
  transform: Record<string, unknown> | undefined;
  /** `rule.threat` as written (MITRE mappings). */
  threat: Record<string, unknown>[];
  /** Every query string (`rule.query`), decoded and position-mapped. */
  queries: QueryRegion[];
  /** Key/value entries by dotted path. */
  entries: Map<string, TomlEntry>;
  /** Table headers by dotted path (`metadata`, `rule`, `rule.threat.0`, ...). */
  tables: Map<string, TomlTable>;
  /** `toml/syntax` errors. */
  diagnostics: Diagnostic[];
  /** The innermost key/value whose key or value contains the offset. */
  entryAt(offset: number): TomlEntry | undefined;
  /** Plain value at a dotted path (`metadata.maturity`), without building `data`. */
  get(path: string): unknown;
  /** The indexes N present under `prefix.N` (array elements / array-of-tables), ascending. */
  indexesOf(prefix: string): number[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Heuristic for the language server: a TOML file with a `[rule]` table is a rule file. */
export function isRuleFile(text: string): boolean {
  return /^[ \t]*\[[ \t]*rule[ \t]*\][ \t]*(#.*)?\r?$/m.test(text);
}

const spanOf = (n: { range: [number, number] }): Span => ({ start: n.range[0], end: n.range[1] });

// RuleFile and entries are class instances with getters on the prototype, not object literals
// with `get x()`: V8 gives literal accessors (and the closures behind them) a place in the old
// generation, so every young TOML node they reached survived scavenges until the next full GC.
// That doubled the garbage-collection time of a folder check.

export function parseRuleFile(text: string): RuleFile {
  const { ast, diagnostics } = parseToml(text);
  const entries = new Map<string, TomlEntry>();
  const tables = new Map<string, TomlTable>();
  const ordered: TomlEntry[] = [];

  // `prefix` is the dotted path so far, or null at the top level (a table may be named "").
  const addValue = (prefix: string | null, kv: AST.TOMLKeyValue) => {
    const keys = kv.key.keys;
    let path = prefix;
    for (const k of keys) {
      const name = k.type === 'TOMLBare' ? k.name : k.value;
      path = path === null ? name : `${path}.${name}`;
    }
    const entry = new LazyEntry(path!, kv);
    if (!entries.has(entry.path)) entries.set(entry.path, entry);
    ordered.push(entry);
    if (kv.value.type === 'TOMLInlineTable') for (const inner of kv.value.body) addValue(path, inner);
    else if (kv.value.type === 'TOMLArray') addArray(path!, kv.value);
  };
  const addArray = (path: string, arr: AST.TOMLArray) => {
    const els = arr.elements;
    for (let i = 0; i < els.length; i++) {
      const el = els[i];
      if (el.type === 'TOMLInlineTable') for (const inner of el.body) addValue(`${path}.${i}`, inner);
      else if (el.type === 'TOMLArray') addArray(`${path}.${i}`, el);
    }
  };

  if (ast) {
    for (const item of ast.body[0].body) {
      if (item.type === 'TOMLKeyValue') addValue(null, item);
      else {
        const path = item.resolvedKey.join('.');
        const headerEnd = text.indexOf(']', item.key.range[1]);
        const headerSpan = { start: item.range[0], end: headerEnd < 0 ? item.key.range[1] : headerEnd + (item.kind === 'array' ? 2 : 1) };
        if (!tables.has(path)) tables.set(path, { path, headerSpan, span: spanOf(item) });
        const prefix = item.resolvedKey.length ? path : null;
        for (const kv of item.body) addValue(prefix, kv);
      }
    }
  }

  const get = (path: string): unknown => entries.get(path)?.value;
  const ruleType = get('rule.type');
  const languageValue = get('rule.language');
  const language = typeof languageValue === 'string' ? languageValue : ruleType === 'eql' ? 'eql' : '';

  const queries: QueryRegion[] = [];
  const q = entries.get('rule.query');
  if (q && q.node.value.type === 'TOMLValue' && q.node.value.kind === 'string') {
    const v = q.node.value;
    queries.push(createRegion(text, 'rule.query', language, v.range[0], v.range[1], styleOf(v.style, v.multiline)));
  }
  return new ParsedRuleFile(text, ast, queries, entries, tables, diagnostics, ordered);
}

class ParsedRuleFile implements RuleFile {
  private indexIx: Map<string, number[]> | undefined;
  private plainData: Record<string, unknown> | undefined;

  constructor(
    readonly text: string,
    readonly ast: AST.TOMLProgram | null,
    readonly queries: QueryRegion[],
    readonly entries: Map<string, TomlEntry>,
    readonly tables: Map<string, TomlTable>,
    readonly diagnostics: Diagnostic[],
    private readonly ordered: TomlEntry[],
  ) {}

  // Innermost first: later entries nested in inline tables are more specific than their parent.
  entryAt(offset: number): TomlEntry | undefined {
    let best: TomlEntry | undefined;
    for (const e of this.ordered) {
      const s = e.node.range[0];
      const en = e.node.range[1];
      if (offset >= s && offset <= en && (!best || s >= best.node.range[0])) best = e;
    }
    return best;
  }

  get(path: string): unknown {
    return this.entries.get(path)?.value;
  }

  // prefix -> indexes N seen as `prefix.N...` in entry or table paths, built on first use.
  indexesOf(prefix: string): number[] {
    if (!this.indexIx) {
      const sets = new Map<string, Set<number>>();
      const scan = (key: string) => {
        // Every `.N` segment (all digits) after the first segment: its head is everything before the dot.
        for (let dot = key.indexOf('.'); dot >= 0; ) {
          const next = key.indexOf('.', dot + 1);
          const end = next < 0 ? key.length : next;
          let digits = end > dot + 1;
          for (let i = dot + 1; digits && i < end; i++) {
            const c = key.charCodeAt(i);
            digits = c >= 48 && c <= 57;
          }
          if (digits) {
            const head = key.slice(0, dot);
            let set = sets.get(head);
            if (!set) sets.set(head, (set = new Set()));
            set.add(Number(key.slice(dot + 1, end)));
          }
          dot = next;
        }
      };
      for (const key of this.entries.keys()) scan(key);
      for (const key of this.tables.keys()) scan(key);
      this.indexIx = new Map();
      for (const [k, v] of sets) this.indexIx.set(k, [...v].sort((a, b) => a - b));
    }
    return this.indexIx.get(prefix) ?? [];
  }

  // The plain-data views are built on first use: the analysis itself reads entries by path.
  private plain(): Record<string, unknown> {
    return (this.plainData ??= this.ast ? ((safeStatic(this.ast) as Record<string, unknown>) ?? {}) : {});
  }
  private table(k: string): Record<string, unknown> | undefined {
    const v = this.plain()[k];
    return isObject(v) ? v : undefined;
  }
  get data(): Record<string, unknown> {
    return this.plain();
  }
  get metadata(): Record<string, unknown> {
    return this.table('metadata') ?? {};
  }
  get rule(): Record<string, unknown> {
    return this.table('rule') ?? {};
  }
  get transform(): Record<string, unknown> | undefined {
    return this.table('transform');
  }
  get threat(): Record<string, unknown>[] {
    const t = this.table('rule')?.threat;
    return Array.isArray(t) ? t.filter(isObject) : [];
  }
}

/** An entry whose plain value is computed on first read: most values are never looked at. */
class LazyEntry implements TomlEntry {
  readonly keySpan: Span;
  readonly valueSpan: Span;
  private computed = false;
  private plainValue: unknown;

  constructor(
    readonly path: string,
    readonly node: AST.TOMLKeyValue,
  ) {
    this.keySpan = spanOf(node.key);
    this.valueSpan = spanOf(node.value);
  }

  get value(): unknown {
    if (!this.computed) {
      this.plainValue = this.node.value.type === 'TOMLValue' ? this.node.value.value : safeStatic(this.node.value);
      this.computed = true;
    }
    return this.plainValue;
  }
}

function safeStatic(node: AST.TOMLNode): unknown {
  try {
    return staticValue(node);
  } catch {
    return undefined;
  }
}

/** The rule's own EQL options, named as the engine and the `_eql/search` API name them; only those set. */
export function eqlOptions(rf: RuleFile | undefined): { eventCategoryField?: string; timestampField?: string; tiebreakerField?: string } {
  const out: { eventCategoryField?: string; timestampField?: string; tiebreakerField?: string } = {};
  const set = (key: keyof typeof out, path: string) => {
    const v = rf?.get(path);
    if (typeof v === 'string' && v.trim()) out[key] = v;
  };
  set('eventCategoryField', 'rule.event_category_override');
  set('timestampField', 'rule.timestamp_field');
  set('tiebreakerField', 'rule.tiebreaker_field');
  return out;
}
