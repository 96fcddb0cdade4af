// The one place the analysis facade meets the EQL front end (server/src/eql/, owned by the
// parser engineer): parse + static checks of one query, offsets relative to the query.

import type { Diagnostic } from './core/diagnostic';
import type { Statement } from './eql/ast';
import { analyzeEql } from './eql';

export interface ParsedQuery {
  ast: Statement | null;
  diagnostics: Diagnostic[];
}

// Recent results by query text: an edit elsewhere in a rule file (its note, its metadata) must
// not re-parse a 47 KB query. Trees are shared between analyses, so nobody may mutate them.
const recent = new Map<string, ParsedQuery>();
const RECENT_MAX = 64;

/** Parses and checks one EQL query; never throws. */
export function parseEqlQuery(text: string): ParsedQuery {
  const hit = recent.get(text);
  if (hit) {
    recent.delete(text);
    recent.set(text, hit);
    return hit;
  }
  const r = parse(text);
  recent.set(text, r);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
  return r;
}

function parse(text: string): ParsedQuery {
  try {
    return analyzeEql(text);
  } catch (e) {
    return { ast: null, diagnostics: [{ code: 'eql/internal', severity: 'error', message: `EQL parser failed: ${e instanceof Error ? e.message : String(e)}`, span: { start: 0, end: Math.min(1, text.length) } }] };
  }
}
