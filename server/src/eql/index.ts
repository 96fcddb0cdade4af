// Public API of the EQL front end. Other layers import from here only.
import type { Diagnostic } from '../core/diagnostic';
import type { Statement } from './ast';
import { parseEql } from './parser';
import { checkEql, withoutBroken } from './validate';

export { parseEql } from './parser';
export { checkEql } from './validate';
export { nodeAtOffset, childrenOf, type NodeAt } from './navigate';
export { tokenizeEql, type EqlToken, type EqlTokenType } from './tokens';
export { parseLuceneRegex, type LuceneRegex, type LuceneRegexResult } from './lucene-regex';

/**
 * Parse + static checks. Check findings that overlap a syntax error are dropped: they would
 * only restate the broken part.
 */
export function analyzeEql(text: string): { ast: Statement; diagnostics: Diagnostic[] } {
  const { ast, diagnostics } = parseEql(text);
  const broken = diagnostics.filter((d) => d.severity === 'error' && (d.code === 'eql/syntax' || d.code === 'eql/too-deep')).map((d) => d.span);
  const checks = withoutBroken(checkEql(ast), broken);
  return { ast, diagnostics: [...diagnostics, ...checks].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end) };
}
