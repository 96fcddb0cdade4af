import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Expr, FieldExpr, LiteralExpr, Statement, Span, CompareOp, MatchOp } from '../../server/src/eql/ast';
import { FieldSet, layerFromTypes, editDistance } from '../../server/src/schema/fieldSet';
import { builtinEcs } from '../../server/src/schema/ecs';
import { checkFields, datasetHints } from '../../server/src/schema/checkFields';
import { chooseFields } from '../../server/src/schema/provider';

// --- tiny AST builders: spans are made unique so each diagnostic can be traced to its node ---
let pos = 0;
const sp = (len = 1): Span => ({ start: pos, end: (pos += len + 1) - 1 });
const field = (name: string, optional = false): FieldExpr => ({ kind: 'field', name, path: name.split('.'), optional, span: sp(name.length) });
const lit = (value: string | number | boolean | null): LiteralExpr => ({ kind: 'literal', type: value === null ? 'null' : (typeof value as 'string'), value, quote: typeof value === 'string' ? 'double' : undefined, span: sp() });
const cmp = (left: Expr, op: CompareOp, right: Expr): Expr => ({ kind: 'compare', op, left, right, opSpan: sp(), span: sp() });
const match = (value: Expr, op: MatchOp, patterns: Expr[], ci = false): Expr => ({ kind: 'match', op, caseInsensitive: ci, value, patterns, opSpan: sp(), span: sp() });
const inList = (value: Expr, list: Expr[], ci = false): Expr => ({ kind: 'in', negated: false, caseInsensitive: ci, value, list, opSpan: sp(), span: sp() });
const call = (name: string, ...args: Expr[]): Expr => ({ kind: 'call', name, nameSpan: sp(), caseInsensitive: false, args, span: sp() });
const and = (...operands: Expr[]): Expr => ({ kind: 'and', operands, span: sp() });
const query = (category: string | null, condition: Expr): Statement => ({
  kind: 'statement',
  pipes: [],
  span: sp(),
  query: { kind: 'event', span: sp(), filter: { kind: 'filter', span: sp(), condition, category: { kind: 'category', name: category, quoted: false, span: sp(category?.length ?? 3) } } },
});

const ecs = new FieldSet([builtinEcs().layer]);
const codes = (st: Statement, fields = ecs, opts = {}) => checkFields(st, fields, opts).map((d) => [d.code, d.severity]);

test('FieldSet: layered lookup, every definition, iteration once per name, suggestions', () => {
  const a = layerFromTypes({ 'x.a': 'keyword', 'x.b': 'long' }, 'A');
  const b = layerFromTypes({ 'x.b': 'keyword', 'y.c': 'ip', labels: 'object' }, 'B');
  const fs = new FieldSet([a, b]);
  assert.equal(fs.get('x.b')?.source, 'A');
  assert.deepEqual(fs.getAll('x.b').map((f) => f.type), ['long', 'keyword']);
  assert.deepEqual([...fs].map((f) => f.name).sort(), ['labels', 'x.a', 'x.b', 'y.c']);
  assert.equal(fs.coveredByObject('labels.team')?.name, 'labels');
  assert.equal(fs.coveredByObject('x.a.z'), undefined);
  assert.deepEqual(fs.suggest('x.c'), ['x.a', 'x.b', 'y.c']);
  assert.deepEqual(fs.suggest('x.bb'), ['x.a', 'x.b'].filter((n) => n === 'x.b'));
  assert.equal(editDistance('process.name', 'proces.name', 2), 1);
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3);
});

test('built-in ECS from @elastic/ecs: types, descriptions, allowed values, multi-fields', () => {
  const { layer, version } = builtinEcs();
  assert.match(version, /^\d+\.\d+/);
  assert.equal(layer.get('process.pid')?.type, 'long');
  assert.ok(layer.get('process.name')?.description);
  assert.ok(layer.get('event.category')?.allowedValues?.some((v) => v.name === 'process'));
  assert.equal(layer.get('process.command_line.text')?.type, 'match_only_text');
});

test('unknown field: warning with did-you-mean fixes; never for ?field or object subfields', () => {
  const st = query('process', and(cmp(field('process.nmae'), '==', lit('cmd.exe')), cmp(field('process.whatever', true), '==', lit('x')), cmp(field('labels.team'), '==', lit('a'))));
  const d = checkFields(st, ecs);
  assert.equal(d.length, 1);
  assert.equal(d[0].code, 'eql/unknown-field');
  assert.equal(d[0].severity, 'warning');
  assert.match(d[0].message, /did you mean `process.name`/);
  assert.equal(d[0].fixes![0].edits[0].newText, 'process.name');
  assert.deepEqual(codes(query('process', cmp(field('process.name'), '==', lit('a')))), []);
});

test('text fields are errors', () => {
  assert.deepEqual(codes(query('process', match(field('process.command_line.text'), ':', [lit('*x*')]))), [['eql/text-field', 'error']]);
  assert.deepEqual(codes(query('process', match(field('process.command_line'), ':', [lit('*x*')]))), []);
});

test('type mismatches: literals vs field types, wildcards on non-strings, function arguments', () => {
  assert.deepEqual(codes(query('process', cmp(field('process.pid'), '==', lit('4')))), [['eql/type-mismatch', 'error']]);
  assert.deepEqual(codes(query('process', cmp(field('process.pid'), '==', lit(4)))), []);
  assert.deepEqual(codes(query('process', cmp(field('process.name'), '==', lit(4)))), [['eql/type-mismatch', 'error']]);
  assert.deepEqual(codes(query('process', cmp(field('process.name'), '!=', lit(null)))), []);
  assert.deepEqual(codes(query('file', cmp(field('file.size'), '>', lit(true)))), [['eql/type-mismatch', 'error']]);
  assert.deepEqual(codes(query('network', cmp(field('source.ip'), '==', lit('10.0.0.1')))), []);
  assert.deepEqual(codes(query('process', inList(field('process.pid'), [lit(1), lit('2')]))), [['eql/type-mismatch', 'error']]);
  assert.deepEqual(codes(query('process', match(field('process.pid'), 'like', [lit('12*')]))), [['eql/type-mismatch', 'error']]);
  assert.deepEqual(codes(query('process', match(field('process.pid'), ':', [lit(4)]))), []);
  assert.deepEqual(codes(query('network', call('cidrMatch', field('destination.ip'), lit('10.0.0.0/8')))), []);
  assert.deepEqual(codes(query('network', call('cidrMatch', field('destination.domain'), lit('10.0.0.0/8')))), [['eql/type-mismatch', 'error']]);
  assert.deepEqual(codes(query('process', call('length', field('process.pid')))), [['eql/type-mismatch', 'error']]);
  assert.deepEqual(codes(query('process', cmp(call('length', field('process.name')), '>', lit('5')))), [['eql/type-mismatch', 'error']]);
  // a field both long and keyword in different schemas accepts both
  const mixed = new FieldSet([layerFromTypes({ 'x.y': 'long' }, 'A'), layerFromTypes({ 'x.y': 'keyword' }, 'B')]);
  assert.deepEqual(codes(query('process', cmp(field('x.y'), '==', lit('a'))), mixed), []);
});

test('ECS allowed values of event.category/type/kind/outcome and unknown categories are warnings', () => {
  assert.deepEqual(codes(query('process', cmp(field('event.type'), '==', lit('begin')))), [['eql/disallowed-value', 'warning']]);
  assert.deepEqual(codes(query('process', cmp(field('event.type'), '==', lit('start')))), []);
  assert.deepEqual(codes(query('process', match(field('event.category'), ':', [lit('PROC*')]))), []);
  assert.deepEqual(codes(query('process', inList(field('event.outcome'), [lit('success'), lit('fail')]))), [['eql/disallowed-value', 'warning']]);
  assert.deepEqual(codes(query('proccess', cmp(field('process.name'), '==', lit('a')))), [['eql/unknown-category', 'warning']]);
  assert.deepEqual(codes(query(null, cmp(field('process.name'), '==', lit('a')))), []);
  assert.deepEqual(codes(query('proccess', cmp(field('process.name'), '==', lit('a'))), ecs, { categoryOverridden: true }), []);
});

test('severities are configurable per code, `off` drops a check', () => {
  const st = query('process', and(cmp(field('process.nmae'), '==', lit('a')), cmp(field('process.pid'), '==', lit('4'))));
  assert.deepEqual(codes(st, ecs, { severities: { 'eql/unknown-field': 'error', 'eql/type-mismatch': 'off' } }), [['eql/unknown-field', 'error']]);
});

test('dataset hints come from event.module / event.dataset comparisons', () => {
  const st = query('process', and(cmp(field('event.dataset'), '==', lit('aws.cloudtrail')), inList(field('event.module'), [lit('system'), lit('auditd')]), match(field('event.dataset'), ':', [lit('okta.*')])));
  assert.deepEqual(datasetHints(st), { modules: ['auditd', 'system'], datasets: ['aws.cloudtrail'] });
});

/** A minimal detection-rules checkout, written to a temp folder. */
function makeCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), 'eql-rules-checkout-'));
  const etc = join(root, 'detection_rules', 'etc');
  const gz = (p: string, v: unknown) => writeFileSync(p, gzipSync(JSON.stringify(v)));
  mkdirSync(join(etc, 'ecs_schemas', '8.0.0'), { recursive: true });
  mkdirSync(join(etc, 'ecs_schemas', '9.0.0'), { recursive: true });
  gz(join(etc, 'ecs_schemas', '8.0.0', 'ecs_flat.json.gz'), { 'process.name': { type: 'keyword', description: 'old' } });
  gz(join(etc, 'ecs_schemas', '9.0.0', 'ecs_flat.json.gz'), { 'process.name': { type: 'keyword', description: 'new' }, 'process.new_field': { type: 'keyword' } });
  writeFileSync(join(etc, 'stack-schema-map.yaml'), '"8.0.0":\n  beats: "8.0.1"\n  ecs: "8.0.0"\n  endgame: "8.4.0"\n"9.0.0":\n  beats: "8.0.1"\n  ecs: "9.0.0"\n  endgame: "8.4.0"\n');
  writeFileSync(join(etc, 'non-ecs-schema.json'), JSON.stringify({ 'logs-custom-*': { custom: { nested: { field: 'long' } } } }));
  mkdirSync(join(etc, 'endgame_schemas', '8.4.0'), { recursive: true });
  gz(join(etc, 'endgame_schemas', '8.4.0', 'endgame_ecs_mapping.json.gz'), { 'endgame.pid': 'long' });
  mkdirSync(join(etc, 'beats_schemas'), { recursive: true });
  gz(join(etc, 'beats_schemas', 'v8.0.1.json.gz'), {
    winlogbeat: {
      folders: {
        _meta: { files: { 'fields.common.yml': [{ name: 'winlog', type: 'group', fields: [{ name: 'channel' }, { name: 'record_id', type: 'long' }] }] } },
        module: { folders: { sysmon: { folders: { dns: { folders: { _meta: { files: { 'fields.yml': [{ name: 'dns', type: 'group', fields: [{ name: 'status' }] }] } } } } } } } },
      },
    },
  });
  gz(join(etc, 'integration-schemas.json.gz'), { okta: { '1.0.0': { system: { 'okta.actor.id': 'keyword' } }, '2.0.0': { system: { 'okta.target': 'flattened' } } } });
  mkdirSync(join(root, 'rules', 'windows'), { recursive: true });
  writeFileSync(join(root, 'broken.json'), '{ nope');
  return root;
}

test('workspace schemas: found from the document path, chosen per rule like upstream', () => {
  const root = makeCheckout();
  const doc = join(root, 'rules', 'windows', 'x.toml');
  const latest = chooseFields(doc, {});
  assert.equal(latest.fields.get('process.name')?.description, 'new', 'no min_stack_version: newest stack entry');
  const old = chooseFields(doc, { minStackVersion: '8.5.0' });
  assert.equal(old.fields.get('process.name')?.description, 'old', 'min_stack_version picks the ECS of its stack entry');
  assert.equal(old.fields.has('process.new_field'), false);
  const custom = chooseFields(doc, { indexes: ['logs-custom-*'] });
  assert.equal(custom.fields.get('custom.nested.field')?.type, 'long');
  assert.equal(chooseFields(doc, { indexes: ['logs-other-*'] }).fields.has('custom.nested.field'), false, 'non-ecs fields are per index pattern');
  const beats = chooseFields(doc, { indexes: ['winlogbeat-*'], modules: ['sysmon'] });
  assert.equal(beats.fields.get('winlog.record_id')?.type, 'long');
  assert.equal(beats.fields.get('winlog.channel')?.type, 'keyword');
  assert.equal(beats.fields.has('sysmon.dns.status'), true);
  assert.equal(chooseFields(doc, { indexes: ['endgame-*'] }).fields.get('endgame.pid')?.type, 'long');
  const okta = chooseFields(doc, { integrations: ['okta'] });
  assert.equal(okta.fields.has('okta.actor.id'), true, 'integration fields: union over package versions');
  assert.equal(okta.fields.coveredByObject('okta.target.x')?.name, 'okta.target');
  assert.equal(chooseFields(doc, { datasets: ['okta.system'] }).fields.has('okta.actor.id'), true, 'integration chosen by event.dataset');
  assert.equal(chooseFields(doc, {}, { schemaDir: false }).fields.get('process.pid')?.type, 'long', 'ECS-only falls back to the built-in ECS');
});

test('extra schema files apply per index pattern; a broken schema file degrades with one message', () => {
  const root = makeCheckout();
  const extra = join(root, 'extra.json');
  writeFileSync(extra, JSON.stringify({ 'my-index-*': { 'my.field': 'keyword' } }));
  const doc = join(root, 'rules', 'x.toml');
  assert.equal(chooseFields(doc, { indexes: ['my-index-*'] }, { extraSchemas: [extra] }).fields.has('my.field'), true);
  assert.equal(chooseFields(doc, { indexes: ['other-*'] }, { extraSchemas: [extra] }).fields.has('my.field'), false);
  assert.equal(chooseFields(join(root, 'q.eql'), {}, { extraSchemas: [extra] }).fields.has('my.field'), true, 'queries without an index see every pattern');
  const broken = chooseFields(doc, {}, { extraSchemas: [join(root, 'broken.json')] });
  assert.equal(broken.problems.length, 1);
  assert.match(broken.problems[0], /broken\.json/);
  assert.equal(broken.fields.has('process.name'), true, 'everything else keeps working');
  // Schema files are read once per process, so break one in a fresh checkout.
  const other = makeCheckout();
  writeFileSync(join(other, 'detection_rules', 'etc', 'non-ecs-schema.json'), '{ broken');
  const bad = chooseFields(join(other, 'rules', 'y.toml'), { indexes: ['logs-custom-*'] });
  assert.deepEqual(bad.problems.filter((p) => p.includes('non-ecs-schema.json')).length, 1);
  assert.equal(bad.fields.get('process.name')?.description, 'new');
});

test('wildcard definitions (`a.*.b`, `a.extra.*` objects) make matching names known', () => {
  const fs = new FieldSet([layerFromTypes({ 'azure.res.*.display_name': 'keyword', 'k8s.user.extra.*': 'object', 'x.*.n': 'long' }, 'int')]);
  assert.deepEqual(fs.matchWildcard('azure.res.0.display_name').map((f) => f.type), ['keyword']);
  assert.equal(fs.matchWildcard('k8s.user.extra.authentication.kubernetes.io/pod-name').length, 1);
  assert.equal(fs.matchWildcard('azure.res.display_name').length, 0, '`*` needs at least one character');
  assert.deepEqual(codes(query('process', cmp(field('azure.res.0.display_name'), '==', lit('a'))), fs), []);
  assert.deepEqual(codes(query('process', cmp(field('x.1.n'), '==', lit('a'))), fs), [['eql/type-mismatch', 'error']], 'the wildcard definition\'s type is used');
});

test('trees with holes (from broken input) are checked without throwing', () => {
  const broken = { kind: 'compare', op: '==', left: undefined, right: lit(1), opSpan: sp(), span: sp() } as unknown as Expr;
  const st = query('process', and(broken, cmp(field('process.nmae'), '==', lit('a'))));
  assert.deepEqual(codes(st), [['eql/unknown-field', 'warning']]);
  assert.deepEqual(datasetHints(st), { modules: [], datasets: [] });
});
