// Classified tokens for semantic highlighting: the scanner's tokens plus comments, with the
// grammar's view where the scanner alone cannot tell (function names, fields, categories).

import { KEYWORDS, lex, T } from './lexer';

export type EqlTokenType =
  | 'keyword'
  | 'identifier'
  | 'field'
  | 'category'
  | 'function'
  | 'string'
  | 'number'
  | 'operator'
  | 'comment'
  | 'punctuation';

export interface EqlToken {
  type: EqlTokenType;
  start: number;
  end: number;
}

const OPERATORS = new Set([T.Asgn, T.Eq, T.Neq, T.Lt, T.Lte, T.Gt, T.Gte, T.Colon, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Question]);
/** Keywords, with the `~` forms of `in`, `like` and `regex` (true, false and null included). */
const KEYWORD_TYPES = new Set([...KEYWORDS.values(), T.InCI, T.LikeCI, T.RegexCI]);

/** Never throws; tokens are in source order and do not overlap. */
export function tokenizeEql(text: string): EqlToken[] {
  const { tokens, comments } = lex(text);
  const out: EqlToken[] = [];
  let ci = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const start = t.startOffset;
    while (ci < comments.length && comments[ci].start < start) out.push({ type: 'comment', ...comments[ci++] });
    const type = t.tokenType;
    const next = tokens[i + 1]?.tokenType;
    const prev = tokens[i - 1]?.tokenType;
    let kind: EqlTokenType;
    if (type === T.String) kind = next === T.Where ? 'category' : 'string';
    else if (type === T.Integer || type === T.Decimal) kind = 'number';
    else if (type === T.TildeIdentifier) kind = 'function';
    else if (type === T.Identifier) {
      if (next === T.LParen) kind = 'function';
      else if (next === T.Where) kind = 'category';
      else if (prev === T.Pipe || next === T.Of || (prev === T.Asgn && tokens[i - 2]?.tokenType === T.Integer)) kind = 'keyword';
      else if (prev === T.With || (prev === T.Integer && tokens[i - 2]?.tokenType === T.Asgn)) kind = 'keyword'; // `runs`, maxspan units
      else kind = 'field';
    } else if (type === T.QuotedIdentifier || type === T.DottedIdentifier) kind = 'field';
    else if (OPERATORS.has(type)) kind = 'operator';
    else if (type === T.Any) kind = 'category';
    else if (KEYWORD_TYPES.has(type)) kind = 'keyword';
    else kind = 'punctuation';
    out.push({ type: kind, start, end: t.endOffset! + 1 });
  }
  while (ci < comments.length) out.push({ type: 'comment', ...comments[ci++] });
  return out;
}
