// The local EQL engine: compile a parsed statement once, stream events through it.
// Plain data in and out; no editor imports.
import { parseEql } from '../eql/index';
import { compileQuery, type CompileResult, type EngineOptions } from './compile';

export { compileQuery, type CompiledQuery, type CompileResult, type EngineOptions } from './compile';
export { runQuery, type RunResult, type RunStats, type RunOptions, type Match, type MatchEvent, type MatchedEvent, type Progress, type EventSource } from './run';
export { readEventFile, eventsOfResponse, type SkippedLine, type Batch } from './reader';
/** Reads a named field (`process.name`) from an event as the engine does: nested, dotted or mixed; null when absent. */
export { namedGetter } from './values';

/** Parses and compiles query text; parse errors come back as diagnostics (query null). */
export function compileEql(text: string, options: EngineOptions = {}): CompileResult {
  const parsed = parseEql(text);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { query: null, diagnostics: parsed.diagnostics };
  const r = compileQuery(parsed.ast, { ...options, text });
  return { ...r, diagnostics: [...parsed.diagnostics, ...r.diagnostics] } as CompileResult;
}
