// Elasticsearch's own EQL QA specs, run as Elasticsearch runs them: FILETIME `timestamp`
// becomes `@timestamp` in epoch millis, `event_type` is the category field,
// `serial_event_id` the tiebreaker; results compare by tiebreaker ids in order (sequences
// flattened, -1 for a missing slot; a list of lists means any one is right). Commented-out
// entries are not part of the suite. The data lives in ../shared (never copied here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseToml, staticValue } from '../../server/src/rules/toml';
import { parseEql } from '../../server/src/eql/index';
import { compileQuery, runQuery } from '../../server/src/engine/index';

const DIR = join(__dirname, '..', '..', '..', 'shared', 'conformance', 'es-eql');
const SPECS = ['test_queries.toml', 'additional_test_queries.toml'];

/** Spec entries expected to fail, each with the reason. The test fails if one starts passing. */
const KNOWN_FAILURES: Record<string, string> = {};

interface Spec {
  name: string;
  query: string;
  expected_event_ids: number[] | number[][];
  file: string;
}

function loadSpecs(): Spec[] {
  const out: Spec[] = [];
  for (const f of SPECS) {
    // TOML comments drop the commented-out entries for us.
    const doc = staticValue(parseToml(readFileSync(join(DIR, f), 'utf8')).ast!) as { queries: Omit<Spec, 'file'>[] };
    for (const q of doc.queries) out.push({ ...q, file: f });
  }
  return out;
}

function loadEvents(): Record<string, unknown>[] {
  const raw = JSON.parse(readFileSync(join(DIR, 'test_data.json'), 'utf8')) as Record<string, unknown>[];
  return raw.map((e) => ({ ...e, '@timestamp': (Number(e.timestamp) - 116444736000000000) / 10000 }));
}

async function run(spec: Spec, events: Record<string, unknown>[]): Promise<number[] | string> {
  const parsed = parseEql(spec.query);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return `parse: ${errors.map((d) => d.message).join('; ')}`;
  const c = compileQuery(parsed.ast, { eventCategoryField: 'event_type', timestampField: '@timestamp', tiebreakerField: 'serial_event_id', text: spec.query });
  if (!c.query) return `compile: ${c.diagnostics.map((d) => d.message).join('; ')}`;
  const r = await runQuery(c.query, events, { size: 100000 });
  return r.matches.flatMap((m) => m.events.map((e) => ('missing' in e ? -1 : (e.source.serial_event_id as number))));
}

function agrees(actual: number[], expected: number[] | number[][]): boolean {
  const options = expected.length > 0 && Array.isArray(expected[0]) ? (expected as number[][]) : [expected as number[]];
  return options.some((o) => o.length === actual.length && o.every((v, i) => v === actual[i]));
}

test('Elasticsearch EQL conformance specs', async (t) => {
  if (!existsSync(join(DIR, 'test_data.json'))) {
    t.skip(`conformance data not found at ${DIR}`);
    return;
  }
  const specs = loadSpecs();
  const events = loadEvents();
  let passed = 0;
  const unexpected: string[] = [];
  const fixed: string[] = [];
  for (const spec of specs) {
    const got = await run(spec, events);
    const ok = typeof got !== 'string' && agrees(got, spec.expected_event_ids);
    if (ok) passed++;
    const known = spec.name in KNOWN_FAILURES;
    if (!ok && !known) unexpected.push(`${spec.file} ${spec.name}: ${spec.query.trim().replace(/\s+/g, ' ')}\n    expected ${JSON.stringify(spec.expected_event_ids)}\n    got      ${JSON.stringify(got)}`);
    if (ok && known) fixed.push(spec.name);
  }
  t.diagnostic(`conformance: ${passed}/${specs.length} active queries pass (${Object.keys(KNOWN_FAILURES).length} known failures)`);
  assert.ok(specs.length > 150, `expected the full suite, found ${specs.length} entries`);
  assert.deepEqual(fixed, [], 'known failures that now pass: remove them from KNOWN_FAILURES');
  assert.deepEqual(unexpected, [], `unexpected failures:\n${unexpected.join('\n')}`);
});
