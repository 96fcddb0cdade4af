// Hover: ECS fields, functions, keywords/operators, event categories (inside queries); rule keys
// and MITRE ids (in the TOML). Everything comes from the tables of the core.
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { lookupFunction, signature, type FunctionSpec } from '../eql/functions';
import type { FieldInfo, FieldSet } from '../schema/fieldSet';
import { queryAt, type Analyzed } from './documents';
import { toRange } from './convert';
import { nodeAt } from './eqlNav';
import { KEYWORD_DOCS, operatorAt } from './keywordDocs';
import { mitreUrl, ruleKeyDoc } from './ruleKeyDocs';

const md = (value: string): MarkupContent => ({ kind: 'markdown', value });

/** The ECS reference page of a field (fields of the base field set have no dot). */
export function ecsUrl(name: string): string {
  const set = name.includes('.') ? name.slice(0, name.indexOf('.')) : 'base';
  return `https://www.elastic.co/guide/en/ecs/current/ecs-${set}.html#field-${name.replace(/@/g, '').replace(/\./g, '-')}`;
}

export function fieldMarkdown(f: FieldInfo, others: FieldInfo[] = []): string {
  const lines = [`**${f.name}** \`${f.type}\``, ''];
  if (f.description) lines.push(f.description, '');
  if (f.example) lines.push(`Example: \`${f.example}\``, '');
  if (f.allowedValues?.length) lines.push(`Allowed values: ${f.allowedValues.map((v) => `\`${v.name}\``).join(', ')}`, '');
  const alt = others.filter((o) => o.type !== f.type).map((o) => `\`${o.type}\` in ${o.source}`);
  if (alt.length) lines.push(`Also typed ${alt.join(', ')}`, '');
  lines.push(`Schema: ${f.source}`);
  if (/^ecs\b/i.test(f.source)) lines.push('', `[ECS reference](${ecsUrl(f.name)})`);
  return lines.join('\n');
}

export function functionMarkdown(f: FunctionSpec): string {
  return [
    '```eql',
    signature(f),
    '```',
    f.doc,
    '',
    f.caseInsensitive ? `Case-insensitive form: \`${f.name}~(...)\`.` : 'Has no `~` (case-insensitive) form.',
    '',
    `Example: \`${f.example}\``,
  ].join('\n');
}

function keywordMarkdown(key: string): string | undefined {
  const k = KEYWORD_DOCS[key];
  return k ? ['```eql', k.syntax, '```', k.doc].join('\n') : undefined;
}

function categoryMarkdown(name: string, fields: FieldSet): string {
  const v = fields.get('event.category')?.allowedValues?.find((a) => a.name === name);
  return [`**${name}** event category`, '', v?.description ?? (name === 'any' ? 'Every category.' : 'Not an ECS `event.category` value.'), '', 'Matches events whose category field equals this value.'].join('\n');
}

const WORD = /[?]?[A-Za-z_@][A-Za-z0-9_.@]*~?/g;

function wordAt(text: string, q: number): { word: string; start: number; end: number } | undefined {
  const lineStart = text.lastIndexOf('\n', Math.max(0, q - 1)) + 1;
  const lineEnd = text.indexOf('\n', q) < 0 ? text.length : text.indexOf('\n', q);
  const line = text.slice(lineStart, lineEnd);
  for (const m of line.matchAll(WORD)) {
    const s = lineStart + m.index!;
    if (q >= s && q <= s + m[0].length) return { word: m[0], start: s, end: s + m[0].length };
  }
  return undefined;
}

function queryHover(a: Analyzed, offset: number): Hover | null {
  const at = queryAt(a, offset);
  if (!at) return null;
  const { query, q } = at;
  const text = query.region.text;
  const range = (s: number, e: number) => toRange(a.doc, { start: query.region.toDocumentOffset(s), end: query.region.toDocumentOffset(e) });
  const node = query.ast ? nodeAt(query.ast, q) : undefined;
  if (node?.kind === 'field') {
    const f = query.fields.get(node.name);
    const body = f ? fieldMarkdown(f, query.fields.getAll(node.name)) : `**${node.name}**\n\nNot in the schemas of this rule (${query.schemaSources.join(', ') || 'none'}).${node.optional ? '' : ' Write `?' + node.name + '` if it may be absent.'}`;
    return { contents: md(body), range: range(node.span.start, node.span.end) };
  }
  if (node?.kind === 'category' && node.name !== null) return { contents: md(categoryMarkdown(node.name, query.fields)), range: range(node.span.start, node.span.end) };
  if (node?.kind === 'call' && q >= node.nameSpan.start && q <= node.nameSpan.end) {
    const f = lookupFunction(node.name);
    if (f) return { contents: md(functionMarkdown(f)), range: range(node.nameSpan.start, node.nameSpan.end) };
  }
  // Operators and keywords are not AST nodes; a word scan also covers half-typed queries.
  const w = wordAt(text, q);
  if (w) {
    const bare = w.word.replace(/^\?/, '');
    const after = text.slice(w.end).match(/^\s*\(/);
    const fn = after ? lookupFunction(bare.replace(/~$/, '')) : undefined;
    if (fn) return { contents: md(functionMarkdown(fn)), range: range(w.start, w.end) };
    const kw = keywordMarkdown(bare.toLowerCase());
    if (kw) return { contents: md(kw), range: range(w.start, w.end) };
    if (/^\s+where\b/.test(text.slice(w.end))) return { contents: md(categoryMarkdown(bare.replace(/^"|"$/g, ''), query.fields)), range: range(w.start, w.end) };
    const f = query.fields.get(bare);
    if (f) return { contents: md(fieldMarkdown(f)), range: range(w.start, w.end) };
  }
  const op = operatorAt(text, q);
  if (op) {
    const kw = keywordMarkdown(op.key);
    if (kw) return { contents: md(kw), range: range(op.start, op.end) };
  }
  return null;
}

function tomlHover(a: Analyzed, offset: number): Hover | null {
  const rule = a.analysis.rule;
  const entry = rule?.entryAt(offset);
  if (!rule || !entry) return null;
  if (offset >= entry.keySpan.start && offset <= entry.keySpan.end) {
    const k = ruleKeyDoc(entry.path);
    if (!k) return null;
    const values = k.doc.values ? `\n\nValues: ${k.doc.values.map((v) => `\`${v}\``).join(', ')}` : '';
    return { contents: md(`**${k.key}**\n\n${k.doc.doc}${values}`), range: toRange(a.doc, entry.keySpan) };
  }
  if (typeof entry.value === 'string') {
    const url = mitreUrl(entry.value);
    if (!url) return null;
    // The tactic/technique table that holds this id names it too.
    const parent = entry.path.slice(0, entry.path.lastIndexOf('.'));
    const name = rule.entries.get(`${parent}.name`)?.value;
    const kind = entry.value.startsWith('TA') ? 'tactic' : entry.value.includes('.') ? 'subtechnique' : 'technique';
    return { contents: md(`**${entry.value}**${typeof name === 'string' ? ` ${name}` : ''}\n\nMITRE ATT&CK ${kind}: [${url}](${url})`), range: toRange(a.doc, entry.valueSpan) };
  }
  return null;
}

export function hover(a: Analyzed, offset: number): Hover | null {
  return queryHover(a, offset) ?? (a.analysis.kind === 'rule' ? tomlHover(a, offset) : null);
}
