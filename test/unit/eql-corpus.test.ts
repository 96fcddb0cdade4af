// Every EQL query of the detection-rules corpus (../shared, beside the repo) is valid in
// Elasticsearch, so any error we report on one is our bug. Warnings are allowed only where
// listed below with the reason they are right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as TomlParser from 'toml-eslint-parser' with { 'resolution-mode': 'import' };
import { analyzeEql, tokenizeEql } from '../../server/src/eql/index';
import { loadCorpusQueries, RULES_DIR } from './eql-corpus-queries';

const corpus = loadCorpusQueries();
const skip = corpus ? false : `corpus not found at ${RULES_DIR} (../shared is absent)`;

/** file -> the warning codes it legitimately gets. */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  // `?process.parent.name == "python*"`: == never expands wildcards in Elasticsearch.
  'linux/defense_evasion_interpreter_launched_from_decoded_payload.toml': ['eql/wildcard-equality'],
  // `process.args == "/text:*"`: same, a literal comparison against a pattern-looking string.
  'windows/credential_access_iis_apppoolsa_pwd_appcmd.toml': ['eql/wildcard-equality'],
};

test('all 1,011 corpus EQL queries parse and check without errors', { skip }, () => {
  const queries = corpus!;
  assert.equal(queries.length, 1011);
  const errors: string[] = [];
  const warnings: Record<string, string[]> = {};
  for (const { file, query } of queries) {
    const { ast, diagnostics } = analyzeEql(query);
    assert.equal(ast.kind, 'statement');
    for (const d of diagnostics) {
      if (d.severity === 'error') errors.push(`${file}: ${d.code} ${d.message} at ${JSON.stringify(query.slice(d.span.start, d.span.end + 20))}`);
      else (warnings[file] ??= []).push(d.code);
    }
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, EXPECTED_WARNINGS);
});

test('corpus queries produce the expected kinds of trees', { skip }, () => {
  const kinds: Record<string, number> = {};
  for (const { query } of corpus!) {
    const k = analyzeEql(query).ast.query.kind;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  // sequences and event queries both occur in large numbers; nothing falls back to an error tree
  assert.ok(kinds.event > 500 && kinds.sequence > 100, JSON.stringify(kinds));
  assert.equal(kinds.join ?? 0, 0);
});

test('corpus queries tokenize into ordered, non-overlapping tokens covering every non-space character', { skip }, () => {
  for (const { file, query } of corpus!) {
    const toks = tokenizeEql(query);
    let at = 0;
    let covered = 0;
    for (const t of toks) {
      assert.ok(t.start >= at && t.end > t.start, `${file}: token order at ${t.start}`);
      covered += query.slice(t.start, t.end).replace(/\s/g, '').length;
      at = t.end;
    }
    assert.equal(covered, query.replace(/\s/g, '').length, file);
  }
});

// Elasticsearch's own EQL QA queries (../shared/conformance/es-eql) all run in Elasticsearch.
const CONFORMANCE = resolve(RULES_DIR, '../../../conformance/es-eql');

test("Elasticsearch's QA queries parse and check without errors", { skip: existsSync(CONFORMANCE) ? false : `${CONFORMANCE} is absent` }, () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const toml = require('toml-eslint-parser') as typeof TomlParser;
  let count = 0;
  const findings: string[] = [];
  for (const file of ['test_queries.toml', 'additional_test_queries.toml']) {
    const spec = toml.getStaticTOMLValue(toml.parseTOML(readFileSync(join(CONFORMANCE, file), 'utf8'))) as { queries: { name?: string; query: string }[] };
    for (const q of spec.queries) {
      count++;
      for (const d of analyzeEql(q.query).diagnostics) findings.push(`${q.name}: ${d.severity} ${d.code}`);
    }
  }
  assert.ok(count > 150, `only ${count} queries`);
  // `command_line != "* /add*"` is a literal comparison in Elasticsearch too: the warning is right.
  assert.deepEqual(findings, ['multipleConditions2: warning eql/wildcard-equality']);
});
