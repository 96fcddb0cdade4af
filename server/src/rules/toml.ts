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

export function staticValue(node: AST.TOMLNode): unknown {
  return lib().getStaticTOMLValue(node as AST.TOMLProgram);
}
