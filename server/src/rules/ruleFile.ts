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

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

const spanOf = (n: { range: [number, number] }): Span => ({ start: n.range[0], end: n.range[1] });

export function parseRuleFile(text: string): RuleFile {
  const { ast, diagnostics } = parseToml(text);
  const entries = new Map<string, TomlEntry>();
  const tables = new Map<string, TomlTable>();
  const ordered: TomlEntry[] = [];

  const addValue = (prefix: string[], kv: AST.TOMLKeyValue) => {
    const path = [...prefix, ...keyNames(kv.key)];
    const entry = lazyEntry(path.join('.'), kv);
    if (!entries.has(entry.path)) entries.set(entry.path, entry);
    ordered.push(entry);
    if (kv.value.type === 'TOMLInlineTable') for (const inner of kv.value.body) addValue(path, inner);
    else if (kv.value.type === 'TOMLArray') addArray(path, kv.value);
  };
  const addArray = (path: string[], arr: AST.TOMLArray) => {
    arr.elements.forEach((el, i) => {
      if (el.type === 'TOMLInlineTable') for (const inner of el.body) addValue([...path, String(i)], inner);
      else if (el.type === 'TOMLArray') addArray([...path, String(i)], el);
    });
  };

  if (ast) {
    for (const item of ast.body[0].body) {
      if (item.type === 'TOMLKeyValue') addValue([], item);
      else {
        const prefix = item.resolvedKey.map(String);
        const headerEnd = text.indexOf(']', item.key.range[1]);
        const headerSpan = { start: item.range[0], end: headerEnd < 0 ? item.key.range[1] : headerEnd + (item.kind === 'array' ? 2 : 1) };
        const path = prefix.join('.');
        if (!tables.has(path)) tables.set(path, { path, headerSpan, span: spanOf(item) });
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

  // Innermost first: later entries nested in inline tables are more specific than their parent.
  const entryAt = (offset: number): TomlEntry | undefined => {
    let best: TomlEntry | undefined;
    for (const e of ordered) {
      const s = e.node.range[0];
      const en = e.node.range[1];
      if (offset >= s && offset <= en && (!best || s >= best.node.range[0])) best = e;
    }
    return best;
  };

  // prefix -> indexes N seen as `prefix.N...` in entry or table paths, built on first use.
  let indexIx: Map<string, number[]> | undefined;
  const indexesOf = (prefix: string): number[] => {
    if (!indexIx) {
      const sets = new Map<string, Set<number>>();
      for (const key of [...entries.keys(), ...tables.keys()]) {
        if (!/\.\d/.test(key)) continue; // most paths have no index: skip the split
        const parts = key.split('.');
        for (let i = 1; i < parts.length; i++) {
          if (!/^\d+$/.test(parts[i])) continue;
          const head = parts.slice(0, i).join('.');
          let set = sets.get(head);
          if (!set) sets.set(head, (set = new Set()));
          set.add(Number(parts[i]));
        }
      }
      indexIx = new Map([...sets].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
    }
    return indexIx.get(prefix) ?? [];
  };

  // The plain-data views are built on first use: the analysis itself reads entries by path.
  let data: Record<string, unknown> | undefined;
  const plain = () => (data ??= ast ? ((safeStatic(ast) as Record<string, unknown>) ?? {}) : {});
  const table = (k: string) => (isObject(plain()[k]) ? (plain()[k] as Record<string, unknown>) : undefined);
  return {
    text,
    ast,
    queries,
    entries,
    tables,
    diagnostics,
    entryAt,
    get,
    indexesOf,
    get data() {
      return plain();
    },
    get metadata() {
      return table('metadata') ?? {};
    },
    get rule() {
      return table('rule') ?? {};
    },
    get transform() {
      return table('transform');
    },
    get threat() {
      const t = table('rule')?.threat;
      return Array.isArray(t) ? t.filter(isObject) : [];
    },
  };
}

/** An entry whose plain value is computed on first read: most values are never looked at. */
function lazyEntry(path: string, node: AST.TOMLKeyValue): TomlEntry {
  let value: unknown;
  let done = false;
  return {
    path,
    keySpan: spanOf(node.key),
    valueSpan: spanOf(node.value),
    node,
    get value() {
      if (!done) {
        value = node.value.type === 'TOMLValue' ? node.value.value : safeStatic(node.value);
        done = true;
      }
      return value;
    },
  };
}

function safeStatic(node: AST.TOMLNode): unknown {
  try {
    return staticValue(node);
  } catch {
    return undefined;
  }
}
