// Hand-written EQL scanner producing chevrotain tokens. It follows the lexical rules of
// Elasticsearch's EqlBase.g4 (keywords are lowercase only, IDENTIFIER may start with `@`,
// `name~` is one token, `![` opens a missing event) and never throws: bad input becomes a
// diagnostic plus the best token it can make, so the parser still sees a sensible stream.
// Chevrotain's own regex lexer was not used: a charCode switch is several times faster and
// nested block comments and raw strings need custom matchers anyway.

import type * as Chevrotain from 'chevrotain' with { 'resolution-mode': 'import' };
import type { IToken, TokenType } from 'chevrotain' with { 'resolution-mode': 'import' };
import { dirname, join } from 'node:path';
import { diag, type Diagnostic } from '../core/diagnostic';

// chevrotain is ESM-only; Node >= 20.19 can `require` it and esbuild bundles it (see rules/toml.ts).
// Under tsx (tests) the entry point's own ESM imports cannot be required, so fall back to the
// package's single-file bundle, which imports nothing.
function loadChevrotain(): typeof Chevrotain {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('chevrotain') as typeof Chevrotain;
  } catch {
    const name = 'chevrotain'; // a variable: bundlers need not resolve this fallback
    const entry = require.resolve(name);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(join(dirname(entry), '..', 'chevrotain.mjs')) as typeof Chevrotain;
  }
}
export const chevrotain = loadChevrotain();
const { createToken } = chevrotain;

const NA = /NA/; // token types are produced by the scanner, never matched by chevrotain

function tok(name: string, label?: string): TokenType {
  return createToken({ name, pattern: NA, label: label ?? name });
}

export const T = {
  And: tok('And', "'and'"),
  Any: tok('Any', "'any'"),
  By: tok('By', "'by'"),
  False: tok('False', "'false'"),
  In: tok('In', "'in'"),
  InCI: tok('InCI', "'in~'"),
  Join: tok('Join', "'join'"),
  Like: tok('Like', "'like'"),
  LikeCI: tok('LikeCI', "'like~'"),
  Maxspan: tok('Maxspan', "'maxspan'"),
  Not: tok('Not', "'not'"),
  Null: tok('Null', "'null'"),
  Of: tok('Of', "'of'"),
  Or: tok('Or', "'or'"),
  Regex: tok('Regex', "'regex'"),
  RegexCI: tok('RegexCI', "'regex~'"),
  Sample: tok('Sample', "'sample'"),
  Sequence: tok('Sequence', "'sequence'"),
  True: tok('True', "'true'"),
  Until: tok('Until', "'until'"),
  Where: tok('Where', "'where'"),
  With: tok('With', "'with'"),
  Asgn: tok('Asgn', "'='"),
  Eq: tok('Eq', "'=='"),
  Neq: tok('Neq', "'!='"),
  Lt: tok('Lt', "'<'"),
  Lte: tok('Lte', "'<='"),
  Gt: tok('Gt', "'>'"),
  Gte: tok('Gte', "'>='"),
  Colon: tok('Colon', "':'"),
  Plus: tok('Plus', "'+'"),
  Minus: tok('Minus', "'-'"),
  Star: tok('Star', "'*'"),
  Slash: tok('Slash', "'/'"),
  Percent: tok('Percent', "'%'"),
  Dot: tok('Dot', "'.'"),
  Comma: tok('Comma', "','"),
  LBracket: tok('LBracket', "'['"),
  MissingOpen: tok('MissingOpen', "'!['"),
  RBracket: tok('RBracket', "']'"),
  LParen: tok('LParen', "'('"),
  RParen: tok('RParen', "')'"),
  Pipe: tok('Pipe', "'|'"),
  Question: tok('Question', "'?'"),
  String: tok('String', 'string'),
  Integer: tok('Integer', 'integer'),
  Decimal: tok('Decimal', 'number'),
  Identifier: tok('Identifier', 'identifier'),
  QuotedIdentifier: tok('QuotedIdentifier', 'quoted identifier'),
  TildeIdentifier: tok('TildeIdentifier', 'function name'),
  /** `a.b.c` without spaces: a whole field name (segments are plain identifiers). */
  DottedIdentifier: tok('DottedIdentifier', 'field name'),
} as const;

export const allTokenTypes: TokenType[] = Object.values(T);

/** The string value and quote style of a String token. */
export function stringInfo(t: IToken): StringInfo | undefined {
  return (t as EqlTok).payload;
}

export const KEYWORDS: ReadonlyMap<string, TokenType> = new Map([
  ['and', T.And],
  ['any', T.Any],
  ['by', T.By],
  ['false', T.False],
  ['in', T.In],
  ['join', T.Join],
  ['like', T.Like],
  ['maxspan', T.Maxspan],
  ['not', T.Not],
  ['null', T.Null],
  ['of', T.Of],
  ['or', T.Or],
  ['regex', T.Regex],
  ['sample', T.Sample],
  ['sequence', T.Sequence],
  ['true', T.True],
  ['until', T.Until],
  ['where', T.Where],
  ['with', T.With],
]);

/** Keywords that have a `~` form lexed as one token. */
const TILDE_KEYWORDS: ReadonlyMap<string, TokenType> = new Map([
  ['in', T.InCI],
  ['like', T.LikeCI],
  ['regex', T.RegexCI],
]);

export type StringQuote = 'double' | 'raw' | 'single' | 'question';

/** Extra facts the scanner attaches to string tokens (kept off IToken's typed fields). */
export interface StringInfo {
  value: string;
  quote: StringQuote;
  /** No closing quote (already reported by the scanner). */
  unterminated?: boolean;
}

export interface CommentRange {
  start: number;
  end: number;
}

export interface LexResult {
  tokens: IToken[];
  comments: CommentRange[];
  diagnostics: Diagnostic[];
}

// Character classes, built once: 1 = identifier start, 2 = identifier part, 4 = digit.
const CLS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) CLS[c] = 3;
  if (/[0-9]/.test(ch)) CLS[c] = 6;
}
CLS[64] |= 1; // '@' may start an identifier (so @timestamp needs no quotes)

const isIdPart = (c: number) => c < 128 && (CLS[c] & 2) !== 0;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * A chevrotain token with only the fields the parser reads (no lines or columns: every consumer
 * works with offsets). One class keeps every token the same shape, which V8 likes.
 */
class EqlTok implements IToken {
  readonly tokenTypeIdx: number;
  payload: StringInfo | undefined = undefined;
  constructor(
    readonly image: string,
    readonly startOffset: number,
    readonly endOffset: number,
    readonly tokenType: TokenType,
  ) {
    this.tokenTypeIdx = tokenType.tokenTypeIdx!;
  }
}

/** Images of fixed-spelling tokens, so that scanning them allocates no substring. */
const FIXED_IMAGE = new Map<TokenType, string>();
for (const t of allTokenTypes) {
  const label = t.LABEL ?? '';
  // labels of fixed tokens are the quoted spelling, e.g. "'=='"
  if (label.length > 2 && label.startsWith("'") && label.endsWith("'")) FIXED_IMAGE.set(t, label.slice(1, -1));
}

function make(type: TokenType, text: string, start: number, end: number): IToken {
  return new EqlTok(FIXED_IMAGE.get(type) ?? text.slice(start, end), start, end - 1, type);
}

/** Decodes the escapes of a double-quoted string body; reports bad ones. */
function unescape(text: string, from: number, to: number, diags: Diagnostic[]): string {
  let out = '';
  let i = from;
  let chunk = from;
  while (i < to) {
    if (text.charCodeAt(i) !== 92 /* \ */) {
      i++;
      continue;
    }
    out += text.slice(chunk, i);
    const e = text[i + 1];
    let next = i + 2;
    switch (e) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      // \b and \f are not in the project's list but Elasticsearch's grammar has them: accept.
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case "'": out += "'"; break;
      case 'u': {
        // \u{XXXX}: 2 to 8 hex digits, a valid code point
        let j = i + 2;
        if (text[j] === '{') {
          j++;
          const hs = j;
          while (j < to && isHex(text.charCodeAt(j))) j++;
          const n = j - hs;
          if (text[j] === '}' && n >= 2 && n <= 8) {
            const cp = parseInt(text.slice(hs, j), 16);
            if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
              out += String.fromCodePoint(cp);
              next = j + 1;
              break;
            }
            diags.push(diag('eql/invalid-escape', 'error', `Invalid unicode code point [${text.slice(hs, j)}] in escape; use a value up to 10FFFF that is not a surrogate`, { start: i, end: j + 1 }));
            next = j + 1;
            break;
          }
          const end = text[j] === '}' ? j + 1 : j;
          diags.push(diag('eql/invalid-escape', 'error', 'Invalid unicode escape: write \\u{XXXX} with 2 to 8 hex digits', { start: i, end: Math.max(end, i + 2) }));
          next = end;
          break;
        }
        diags.push(diag('eql/invalid-escape', 'error', 'Invalid unicode escape: write \\u{XXXX} with 2 to 8 hex digits', { start: i, end: i + 2 }));
        break;
      }
      default: {
        const shown = e === undefined ? '' : e;
        diags.push(
          diag(
            'eql/invalid-escape',
            'error',
            `Invalid escape sequence [\\${shown}]; supported escapes are \\n \\r \\t \\\\ \\" \\' and \\u{XXXX}, write \\\\ for a literal backslash (or use a """raw""" string)`,
            { start: i, end: Math.min(i + 2, to) },
            [{ title: 'Escape the backslash', edits: [{ span: { start: i, end: i + 1 }, newText: '\\\\' }] }],
          ),
        );
        out += shown;
      }
    }
    i = next;
    chunk = next;
  }
  return out + text.slice(chunk, to);
}

/**
 * Scans an EQL query. Comments and whitespace are not in `tokens` (they are in `comments`).
 * Never throws.
 */
export function lex(text: string): LexResult {
  const tokens: IToken[] = [];
  const comments: CommentRange[] = [];
  const diagnostics: Diagnostic[] = [];
  const n = text.length;
  let i = 0;

  while (i < n) {
    const c = text.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    }
    const start = i;
    if (c < 128 && (CLS[c] & 1) !== 0) {
      i++;
      while (i < n && isIdPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      if (text.charCodeAt(i) === 126 /* ~ */) {
        const ci = TILDE_KEYWORDS.get(word);
        if (ci) {
          tokens.push(make(ci, text, start, ++i));
          continue;
        }
        if (!KEYWORDS.has(word)) {
          tokens.push(make(T.TildeIdentifier, text, start, ++i));
          continue;
        }
      }
      const kw = KEYWORDS.get(word);
      if (kw === undefined && text.charCodeAt(i) === 46 /* . */) {
        // `process.parent.name` as one token: fields are the commonest thing in EQL and this
        // saves the parser several steps per segment. A keyword segment (`a.sequence`) ends the
        // run so that the parser reports it; spaces around dots take the token-by-token path.
        let end = i;
        while (text.charCodeAt(end) === 46) {
          const s0 = end + 1;
          const c0 = text.charCodeAt(s0);
          if (!(c0 < 128 && (CLS[c0] & 1) !== 0)) break;
          let j = s0 + 1;
          while (j < n && isIdPart(text.charCodeAt(j))) j++;
          if (KEYWORDS.has(text.slice(s0, j)) || text.charCodeAt(j) === 126 /* ~ */) break;
          end = j;
        }
        if (end > i) {
          tokens.push(make(T.DottedIdentifier, text, start, end));
          i = end;
          continue;
        }
      }
      tokens.push(make(kw ?? T.Identifier, text, start, i));
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let decimal = false;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 /* . */) {
        decimal = true;
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        const s = text.charCodeAt(j);
        if (s === 43 || s === 45) j++;
        if (isDigit(text.charCodeAt(j))) {
          decimal = true;
          while (j < n && isDigit(text.charCodeAt(j))) j++;
          i = j;
        }
      }
      tokens.push(make(decimal ? T.Decimal : T.Integer, text, start, i));
      continue;
    }
    switch (c) {
      case 34: // "
        i = scanString(text, i, 'double', tokens, diagnostics);
        continue;
      case 39: // ' (legacy)
        i = scanString(text, i, 'single', tokens, diagnostics);
        continue;
      case 63: // ?
        if (text.charCodeAt(i + 1) === 34 || text.charCodeAt(i + 1) === 39) {
          i = scanString(text, i, 'question', tokens, diagnostics);
          continue;
        }
        tokens.push(make(T.Question, text, start, ++i));
        continue;
      case 96: {
        // `quoted identifier`, `` is a literal backtick
        i++;
        for (;;) {
          if (i >= n) {
            syntaxError(diagnostics, start, n, 'Unterminated quoted identifier: add a closing backtick [`]');
            break;
          }
          if (text.charCodeAt(i) === 96) {
            if (text.charCodeAt(i + 1) === 96) {
              i += 2;
              continue;
            }
            i++;
            break;
          }
          i++;
        }
        tokens.push(make(T.QuotedIdentifier, text, start, i));
        continue;
      }
      case 47: {
        // '/'
        const d = text.charCodeAt(i + 1);
        if (d === 47) {
          i += 2;
          while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
          comments.push({ start, end: i });
          continue;
        }
        if (d === 42) {
          // nested block comments
          let depth = 1;
          i += 2;
          while (i < n && depth > 0) {
            const x = text.charCodeAt(i);
            if (x === 42 && text.charCodeAt(i + 1) === 47) {
              depth--;
              i += 2;
            } else if (x === 47 && text.charCodeAt(i + 1) === 42) {
              depth++;
              i += 2;
            } else i++;
          }
          if (depth > 0) syntaxError(diagnostics, start, Math.min(start + 2, n), 'Unterminated block comment: close it with */');
          comments.push({ start, end: i });
          continue;
        }
        tokens.push(make(T.Slash, text, start, ++i));
        continue;
      }
      case 61: // =
        if (text.charCodeAt(i + 1) === 61) tokens.push(make(T.Eq, text, start, (i += 2)));
        else tokens.push(make(T.Asgn, text, start, ++i));
        continue;
      case 33: // !
        if (text.charCodeAt(i + 1) === 61) tokens.push(make(T.Neq, text, start, (i += 2)));
        else if (text.charCodeAt(i + 1) === 91) tokens.push(make(T.MissingOpen, text, start, (i += 2)));
        else {
          i++;
          syntaxError(diagnostics, start, i, "Unexpected character [!]: use 'not' for negation, '!=' for inequality or '![' for a missing event");
        }
        continue;
      case 60: // <
        if (text.charCodeAt(i + 1) === 61) tokens.push(make(T.Lte, text, start, (i += 2)));
        else tokens.push(make(T.Lt, text, start, ++i));
        continue;
      case 62: // >
        if (text.charCodeAt(i + 1) === 61) tokens.push(make(T.Gte, text, start, (i += 2)));
        else tokens.push(make(T.Gt, text, start, ++i));
        continue;
      case 58: tokens.push(make(T.Colon, text, start, ++i)); continue;
      case 43: tokens.push(make(T.Plus, text, start, ++i)); continue;
      case 45: tokens.push(make(T.Minus, text, start, ++i)); continue;
      case 42: tokens.push(make(T.Star, text, start, ++i)); continue;
      case 37: tokens.push(make(T.Percent, text, start, ++i)); continue;
      case 46: tokens.push(make(T.Dot, text, start, ++i)); continue;
      case 44: tokens.push(make(T.Comma, text, start, ++i)); continue;
      case 91: tokens.push(make(T.LBracket, text, start, ++i)); continue;
      case 93: tokens.push(make(T.RBracket, text, start, ++i)); continue;
      case 40: tokens.push(make(T.LParen, text, start, ++i)); continue;
      case 41: tokens.push(make(T.RParen, text, start, ++i)); continue;
      case 124: tokens.push(make(T.Pipe, text, start, ++i)); continue;
    }
    // Anything else: one diagnostic for a run of unknown characters.
    i++;
    if (c >= 0xd800 && c <= 0xdbff && i < n) i++; // keep surrogate pairs whole
    while (i < n && !startsToken(text.charCodeAt(i))) i++;
    const what = text.slice(start, i);
    syntaxError(diagnostics, start, i, c === 38 ? "Unexpected character [&]: use 'and'" : `Unexpected character${what.length > 1 ? 's' : ''} [${what}]`);
  }
  return { tokens, comments, diagnostics };
}

/** Could this character begin a token (or whitespace)? Used to group unknown characters. */
function startsToken(c: number): boolean {
  if (c < 128 && CLS[c] !== 0) return true;
  return ' \t\r\n"\'?`/=!<>:+-*%.,[]()|'.includes(String.fromCharCode(c));
}

function syntaxError(diagnostics: Diagnostic[], start: number, end: number, message: string): void {
  diagnostics.push(diag('eql/syntax', 'error', message, { start, end }));
}

// Plain functions rather than closures here: the scanner runs per keystroke and per rule.
function addString(tokens: IToken[], text: string, start: number, end: number, info: StringInfo): void {
  const t = make(T.String, text, start, end) as EqlTok;
  t.payload = info;
  tokens.push(t);
}

function scanString(
  text: string,
  start: number,
  quote: StringQuote,
  tokens: IToken[],
  diagnostics: Diagnostic[],
): number {

  const n = text.length;
  let i = start;
  if (quote === 'double' && text.startsWith('"""', i)) {
    // raw string: backslashes are literal, single line, ends at the first """
    i += 3;
    let end = -1;
    for (let j = i; j < n; j++) {
      const x = text.charCodeAt(j);
      if (x === 10 || x === 13) break;
      if (x === 34 && text.startsWith('"""', j)) {
        end = j;
        break;
      }
    }
    if (end < 0) {
      let j = i;
      while (j < n && text.charCodeAt(j) !== 10 && text.charCodeAt(j) !== 13) j++;
      diagnostics.push(diag('eql/syntax', 'error', 'Unterminated raw string: close it with """ on the same line', { start, end: j }));
      addString(tokens, text, start, j, { value: text.slice(i, j), quote: 'raw' });
      return j;
    }
    // Extra quotes right before the closing """ belong to the value (as in """a"""" -> a").
    let close = end;
    while (text.charCodeAt(close + 3) === 34) close++;
    addString(tokens, text, start, close + 3, { value: text.slice(i, close), quote: 'raw' });
    return close + 3;
  }
  const q = quote === 'question' ? text.charCodeAt(i + 1) : text.charCodeAt(i);
  i += quote === 'question' ? 2 : 1;
  const bodyStart = i;
  let closed = false;
  while (i < n) {
    const x = text.charCodeAt(i);
    if (x === 10 || x === 13) break;
    if (x === 92 /* \ */ && i + 1 < n) {
      const y = text.charCodeAt(i + 1);
      if (y === 10 || y === 13) {
        i++;
        break;
      }
      i += 2;
      continue;
    }
    if (x === q) {
      closed = true;
      break;
    }
    i++;
  }
  const bodyEnd = i;
  const end = closed ? i + 1 : i;
  const sub: Diagnostic[] = [];
  // ?"..." strings kept backslashes literally (Python eql); single quotes escape like double.
  const value = quote === 'question' ? text.slice(bodyStart, bodyEnd) : unescape(text, bodyStart, bodyEnd, sub);
  if (!closed) {
    const qc = String.fromCharCode(q);
    diagnostics.push(diag('eql/syntax', 'error', `Unterminated string: add a closing quote [${qc}] before the end of the line`, { start, end }));
  } else if (quote === 'double') diagnostics.push(...sub);
  addString(tokens, text, start, end, closed ? { value, quote } : { value, quote, unterminated: true });
  return end;
}
