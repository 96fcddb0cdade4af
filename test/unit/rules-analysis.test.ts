import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeDocument } from '../../server/src/analysis';

const dir = join(__dirname, '../fixtures/rules');
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8');

test('kinds: rule files, .eql files, other TOML', () => {
  assert.equal(analyzeDocument(join(dir, 'valid_eql.toml'), fixture('valid_eql.toml')).kind, 'rule');
  assert.equal(analyzeDocument('/tmp/x.eql', 'process where true').kind, 'eql');
  const other = analyzeDocument('/tmp/pyproject.toml', '[tool.poetry]\nname = "x"\n');
  assert.deepEqual([other.kind, other.diagnostics.length, other.queries.length], ['other', 0, 0]);
});

test('a rule exposes its RuleFile and its query with the rule\'s fields', () => {
  const a = analyzeDocument(join(dir, 'valid_eql.toml'), fixture('valid_eql.toml'));
  assert.equal(a.rule?.rule.name, 'Suspicious Word Child Process');
  assert.equal(a.queries.length, 1);
  assert.equal(a.queries[0].region.key, 'rule.query');
  assert.equal(a.queries[0].fields.get('process.parent.name')?.type, 'keyword');
  assert.ok(a.queries[0].schemaSources.some((s) => s.startsWith('ecs')));
});

test('diagnostics are sorted by document position; severities can be overridden or turned off', () => {
  const p = join(dir, 'invalid_metadata.toml');
  const a = analyzeDocument(p, fixture('invalid_metadata.toml'));
  const starts = a.diagnostics.map((d) => d.span.start);
  assert.deepEqual(starts, [...starts].sort((x, y) => x - y));
  const b = analyzeDocument(p, fixture('invalid_metadata.toml'), { severities: { 'rule/invalid-uuid': 'warning', 'rule/mitre-id': 'off' } });
  assert.equal(b.diagnostics.find((d) => d.code === 'rule/invalid-uuid')?.severity, 'warning');
  assert.equal(b.diagnostics.some((d) => d.code === 'rule/mitre-id'), false);
  assert.equal(b.diagnostics.length, a.diagnostics.length - 1);
});

test('the same document version is analysed once', () => {
  const p = join(dir, 'valid_eql.toml');
  const text = fixture('valid_eql.toml');
  const a = analyzeDocument(p, text);
  assert.equal(analyzeDocument(p, text), a);
  assert.notEqual(analyzeDocument(p, text + '\n'), a);
});

test('non-EQL queries are not parsed as EQL and produce no query noise', () => {
  const text = fixture('valid_eql.toml').replace('language = "eql"', 'language = "kuery"').replace('type = "eql"', 'type = "query"').replace(/query = '''[\s\S]*?'''/, "query = '''\nprocess.name : (\"a\" or \"b\") and not ???\n'''");
  const a = analyzeDocument(join(dir, 'kuery.toml'), text);
  assert.equal(a.queries[0].ast, null);
  assert.deepEqual(a.diagnostics, []);
});

test('garbage documents never throw and keep spans inside the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), fc.nat(2000), (junk, at) => {
      const base = fixture('valid_eql.toml');
      const i = Math.min(at, base.length);
      const text = base.slice(0, i) + junk + base.slice(i);
      const a = analyzeDocument('/tmp/garbage.toml', text);
      for (const d of a.diagnostics) assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, JSON.stringify(d));
    }),
    { numRuns: 300 },
  );
});
