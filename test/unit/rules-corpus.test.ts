// Every production rule of elastic/detection-rules passes the upstream validator, so any error
// we report on one is our bug. Warnings are allowed only when listed below with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeDocument, type AnalyzeOptions } from '../../server/src/analysis';

const corpus = join(__dirname, '../../../shared/corpus/detection-rules/rules');
const skip = existsSync(corpus) ? false : `corpus not found at ${corpus} (../shared is absent)`;

/**
 * Warnings we still emit on non-deprecated corpus rules, each with why it is right:
 * key = `relative/path.toml code subject` where subject is the text the warning points at.
 */
const EXPECTED_WARNINGS: Record<string, string> = {};

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.toml') ? [join(d, e.name)] : []));
}

function runCorpus(options: AnalyzeOptions) {
  const errors: string[] = [];
  const warnings: string[] = [];
  let eqlQueries = 0;
  let parsed = 0;
  for (const f of walk(corpus)) {
    const text = readFileSync(f, 'utf8');
    const a = analyzeDocument(f, text, options);
    assert.equal(a.kind, 'rule', f);
    if (a.rule!.metadata.maturity === 'deprecated') continue;
    for (const q of a.queries) {
      if (q.region.language !== 'eql') continue;
      eqlQueries++;
      if (q.ast) parsed++;
    }
    for (const d of a.diagnostics) {
      const line = `${relative(corpus, f)} ${d.code} ${text.slice(d.span.start, d.span.end)}`;
      if (d.severity === 'error') errors.push(`${line}: ${d.message}`);
      else if (d.severity === 'warning') warnings.push(line);
    }
  }
  return { errors, warnings, eqlQueries, parsed };
}

test('corpus with its own schemas: no errors; only the expected warnings', { skip }, (t) => {
  const r = runCorpus({});
  t.diagnostic(`${r.eqlQueries} EQL queries on non-deprecated rules, ${r.parsed} parsed`);
  assert.deepEqual(r.errors, []);
  for (const w of r.warnings) t.diagnostic(`warning: ${w} -- ${EXPECTED_WARNINGS[w] ?? 'NOT EXPLAINED'}`);
  assert.deepEqual(r.warnings.filter((w) => !(w in EXPECTED_WARNINGS)), []);
});

test('corpus with ECS only (no checkout schemas): no errors', { skip }, (t) => {
  const r = runCorpus({ schemaDir: false });
  assert.deepEqual(r.errors, []);
  t.diagnostic(`${r.warnings.length} warnings with ECS only (unknown non-ECS fields are expected without the checkout's schemas)`);
});
