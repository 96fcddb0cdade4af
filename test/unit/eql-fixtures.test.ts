// Data-driven parser/checker tests: test/fixtures/eql/valid/*.eql beside *.ast.json (expected
// tree, no errors allowed) and test/fixtures/eql/invalid/*.eql beside *.diagnostics.json
// (expected diagnostics: code, severity, span, message, fixes). Adding a case = adding two files.
// `UPDATE_EXPECT=1 node scripts/test.mjs eql-fixtures` rewrites the expectations for review.
// One trailing newline of an .eql file is not part of the query (editors add it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEql } from '../../server/src/eql/index';

const root = join(__dirname, '../fixtures/eql');
const update = process.env.UPDATE_EXPECT === '1';

function query(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

function cases(kind: 'valid' | 'invalid'): string[] {
  return readdirSync(join(root, kind))
    .filter((f) => f.endsWith('.eql'))
    .map((f) => f.slice(0, -4))
    .sort();
}

function expect(path: string, actual: unknown): void {
  if (update) {
    writeFileSync(path, JSON.stringify(actual, null, 2) + '\n');
    return;
  }
  assert.ok(existsSync(path), `missing ${path}; run UPDATE_EXPECT=1 node scripts/test.mjs eql-fixtures and review it`);
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
}

test('the fixture suites are broad enough', () => {
  assert.ok(cases('valid').length >= 15);
  assert.ok(cases('invalid').length >= 60);
});

for (const name of cases('valid')) {
  test(`valid/${name}`, () => {
    const text = query(join(root, 'valid', name + '.eql'));
    const { ast, diagnostics } = analyzeEql(text);
    assert.deepEqual(diagnostics, [], 'a valid query has no diagnostics');
    expect(join(root, 'valid', name + '.ast.json'), JSON.parse(JSON.stringify(ast)));
  });
}

for (const name of cases('invalid')) {
  test(`invalid/${name}`, () => {
    const text = query(join(root, 'invalid', name + '.eql'));
    const { diagnostics } = analyzeEql(text);
    assert.ok(diagnostics.length > 0, 'an invalid query has diagnostics');
    for (const d of diagnostics) assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, `span in range: ${JSON.stringify(d)}`);
    const actual = diagnostics.map((d) => ({ code: d.code, severity: d.severity, span: d.span, text: text.slice(d.span.start, d.span.end), message: d.message, ...(d.fixes ? { fixes: d.fixes } : {}) }));
    expect(join(root, 'invalid', name + '.diagnostics.json'), actual);
  });
}
