// The one place the analysis facade meets the EQL front end (server/src/eql/, owned by the
// parser engineer): parse + static checks of one query, offsets relative to the query.

import type { Diagnostic } from './core/diagnostic';
import type { Statement } from './eql/ast';
import { analyzeEql } from './eql';

export interface ParsedQuery {
  ast: Statement | null;
  diagnostics: Diagnostic[];
}

/** Parses and checks one EQL query; never throws. */
export function parseEqlQuery(text: string): ParsedQuery {
  try {
    return analyzeEql(text);
  } catch (e) {
    return { ast: null, diagnostics: [{ code: 'eql/internal', severity: 'error', message: `EQL parser failed: ${e instanceof Error ? e.message : String(e)}`, span: { start: 0, end: Math.min(1, text.length) } }] };
  }
}
