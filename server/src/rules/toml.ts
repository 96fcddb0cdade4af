// TOML with positions, via toml-eslint-parser (every node has `range`). The package is ESM-only;
// Node >= 20.19 can `require` it and esbuild bundles it, so we load it with `require` and take
// its types with an import-mode type import (this project compiles as CommonJS).

import type * as TomlParser from 'toml-eslint-parser' with { 'resolution-mode': 'import' };
import { diag, type Diagnostic } from '../core/diagnostic';

export type { AST } from 'toml-eslint-parser' with { 'resolution-mode': 'import' };
import type { AST } from 'toml-eslint-parser' with { 'resolution-mode': 'import' };

let parser: typeof TomlParser | undefined;
function lib(): typeof TomlParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (parser ??= require('toml-eslint-parser') as typeof TomlParser);
}

export interface TomlParse {
  /** The tree of the text, or of the text with broken lines blanked out; null if nothing parsed. */
  ast: AST.TOMLProgram | null;
  /** `toml/syntax` errors at their position in the ORIGINAL text. */
  diagnostics: Diagnostic[];
}

/** How many broken lines we blank before giving up: recovery must stay cheap on garbage. */
const MAX_RECOVERIES = 8;

function lineBounds(text: string, offset: number): { start: number; end: number } {
  const o = Math.max(0, Math.min(offset, text.length));
  let start = o;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = o;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return { start, end };
}

/**
 * The offset of the string opener (`"`, `'`, `"""`, `'''`) left open at the end of the text, or -1.
 * Single-line strings end at the line's end (that is a different error).
 */
export function unterminatedStringStart(text: string): number {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '#') {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return -1;
      i = eol + 1;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c + c + c, i);
      let j = i + (triple ? 3 : 1);
      for (;;) {
        if (j >= n) return triple ? i : -1;
        const ch = text[j];
        if (c === '"' && ch === '\\') j += 2;
        else if (!triple && ch === '\n') break;
        else if (ch === c && (!triple || text.startsWith(c + c + c, j))) {
          if (triple) while (text[j + 3] === c) j++; // up to two extra quotes belong to the content
          j += triple ? 3 : 1;
          break;
        } else j++;
      }
      if (!triple && j >= n) return i;
      i = j;
    } else i++;
  }
  return -1;
}

/** Replaces the characters of [start, end) with spaces, keeping newlines so offsets stay valid. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
}

/**
 * Parses TOML, never throws. A syntax error becomes one diagnostic on its line; the line is then
 * blanked and the text re-parsed (a bounded number of times) so the rest can still be analysed.
 */
export function parseToml(text: string): TomlParse {
  const fast = parseWithoutLongStrings(text);
  if (fast) return { ast: fast, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  let current = text;
  let lastIndex = -1;
  let back = 0;
  for (let attempt = 0; attempt <= MAX_RECOVERIES; attempt++) {
    try {
      return { ast: lib().parseTOML(current), diagnostics };
    } catch (e) {
      const err = e as { index?: unknown; message?: unknown };
      const index = typeof err.index === 'number' ? err.index : 0;
      const opener = /unterminated string/i.test(String(err.message)) ? unterminatedStringStart(current) : -1;
      if (opener >= 0) {
        // Report it where it opens; by TOML's rules the rest of the file is inside it, so drop the rest.
        const { end } = lineBounds(text, opener);
        diagnostics.push(diag('toml/syntax', 'error', 'TOML: unterminated string (it runs to the end of the file)', { start: opener, end: Math.max(end, opener + 1) }));
        current = blank(current, lineBounds(current, opener).start, current.length);
        lastIndex = -1;
        continue;
      }
      if (index !== lastIndex || attempt === 0) {
        const { start, end } = lineBounds(text, index);
        const at = start === end ? { start, end: Math.min(text.length, end + 1) } : index >= end ? { start, end } : { start: index, end };
        diagnostics.push(diag('toml/syntax', 'error', `TOML: ${String(err.message ?? 'syntax error')}`, at));
        back = 0;
      } else {
        back++; // same error again (e.g. an unterminated string reported at EOF): blank further up
      }
      lastIndex = index;
      let { start, end } = lineBounds(current, index);
      for (let i = 0; i < back && start > 0; i++) {
        const prev = lineBounds(current, start - 1 - (current[start - 1] === '\n' && current[start - 2] === '\r' ? 1 : 0));
        start = prev.start;
      }
      if (start === end && end >= current.length) {
        // Nothing left to blank on this line: blank the line before it.
        const prev = lineBounds(current, Math.max(0, start - 1));
        start = prev.start;
      }
      current = blank(current, start, end);
    }
  }
  return { ast: null, diagnostics };
}

// Long multi-line strings (notes, setup guides, queries: three quarters of the corpus text)
// cost the TOML tokenizer an array slot per character and a token copy. A "plain" one (no
// backslash, no control character but LF and tab, not ending in a quote) decodes to its content
// minus a leading newline, so it is parsed empty and its value and every position after it are
// put back: the tree is the one the library builds for the whole text. Anything unexpected
// (a syntax error, a cut that is not exactly one string token) falls back to the full parse.

/** Shorter strings are not worth a cut. */
const MIN_CUT = 64;
// Control characters the tokenizer rejects inside a multi-line string (LF and tab are allowed;
// CR is excluded too, so CRLF content takes the full parse).
const REJECTED_CHAR = /[\x00-\x08\x0b-\x1f\x7f]/;

interface Cut {
  /** Offset of the (now empty) content in the cut text: original offsets >= this moved by `len`. */
  at: number;
  len: number;
  /** The decoded string. */
  value: string;
}

function parseWithoutLongStrings(text: string): AST.TOMLProgram | null {
  const cuts: Cut[] = [];
  const parts: string[] = [];
  let kept = 0; // text[kept..] not yet copied to parts
  let removed = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) break;
      i = eol + 1;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      const basic = c === 34;
      const triple = basic ? '"""' : "'''";
      if (text.startsWith(triple, i)) {
        const start = i + 3;
        let end = text.indexOf(triple, start);
        if (end < 0) return null; // unterminated: the full parse reports it
        let escapes = false;
        if (basic) {
          const bs = text.indexOf('\\', start);
          if (bs >= 0 && bs < end) {
            // Escapes may hide quotes: find the end character by character.
            escapes = true;
            let j = bs;
            for (;;) {
              if (j >= n) return null;
              const ch = text.charCodeAt(j);
              if (ch === 92) j += 2;
              else if (ch === c && text.startsWith(triple, j)) break;
              else j++;
            }
            end = j;
          }
        }
        // Up to two more quotes belong to the content; such strings are not cut.
        const plain = !escapes && text.charCodeAt(end + 3) !== c && end - start >= MIN_CUT;
        i = end + 3;
        while (text.charCodeAt(i) === c) i++;
        if (!plain) continue;
        const content = text.slice(start, end);
        if (REJECTED_CHAR.test(content)) continue;
        parts.push(text.slice(kept, start));
        kept = end;
        cuts.push({ at: start - removed, len: end - start, value: content.charCodeAt(0) === 10 ? content.slice(1) : content });
        removed += end - start;
      } else {
        let j = i + 1;
        while (j < n) {
          const ch = text.charCodeAt(j);
          if (ch === 10 || ch === c) break;
          j += basic && ch === 92 ? 2 : 1;
        }
        i = j + 1;
      }
    } else i++;
  }
  if (!cuts.length) return null;
  parts.push(text.slice(kept));
  let ast: AST.TOMLProgram;
  try {
    ast = lib().parseTOML(parts.join(''));
  } catch {
    return null;
  }
  return restoreCuts(ast, text, cuts) ? ast : null;
}

type Located = { range: [number, number]; loc: AST.SourceLocation };

/**
 * Puts the cut strings back into the tree parsed without them; false if a cut was not one string
 * token. The library gives every token and node its own range, loc and position objects
 * (cloneRange / cloneLoc), so each is updated once.
 */
function restoreCuts(ast: AST.TOMLProgram, text: string, cuts: Cut[]): boolean {
  // Each cut must be exactly an empty multi-line string token.
  const tokens = ast.tokens as unknown as (Located & { type: string; value: string; string?: string })[];
  const cutTokens: (typeof tokens)[number][] = [];
  let t = 0;
  for (const cut of cuts) {
    while (t < tokens.length && tokens[t].range[0] < cut.at - 3) t++;
    const tok = tokens[t];
    if (!tok || tok.range[0] !== cut.at - 3 || tok.range[1] !== cut.at + 3 || (tok.type !== 'MultiLineBasicString' && tok.type !== 'MultiLineLiteralString')) return false;
    cutTokens.push(tok);
  }
  const first = cuts[0].at;
  // Per cut: the shift of offsets at or after it, the LF it removed so far, the (cut-text) line
  // of its closing quotes and where that line starts in the original text. A position after a
  // cut moves down by the removed LF; only on the closing quotes' line does its column change.
  let cum = 0;
  let nl = 0;
  const meta = cuts.map((cut, k) => {
    cum += cut.len;
    for (let j = cut.value.indexOf('\n'); j >= 0; j = cut.value.indexOf('\n', j + 1)) nl++;
    if (cut.len > cut.value.length) nl++; // the trimmed first newline
    const close = cut.at + cum; // original offset of the closing quotes
    return { at: cut.at, cum, nl, line: cutTokens[k].loc.end.line, lineStart: text.lastIndexOf('\n', close - 1) + 1 };
  });
  const move = (pos: AST.Position, o: number): number => {
    let m: (typeof meta)[number] | undefined;
    for (const c of meta) {
      if (o < c.at) break;
      m = c;
    }
    if (!m) return o;
    if (pos.line === m.line) pos.column = o + m.cum - m.lineStart;
    pos.line += m.nl;
    return o + m.cum;
  };
  const fix = (x: Located) => {
    const r = x.range;
    if (r[1] < first) return;
    r[0] = move(x.loc.start, r[0]);
    r[1] = move(x.loc.end, r[1]);
  };
  for (const tok of tokens) fix(tok);
  for (const c of ast.comments) fix(c as unknown as Located);
  const values = new Map<number, string>(); // original start of a cut string -> its value
  cuts.forEach((cut, k) => {
    const tok = cutTokens[k];
    tok.value = text.slice(tok.range[0], tok.range[1]);
    tok.string = cut.value;
    values.set(tok.range[0], cut.value);
  });
  const visit = (node: AST.TOMLNode): void => {
    if (node.range[1] < first) return; // the subtree lies before every cut
    fix(node as unknown as Located);
    switch (node.type) {
      case 'Program':
      case 'TOMLTopLevelTable':
      case 'TOMLInlineTable':
        for (const ch of node.body) visit(ch);
        return;
      case 'TOMLTable':
        visit(node.key);
        for (const ch of node.body) visit(ch);
        return;
      case 'TOMLKeyValue':
        visit(node.key);
        visit(node.value);
        return;
      case 'TOMLKey':
        for (const ch of node.keys) visit(ch);
        return;
      case 'TOMLArray':
        for (const ch of node.elements) visit(ch);
        return;
      case 'TOMLValue':
        if (node.kind === 'string' && node.multiline) {
          const v = values.get(node.range[0]);
          if (v !== undefined) node.value = v;
        }
        return;
    }
  };
  visit(ast);
  return true;
}

export function staticValue(node: AST.TOMLNode): unknown {
  return lib().getStaticTOMLValue(node as AST.TOMLProgram);
}
