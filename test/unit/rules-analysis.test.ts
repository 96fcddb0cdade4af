import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

test('EQL diagnostics land on the document text, fixes included, for every string style', () => {
  const base = fixture('valid_eql.toml');
  const styles: [string, string][] = [
    ["'''", "'''\nprocess where process.nmae == \"cmd.exe\"\n'''"],
    ['"""', '"""\nprocess where \\\n  process.nmae == \\"cmd.exe\\"\n"""'],
    ['"', '"process where process.nmae == \\"cmd.exe\\""'],
    ["'", "'process where process.nmae == \"cmd.exe\"'"],
  ];
  for (const [name, q] of styles) {
    const text = base.replace(/query = '''[\s\S]*?'''/, `query = ${q}`);
    const a = analyzeDocument(join(dir, `style-${name.length}${name[0] === '"' ? 'b' : 'l'}.toml`), text);
    const d = a.diagnostics.find((x) => x.code === 'eql/unknown-field');
    assert.ok(d, `${name}: ${JSON.stringify(a.diagnostics)}`);
    assert.equal(text.slice(d.span.start, d.span.end), 'process.nmae', name);
    const edit = d.fixes![0].edits[0];
    assert.equal(text.slice(edit.span.start, edit.span.end), 'process.nmae');
    assert.equal(edit.newText, 'process.name');
  }
});

test('a CRLF rule file maps EQL diagnostics exactly', () => {
  const text = fixture('valid_eql.toml').replace(/\n/g, '\r\n').replace('destination.port == 443', 'destination.port == "443"');
  const a = analyzeDocument(join(dir, 'crlf.toml'), text);
  const d = a.diagnostics.find((x) => x.code === 'eql/type-mismatch')!;
  assert.equal(text.slice(d.span.start, d.span.end), '"443"');
});

test('EQL syntax errors are reported in the document; deprecated rules skip query checks', () => {
  const text = fixture('valid_eql.toml').replace('[network where destination.port == 443]', '[network where destination.port = 443]');
  const a = analyzeDocument(join(dir, 'syntax.toml'), text);
  const syntax = a.diagnostics.filter((d) => d.severity === 'error' && d.code.startsWith('eql/'));
  assert.ok(syntax.length >= 1);
  assert.ok(text.slice(syntax[0].span.start, syntax[0].span.end + 3).includes('='), JSON.stringify(syntax[0]));
  assert.ok(a.queries[0].ast, 'a tree even for broken input');
  const dep = analyzeDocument(join(dir, 'dep.toml'), text.replace('maturity = "production"', 'maturity = "deprecated"'));
  assert.deepEqual(dep.diagnostics.filter((d) => d.code.startsWith('eql/')), []);
});

test('.eql files: diagnostics in file offsets', () => {
  const text = 'process where process.pid == "4" and process.nmae : "x"\n';
  const a = analyzeDocument('/tmp/q.eql', text);
  assert.deepEqual(a.diagnostics.map((d) => [d.code, text.slice(d.span.start, d.span.end)]), [
    ['eql/type-mismatch', '"4"'],
    ['eql/unknown-field', 'process.nmae'],
  ]);
});

test('the rule\'s index picks its fields: non-ECS fields of a checkout resolve through analyzeDocument', () => {
  const text = fixture('valid_eql.toml').replace('process.parent.name : "winword.exe"', 'process.Ext.api.name : "VirtualAlloc"');
  const ecsOnly = analyzeDocument(join(dir, 'ext.toml'), text, { schemaDir: false });
  assert.equal(ecsOnly.diagnostics.filter((d) => d.code === 'eql/unknown-field').length, 1);
  // A checkout whose non-ECS schema knows the field for this index pattern (ECS falls back to built-in).
  const root = mkdtempSync(join(tmpdir(), 'eql-rules-ws-'));
  mkdirSync(join(root, 'detection_rules', 'etc'), { recursive: true });
  mkdirSync(join(root, 'rules'));
  writeFileSync(join(root, 'detection_rules', 'etc', 'non-ecs-schema.json'), JSON.stringify({ 'logs-endpoint.events.process-*': { 'process.Ext.api.name': 'keyword' } }));
  const ws = analyzeDocument(join(root, 'rules', 'ext.toml'), text);
  assert.deepEqual(ws.diagnostics, []);
  assert.ok(ws.queries[0].schemaSources.includes('non-ecs-schema.json: logs-endpoint.events.process-*'));
});

test('an edit outside the query reuses its EQL tree; an edit inside re-parses it', () => {
  const p = join(dir, 'reuse.toml');
  const text = fixture('valid_eql.toml');
  const a = analyzeDocument(p, text);
  const outside = analyzeDocument(p, text.replace('name = "Suspicious Word Child Process"', 'name = "Renamed"'));
  assert.equal(outside.queries[0].ast, a.queries[0].ast);
  const inside = analyzeDocument(p, text.replace('destination.port == 443', 'destination.port == 8443'));
  assert.notEqual(inside.queries[0].ast, a.queries[0].ast);
});
