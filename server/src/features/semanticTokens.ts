// Semantic tokens for EQL inside TOML strings and .eql files, from the front end's classified
// tokens (`tokenizeEql`): it knows what the TextMate grammar cannot (field vs function vs
// category). Query offsets are mapped to the document through the query's region.
import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from 'vscode-languageserver';
import { tokenizeEql, type EqlToken, type EqlTokenType } from '../eql';
import type { AnalyzedQuery } from '../analysis';
import type { Statement } from '../eql/ast';
import type { Analyzed } from './documents';

export const TOKEN_LEGEND: SemanticTokensLegend = {
  tokenTypes: ['property', 'function', 'enumMember', 'string', 'number', 'keyword', 'operator', 'comment', 'variable'],
  tokenModifiers: ['defaultLibrary'],
};
const TYPE: Partial<Record<EqlTokenType, number>> = { field: 0, function: 1, category: 2, string: 3, number: 4, keyword: 5, operator: 6, comment: 7, identifier: 8 };

/** `process.parent.name` is three identifier tokens for the scanner but one field to a reader. */
function mergeFields(text: string, tokens: EqlToken[]): EqlToken[] {
  const out: EqlToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = { ...tokens[i] };
    while (t.type === 'field' && tokens[i + 2]?.type === 'field' && tokens[i + 1].start === t.end && text.slice(t.end, tokens[i + 1].end) === '.' && tokens[i + 2].start === tokens[i + 1].end) {
      t.end = tokens[i + 2].end;
      i += 2;
    }
    out.push(t);
  }
  return out;
}

// By tree: the analysis reuses a query's tree while its text is unchanged, so an edit elsewhere
// in the file does not re-lex a 47 KB query.
const byTree = new WeakMap<Statement, EqlToken[]>();

function queryTokens(q: AnalyzedQuery): EqlToken[] {
  let tokens = q.ast ? byTree.get(q.ast) : undefined;
  if (!tokens) {
    tokens = mergeFields(q.region.text, tokenizeEql(q.region.text));
    if (q.ast) byTree.set(q.ast, tokens);
  }
  return tokens;
}

export function semanticTokens(a: Analyzed): SemanticTokens {
  const b = new SemanticTokensBuilder();
  const queries = a.analysis.queries.filter((q) => q.region.language === 'eql').sort((x, y) => x.region.contentSpan.start - y.region.contentSpan.start);
  for (const q of queries) {
    const r = q.region;
    for (const t of queryTokens(q)) {
      const type = TYPE[t.type];
      if (type === undefined || t.end <= t.start) continue;
      // LSP tokens are single-line: a block comment over lines becomes one token a line.
      let s = r.toDocumentOffset(t.start);
      const end = r.toDocumentOffset(t.end);
      while (s < end) {
        const p = a.doc.positionAt(s);
        const nextLine = a.doc.offsetAt({ line: p.line + 1, character: 0 });
        const e = nextLine > s && nextLine < end ? nextLine : end;
        const len = a.doc.getText({ start: p, end: a.doc.positionAt(e) }).replace(/\r?\n$/, '').length;
        if (len > 0) b.push(p.line, p.character, len, type, t.type === 'function' ? 1 : 0);
        s = e;
      }
    }
  }
  return b.build();
}
