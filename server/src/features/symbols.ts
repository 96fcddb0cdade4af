// Document symbols: the rule (by name) with its queries and MITRE threat entries as children.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { Analyzed } from './documents';
import { toRange } from './convert';

export function documentSymbols(a: Analyzed): DocumentSymbol[] {
  const { analysis, doc } = a;
  const queries: DocumentSymbol[] = analysis.queries.map((q, i) => {
    const firstLine = q.region.text.trim().split('\n')[0] ?? '';
    return {
      name: analysis.queries.length > 1 ? `query ${i + 1}` : 'query',
      detail: `${q.region.language}: ${firstLine.slice(0, 60)}`,
      kind: SymbolKind.Function,
      range: toRange(doc, q.region.valueSpan),
      selectionRange: toRange(doc, q.region.valueSpan),
    };
  });
  const rule = analysis.rule;
  if (!rule) return queries;

  const children: DocumentSymbol[] = [...queries];
  for (const [path, table] of rule.tables) {
    const m = /^rule\.threat\.(\d+)$/.exec(path);
    if (!m) continue;
    const get = (k: string) => rule.entries.get(`${path}.${k}`)?.value;
    const tactic = `${get('tactic.id') ?? '?'} ${get('tactic.name') ?? ''}`.trim();
    const techniques: DocumentSymbol[] = [];
    for (const [tp, tt] of rule.tables) {
      if (!new RegExp(`^${path.replace(/\./g, '\\.')}\\.technique\\.\\d+(\\.subtechnique\\.\\d+)?$`).test(tp)) continue;
      const id = rule.entries.get(`${tp}.id`)?.value;
      const name = rule.entries.get(`${tp}.name`)?.value;
      techniques.push({ name: `${id ?? '?'} ${name ?? ''}`.trim(), kind: SymbolKind.Key, range: toRange(doc, tt.span), selectionRange: toRange(doc, tt.headerSpan) });
    }
    children.push({ name: `threat: ${tactic}`, detail: String(get('framework') ?? ''), kind: SymbolKind.Namespace, range: toRange(doc, table.span), selectionRange: toRange(doc, table.headerSpan), children: techniques });
  }
  const nameEntry = rule.entries.get('rule.name');
  const ruleTable = rule.tables.get('rule');
  const whole = { start: 0, end: doc.getText().length };
  return [
    {
      name: typeof nameEntry?.value === 'string' && nameEntry.value ? nameEntry.value : 'rule',
      detail: typeof rule.rule.type === 'string' ? `${rule.rule.type} rule` : 'rule',
      kind: SymbolKind.Class,
      range: toRange(doc, whole),
      selectionRange: toRange(doc, nameEntry?.valueSpan ?? ruleTable?.headerSpan ?? { start: 0, end: 0 }),
      children,
    },
  ];
}
