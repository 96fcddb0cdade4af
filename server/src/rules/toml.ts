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
