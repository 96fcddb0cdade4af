// Shared by the engine tests: compile query text and run it over in-memory events.
import { compileEql, runQuery, type EngineOptions, type RunOptions, type RunResult } from '../../server/src/engine/index';

export function compile(text: string, options: EngineOptions = {}) {
  const c = compileEql(text, options);
  if (!c.query) throw new Error(`query did not compile: ${c.diagnostics.map((d) => d.message).join('; ')}`);
  return c.query;
}

export function run(text: string, events: unknown[] | string[], options: EngineOptions & RunOptions = {}): Promise<RunResult> {
  return runQuery(compile(text, options), events, options);
}

/** The `id` of each matched event, per match (-1 for a missing slot). */
export async function ids(text: string, events: unknown[] | string[], options: EngineOptions & RunOptions = {}): Promise<unknown[][]> {
  const r = await run(text, events, options);
  return r.matches.map((m) => m.events.map((e) => ('missing' in e ? -1 : e.source.id)));
}

/** Events with ids 1..n, one second apart, in the `process` category unless given. */
export function ev(id: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, '@timestamp': id * 1000, event: { category: 'process' }, ...fields };
}
