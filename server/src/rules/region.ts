// A query embedded in a TOML string, and the ONE place where query offsets become document
// offsets. The string is decoded here (not taken from the TOML parser) so that every decoded
// character knows where it came from: escapes, line-ending backslashes, CRLF normalisation and
// the trimmed first newline of multi-line strings all shift positions.

import type { Span } from '../core/diagnostic';

export type TomlStringStyle = 'multiline-literal' | 'multiline-basic' | 'literal' | 'basic' | 'file';

export interface QueryRegion {
  /** Dotted TOML path of the value, e.g. `rule.query`. */
  key: string;
  /** `rule.language` (`eql`, `kuery`, `esql`, ...); `eql` for `.eql` files. */
  language: string;
  /** The decoded query string. */
  text: string;
  /** Document span of the whole TOML string, quotes included. */
  valueSpan: Span;
  /** Document span of the string's content (inside the quotes). */
  contentSpan: Span;
  style: TomlStringStyle;
  /** Query offset (0..text.length) -> document offset. Out-of-range offsets are clamped. */
  toDocumentOffset(queryOffset: number): number;
  /** Document offset -> query offset, or null when the offset lies outside the content. */
  toQueryOffset(docOffset: number): number | null;
  /** Query span -> document span. */
  toDocumentSpan(s: Span): Span;
  /** Encodes replacement text for this string style (escapes for basic strings). */
  encode(text: string): string;
}

interface Decoded {
  text: string;
  /** docOffsets[i] = document offset of decoded char i; docOffsets[text.length] = content end. */
  docOffsets: Int32Array;
  /** docEnds[i] = document offset just after the source of decoded char i (end of its escape). */
  docEnds: Int32Array;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

/**
 * Decodes doc[start, end) as the content of a TOML string of the given style, recording the
 * document offset of every decoded UTF-16 unit.
 */
function decode(doc: string, start: number, end: number, style: TomlStringStyle): Decoded {
  const multiline = style === 'multiline-basic' || style === 'multiline-literal';
  const basic = style === 'basic' || style === 'multiline-basic';
  let i = start;
  // A newline right after the opening delimiter is trimmed.
  if (multiline) {
    if (doc[i] === '\n') i++;
    else if (doc[i] === '\r' && doc[i + 1] === '\n') i += 2;
  }
  const out: string[] = [];
  const offs: number[] = [];
  const ends: number[] = [];
  const push = (s: string, at: number, to: number) => {
    for (let k = 0; k < s.length; k++) {
      out.push(s[k]);
      offs.push(at);
      ends.push(to);
    }
  };
  while (i < end) {
    const c = doc[i];
    if (multiline && c === '\r' && doc[i + 1] === '\n') {
      push('\n', i, i + 2); // the parser normalises CRLF to LF inside multi-line strings
      i += 2;
      continue;
    }
    if (basic && c === '\\' && i + 1 < end) {
      const n = doc[i + 1];
      if (n in SIMPLE_ESCAPES) {
        push(SIMPLE_ESCAPES[n], i, i + 2);
        i += 2;
        continue;
      }
      if (n === 'u' || n === 'U' || n === 'x') {
        const len = n === 'u' ? 4 : n === 'U' ? 8 : 2;
        const hex = doc.slice(i + 2, i + 2 + len);
        if (hex.length === len && /^[0-9a-fA-F]+$/.test(hex)) {
          const cp = parseInt(hex, 16);
          push(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd', i, i + 2 + len);
          i += 2 + len;
          continue;
        }
      }
      if (multiline) {
        // Line-ending backslash: skips the newline and all whitespace that follows.
        let j = i + 1;
        while (j < end && (doc[j] === ' ' || doc[j] === '\t')) j++;
        if (doc[j] === '\n' || (doc[j] === '\r' && doc[j + 1] === '\n')) {
          while (j < end && (doc[j] === ' ' || doc[j] === '\t' || doc[j] === '\n' || doc[j] === '\r')) j++;
          i = j;
          continue;
        }
      }
    }
    out.push(c);
    offs.push(i);
    ends.push(i + 1);
    i++;
  }
  offs.push(end);
  return { text: out.join(''), docOffsets: Int32Array.from(offs), docEnds: Int32Array.from(ends) };
}

/** The delimiter length of each style. */
const QUOTE_LEN: Record<TomlStringStyle, number> = { 'multiline-literal': 3, 'multiline-basic': 3, literal: 1, basic: 1, file: 0 };

export function styleOf(style: 'basic' | 'literal', multiline: boolean): TomlStringStyle {
  return multiline ? (style === 'basic' ? 'multiline-basic' : 'multiline-literal') : style;
}

/**
 * Builds a region for a TOML string value spanning doc[valueStart, valueEnd) (quotes included),
 * or for a whole file (style `file`).
 */
export function createRegion(doc: string, key: string, language: string, valueStart: number, valueEnd: number, style: TomlStringStyle): QueryRegion {
  const q = QUOTE_LEN[style];
  const contentStart = valueStart + q;
  const contentEnd = Math.max(contentStart, valueEnd - q);
  // Literal strings without CR map by a constant shift (after the trimmed first newline):
  // the common case (every corpus query), so no per-character table is built for it.
  let shift = contentStart;
  let identity = style === 'file' || style === 'literal';
  if (style === 'multiline-literal') {
    const cr = doc.indexOf('\r', contentStart);
    if (cr < 0 || cr >= contentEnd) {
      identity = true;
      if (doc[contentStart] === '\n') shift++;
    }
  }
  const dec: Decoded | null = identity ? null : decode(doc, contentStart, contentEnd, style);
  const text = dec ? dec.text : doc.slice(shift, contentEnd);

  const toDocumentOffset = (qo: number): number => {
    const o = Math.max(0, Math.min(Math.trunc(qo), text.length));
    return dec ? dec.docOffsets[o] : shift + o;
  };
  const toQueryOffset = (d: number): number | null => {
    if (d < contentStart || d > contentEnd) return null;
    if (!dec) return Math.max(0, d - shift);
    // Largest decoded index whose document offset is <= d (offsets are non-decreasing).
    const offs = dec.docOffsets;
    let lo = 0;
    let hi = offs.length - 1;
    if (d < offs[0]) return 0; // inside a trimmed first newline
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offs[mid] <= d) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const encode = (s: string): string => {
    if (style === 'basic' || style === 'multiline-basic') {
      let r = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      if (style === 'basic') r = r.replace(/\n/g, '\\n').replace(/\r/g, '\\r');
      return r;
    }
    return s;
  };
  return {
    key,
    language,
    text,
    valueSpan: { start: valueStart, end: valueEnd },
    contentSpan: { start: contentStart, end: contentEnd },
    style,
    toDocumentOffset,
    toQueryOffset,
    toDocumentSpan: (s: Span) => {
      const start = toDocumentOffset(s.start);
      // A non-empty span ends where its last character's source ends, so it never swallows a
      // following line-ending backslash or escape.
      const last = Math.min(Math.trunc(s.end), text.length) - 1;
      const end = dec && last >= Math.trunc(s.start) && last >= 0 ? dec.docEnds[last] : toDocumentOffset(s.end);
      return { start, end: Math.max(start, end) };
    },
    encode,
  };
}

/** A whole `.eql` file as a query. */
export function fileRegion(text: string): QueryRegion {
  return createRegion(text, '', 'eql', 0, text.length, 'file');
}
