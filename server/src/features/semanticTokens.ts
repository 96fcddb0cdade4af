// Semantic tokens for EQL inside TOML strings and .eql files: fields (optional ones marked),
// functions, event categories and literals, from the AST. Keywords and operators come from the
// TextMate injection; the AST knows what the grammar cannot (what is a field, what a function).
import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from 'vscode-languageserver';
import { filtersOf, rootExpressions, walkExpr } from '../eql/ast';
import type { Span } from '../core/diagnostic';
import type { Analyzed } from './documents';

export const TOKEN_LEGEND: SemanticTokensLegend = {
  tokenTypes: ['property', 'function', 'enumMember', 'string', 'number', 'keyword'],
  tokenModifiers: ['readonly', 'defaultLibrary'],
};
const T = { field: 0, fn: 1, category: 2, string: 3, number: 4, keyword: 5 } as const;
const M = { optional: 1, builtin: 2 } as const;

export function semanticTokens(a: Analyzed): SemanticTokens {
  const tokens: { start: number; end: number; type: number; mods: number }[] = [];
  for (const q of a.analysis.queries) {
    if (!q.ast) continue;
    const r = q.region;
    const add = (s: Span, type: number, mods = 0) => {
      if (s.end > s.start) tokens.push({ start: r.toDocumentOffset(s.start), end: r.toDocumentOffset(s.end), type, mods });
    };
    for (const f of filtersOf(q.ast.query)) if (f.category.name !== null) add(f.category.span, T.category);
    for (const root of rootExpressions(q.ast)) {
      walkExpr(root, (e) => {
        if (e.kind === 'field') add(e.span, T.field, e.optional ? M.optional : 0);
        else if (e.kind === 'call') add(e.nameSpan, T.fn, M.builtin);
        else if (e.kind === 'literal') add(e.span, e.type === 'number' ? T.number : e.type === 'string' ? T.string : T.keyword);
      });
    }
  }
  tokens.sort((x, y) => x.start - y.start);
  const b = new SemanticTokensBuilder();
  let last = -1;
  for (const t of tokens) {
    if (t.start < last) continue; // overlapping nodes: keep the first
    // LSP tokens are single-line: split the rare token that spans lines (escaped newlines).
    let s = t.start;
    while (s < t.end) {
      const p = a.doc.positionAt(s);
      const lineEnd = a.doc.offsetAt({ line: p.line + 1, character: 0 });
      const e = Math.min(t.end, lineEnd > s ? lineEnd : t.end);
      const text = a.doc.getText({ start: p, end: a.doc.positionAt(e) }).replace(/\r?\n$/, '');
      if (text.length) b.push(p.line, p.character, text.length, t.type, t.mods);
      s = e;
    }
    last = t.end;
  }
  return b.build();
}
