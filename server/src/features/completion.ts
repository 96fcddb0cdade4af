// Completion inside EQL queries (fields, categories, values, functions, keywords, sequence
// skeletons) and in the TOML of a rule (keys and their enum values). The context is read from
// the text before the cursor, so it works on half-typed queries that do not parse.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList } from 'vscode-languageserver';
import { FUNCTIONS, signature } from '../eql/functions';
import type { FieldInfo, FieldSet } from '../schema/fieldSet';
import { queryAt, type Analyzed } from './documents';
import { fieldMarkdown, functionMarkdown } from './hover';
import { KEYWORD_DOCS } from './keywordDocs';
import { RULE_KEY_DOCS } from './ruleKeyDocs';

/** Field usage counts of the rules in the same folder (from the workspace index). */
export type SiblingUsage = (docPath: string) => ReadonlyMap<string, number>;

const MAX_FIELDS = 400;
const sorted = new WeakMap<FieldSet, FieldInfo[]>();

function fieldList(fields: FieldSet): FieldInfo[] {
  let list = sorted.get(fields);
  if (!list) {
    list = [...fields];
    sorted.set(fields, list);
  }
  return list;
}

function fieldItems(fields: FieldSet, typed: string, usage: ReadonlyMap<string, number>): CompletionList {
  const needle = typed.replace(/^\?/, '').toLowerCase();
  // Fields siblings use first, then those of the rule's own index / integration schemas, then
  // ECS. Buckets instead of a full sort: a rule's field set can hold tens of thousands.
  const used: FieldInfo[] = [];
  const own: FieldInfo[] = [];
  const ecs: FieldInfo[] = [];
  for (const f of fieldList(fields)) {
    if (needle && !f.name.toLowerCase().includes(needle)) continue;
    if (usage.has(f.name)) used.push(f);
    else if (/^ecs\b/i.test(f.source)) ecs.push(f);
    else own.push(f);
  }
  used.sort((a, b) => usage.get(b.name)! - usage.get(a.name)!);
  const all = [...used, ...own, ...ecs];
  lastFields = fields;
  const items = all.slice(0, MAX_FIELDS).map((f, i): CompletionItem => {
    const n = usage.get(f.name);
    return {
      label: f.name,
      kind: CompletionItemKind.Field,
      detail: `${f.type}${n ? ` · used by ${n} rule${n > 1 ? 's' : ''} in this folder` : ''}`,
      labelDetails: { description: f.type },
      sortText: `${i < used.length ? '0' : i < used.length + own.length ? '1' : '2'}${String(i).padStart(6, '0')}`,
      data: { field: f.name },
    };
  });
  return { isIncomplete: all.length > MAX_FIELDS, items };
}

/** The field set of the last completion, for resolving an item's documentation lazily. */
let lastFields: FieldSet | undefined;

/** Field docs are filled in on resolve: rendering them for hundreds of items per keystroke is waste. */
export function resolveCompletion(item: CompletionItem): CompletionItem {
  const name = (item.data as { field?: string } | undefined)?.field;
  const f = name ? lastFields?.get(name) : undefined;
  if (f) item.documentation = { kind: 'markdown', value: fieldMarkdown(f) };
  return item;
}

function functionItems(): CompletionItem[] {
  return FUNCTIONS.map((f) => {
    const args = f.params.filter((p) => !p.optional).map((p, i) => `\${${i + 1}:${p.name}}`);
    return {
      label: f.name,
      kind: CompletionItemKind.Function,
      detail: signature(f),
      documentation: { kind: 'markdown', value: functionMarkdown(f) },
      insertText: `${f.name}(${args.join(', ')})`,
      insertTextFormat: InsertTextFormat.Snippet,
      sortText: `3${f.name}`,
    };
  });
}

function keywordItems(words: string[]): CompletionItem[] {
  return words.map((w) => ({ label: w, kind: CompletionItemKind.Keyword, detail: KEYWORD_DOCS[w]?.syntax, documentation: KEYWORD_DOCS[w]?.doc, sortText: `4${w}` }));
}

function categoryItems(fields: FieldSet): CompletionItem[] {
  const values = fields.get('event.category')?.allowedValues ?? [];
  return [
    { label: 'any', kind: CompletionItemKind.EnumMember, detail: 'every category', sortText: '0any' },
    ...values.map((v) => ({ label: v.name, kind: CompletionItemKind.EnumMember, detail: 'event category', documentation: v.description, sortText: `1${v.name}` })),
  ];
}

const SKELETONS: CompletionItem[] = [
  {
    label: 'sequence by … with maxspan',
    kind: CompletionItemKind.Snippet,
    detail: 'sequence skeleton',
    insertText: 'sequence by ${1:host.id} with maxspan=${2:1m}\n  [${3:process} where ${4:true}]\n  [${5:network} where ${6:true}]',
    insertTextFormat: InsertTextFormat.Snippet,
    sortText: '5sequence',
  },
  {
    label: 'sample by …',
    kind: CompletionItemKind.Snippet,
    detail: 'sample skeleton',
    insertText: 'sample by ${1:host.id}\n  [${2:process} where ${3:true}]\n  [${4:network} where ${5:true}]',
    insertTextFormat: InsertTextFormat.Snippet,
    sortText: '5sample',
  },
  {
    label: 'category where …',
    kind: CompletionItemKind.Snippet,
    detail: 'event query skeleton',
    insertText: '${1:process} where ${2:true}',
    insertTextFormat: InsertTextFormat.Snippet,
    sortText: '5where',
  },
];

/** `encode` escapes for the TOML string the query lives in (a `"` inside `"..."` needs `\"`). */
function valueItems(f: FieldInfo | undefined, inString: boolean, encode: (s: string) => string = (s) => s): CompletionItem[] {
  return (f?.allowedValues ?? []).map((v) => ({
    label: v.name,
    kind: CompletionItemKind.Value,
    detail: `${f!.name} value`,
    documentation: v.description,
    insertText: encode(inString ? v.name : `"${v.name}"`),
    sortText: `0${v.name}`,
  }));
}

function queryCompletion(a: Analyzed, offset: number, usage: ReadonlyMap<string, number>): CompletionList | null {
  const at = queryAt(a, offset);
  if (!at) return null;
  const { query, q } = at;
  const prefix = query.region.text.slice(0, q);
  const line = prefix.slice(prefix.lastIndexOf('\n') + 1);
  const fields = query.fields;

  // Inside a string literal on this line: allowed values of the field compared to it.
  const quotes = (line.replace(/\\./g, '').match(/"/g) ?? []).length;
  if (quotes % 2 === 1) {
    const m = /([?]?[A-Za-z_@][\w.@]*)\s*(?:==|!=|:|(?:not\s+)?in~?|like~?)\s*\(?[^()]*"[^"]*$/.exec(prefix);
    return { isIncomplete: false, items: m ? valueItems(fields.get(m[1].replace(/^\?/, '')), true, (t) => query.region.encode(t)) : [] };
  }
  const typed = /[?]?[A-Za-z_@][\w.@]*$/.exec(prefix)?.[0] ?? '';
  const before = prefix.slice(0, prefix.length - typed.length).replace(/(\/\/[^\n]*)?\s*$/, '');

  const value = /([?]?[A-Za-z_@][\w.@]*)\s*(?:==|!=|:|(?:not\s+)?in~?\s*\(|:\s*\(|like~?\s*\(?)(?:[^()]*,)?$/.exec(before);
  if (value) {
    const items = valueItems(fields.get(value[1].replace(/^\?/, '')), false, (t) => query.region.encode(t));
    if (items.length) return { isIncomplete: false, items };
  }
  if (before === '' || /(^|\n)\s*$/.test(before) && !/\bwhere\b/.test(before)) {
    return { isIncomplete: false, items: [...categoryItems(fields), ...SKELETONS, ...keywordItems(['sequence', 'sample', 'any'])] };
  }
  if (/!?\[$/.test(before)) return { isIncomplete: false, items: categoryItems(fields) };
  if (/(\bwhere|\band|\bor|\bnot|\bby|[(,]|==|!=|<=|>=|<|>|[-+*/%])$/.test(before)) {
    const list = fieldItems(fields, typed, usage);
    if (!/\bby$/.test(before)) list.items.push(...functionItems(), ...keywordItems(['not', 'true', 'false', 'null']));
    return list;
  }
  if (/\b(sequence|sample)$/.test(before)) return { isIncomplete: false, items: keywordItems(['by', 'with']) };
  if (/\bwith$/.test(before)) return { isIncomplete: false, items: [{ label: 'maxspan', kind: CompletionItemKind.Keyword, insertText: 'maxspan=${1:1m}', insertTextFormat: InsertTextFormat.Snippet }, { label: 'runs', kind: CompletionItemKind.Keyword, insertText: 'runs=${1:2}', insertTextFormat: InsertTextFormat.Snippet }] };
  if (/\]$/.test(before)) return { isIncomplete: false, items: [...keywordItems(['by', 'with', 'until']), { label: '[ … ]', kind: CompletionItemKind.Snippet, insertText: '[${1:process} where ${2:true}]', insertTextFormat: InsertTextFormat.Snippet }] };
  // After an operand: connectives and operators, then fields again for a fresh term.
  return { isIncomplete: false, items: [...keywordItems(['and', 'or', 'not', 'in', 'in~', 'like', 'like~', 'regex', 'regex~', 'where', 'by', 'with', 'until']), ...fieldItems(fields, typed, usage).items] };
}

/** The table header in force at `offset`, read from the text (the TOML may not parse mid-edit). */
function tableAt(text: string, offset: number): { path: string; start: number } {
  const re = /^[ \t]*\[\[?[ \t]*([A-Za-z0-9_.\- \t]+?)[ \t]*\]\]?/gm;
  let found = { path: '', start: 0 };
  for (let m = re.exec(text); m && m.index < offset; m = re.exec(text)) found = { path: m[1].replace(/\s+/g, ''), start: m.index };
  return found;
}

function tomlCompletion(a: Analyzed, offset: number): CompletionList | null {
  const text = a.doc.getText();
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  const table = tableAt(text, offset);
  if (!table.path) return null;
  const enumLine = /^\s*([A-Za-z_][\w.]*)\s*=\s*("?)([\w &-]*)$/.exec(line);
  if (enumLine) {
    const doc = RULE_KEY_DOCS[`${table.path}.${enumLine[1]}`];
    return { isIncomplete: false, items: (doc?.values ?? []).map((v, i) => ({ label: v, kind: CompletionItemKind.EnumMember, insertText: enumLine[2] ? v : `"${v}"`, sortText: String(i).padStart(3, '0') })) };
  }
  if (!/^\s*[A-Za-z_]*$/.test(line)) return null;
  // Keys already written in this table are not offered again.
  const nextHeader = text.slice(offset).search(/^[ \t]*\[/m);
  const body = text.slice(table.start, nextHeader < 0 ? text.length : offset + nextHeader);
  const present = new Set([...body.matchAll(/^[ \t]*([A-Za-z_][\w]*)[ \t]*=/gm)].map((m) => m[1]));
  const items: CompletionItem[] = [];
  for (const [key, doc] of Object.entries(RULE_KEY_DOCS)) {
    if (!key.startsWith(`${table.path}.`)) continue;
    const name = key.slice(table.path.length + 1);
    if (name.includes('.') || present.has(name)) continue;
    items.push({ label: name, kind: CompletionItemKind.Property, documentation: doc.doc, insertText: `${name} = ` });
  }
  return { isIncomplete: false, items };
}

export function complete(a: Analyzed, offset: number, usage: SiblingUsage): CompletionList | null {
  return queryCompletion(a, offset, usage(a.path)) ?? (a.analysis.kind === 'rule' ? tomlCompletion(a, offset) : null);
}
