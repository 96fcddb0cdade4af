// The one place the analysis facade meets the EQL front end (server/src/eql/, owned by the
// parser engineer): parse + semantic checks of one query, offsets relative to the query.

import type { Diagnostic } from './core/diagnostic';
import type { Statement } from './eql/ast';

export interface ParsedQuery {
  ast: Statement | null;
  diagnostics: Diagnostic[];
}

type EqlModule = { parseEql(text: string): { ast: Statement; diagnostics: Diagnostic[] }; checkEql?(ast: Statement): Diagnostic[] };
let eql: EqlModule | null | undefined;

/** Parses and checks one EQL query; never throws. */
export function parseEqlQuery(text: string): ParsedQuery {
  if (eql === undefined) {
    // Until the parser lands, load it at run time only if it exists.
    const name = './eql/index';
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      eql = require(name) as EqlModule;
    } catch {
      eql = null;
    }
  }
  if (!eql) return { ast: null, diagnostics: [] };
  try {
    const r = eql.parseEql(text);
    const extra = eql.checkEql ? eql.checkEql(r.ast) : [];
    return { ast: r.ast, diagnostics: [...r.diagnostics, ...extra] };
  } catch (e) {
    return { ast: null, diagnostics: [{ code: 'eql/internal', severity: 'error', message: `EQL parser failed: ${e instanceof Error ? e.message : String(e)}`, span: { start: 0, end: Math.min(1, text.length) } }] };
  }
}
