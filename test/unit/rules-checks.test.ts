import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseRuleFile, isRuleFile } from '../../server/src/rules/ruleFile';
import { checkRule } from '../../server/src/rules/checks';
import type { Statement } from '../../server/src/eql/ast';
import { FieldSet, layerFromTypes } from '../../server/src/schema/fieldSet';
import type { Diagnostic } from '../../server/src/core/diagnostic';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/rules', name), 'utf8');
const ecs = new FieldSet([layerFromTypes({ '@timestamp': 'date', 'event.ingested': 'date', 'event.category': 'keyword', 'event.type': 'keyword', 'host.id': 'keyword' }, 'test')]);

/** [code, the document text the diagnostic points at] for each diagnostic. */
function found(text: string, statements?: (Statement | null)[]): [string, string][] {
  const rf = parseRuleFile(text);
  return [...rf.diagnostics, ...checkRule(rf, { optionFields: ecs, statements })].map((d) => [d.code, text.slice(d.span.start, d.span.end)]);
}
function diags(text: string): Diagnostic[] {
  const rf = parseRuleFile(text);
  return [...rf.diagnostics, ...checkRule(rf, { optionFields: ecs })];
}

test('a valid rule has no findings', () => {
  assert.deepEqual(found(fixture('valid_eql.toml')), []);
});

test('isRuleFile needs a [rule] table', () => {
  assert.equal(isRuleFile(fixture('valid_eql.toml')), true);
  assert.equal(isRuleFile('[tool.poetry]\nname = "x"\n'), false);
  assert.equal(isRuleFile('query = """\n[rule]x\n"""'), false);
});

test('metadata, enums, severity, uuid, dates, timing, index/data view and MITRE checks point at the offending value', () => {
  const got = found(fixture('invalid_metadata.toml'));
  const expect: [string, string][] = [
    ['rule/invalid-enum', '"stable"'],
    ['rule/invalid-enum', '"solaris"'],
    ['rule/invalid-enum', '"MITRE ATTACK"'],
    ['rule/invalid-enum', '"kuery"'],
    ['rule/severity-risk-mismatch', '"low"'],
    ['rule/invalid-uuid', '"not-a-uuid"'],
    ['rule/date-format', '"2024-02-30"'],
    ['rule/version-format', '"8.14"'],
    ['rule/interval-format', '"5 minutes"'],
    ['rule/from-format', '"9m"'],
    ['rule/max-signals', '0'],
    ['rule/index-and-data-view', 'data_view_id'],
    ['rule/mitre-id', '"TA01"'],
    ['rule/mitre-reference', '"https://attack.mitre.org/techniques/T1059/"'],
    ['rule/mitre-nesting', '"T1059.001"'],
  ];
  for (const e of expect) assert.ok(got.some((g) => g[0] === e[0] && g[1] === e[1]), `expected ${e.join(' at ')}; got ${JSON.stringify(got)}`);
  assert.equal(got.length, expect.length, JSON.stringify(got));
});

test('fixes: severity follows the risk score, MITRE reference, date separators, enum case', () => {
  const text = fixture('invalid_metadata.toml');
  const sev = diags(text).find((d) => d.code === 'rule/severity-risk-mismatch')!;
  assert.equal(sev.severity, 'error');
  assert.equal(sev.fixes![0].edits[0].newText, '"critical"');
  const ref = diags(text).find((d) => d.code === 'rule/mitre-reference')!;
  assert.equal(ref.fixes![0].edits[0].newText, '"https://attack.mitre.org/techniques/T1566/"');
  const dated = diags(text.replace('"2024-02-30"', '"2024-02-28"')).find((d) => d.code === 'rule/date-format')!;
  assert.equal(dated.fixes![0].edits[0].newText, '"2024/02/28"');
  const cased = diags(text.replace('"stable"', '"Production"')).find((d) => d.code === 'rule/invalid-enum')!;
  assert.equal(cased.fixes![0].edits[0].newText, '"production"');
});

test('severity bands: each boundary is accepted, one past it is not', () => {
  const base = fixture('valid_eql.toml');
  const with_ = (sev: string, risk: number) => found(base.replace('severity = "medium"', `severity = "${sev}"`).replace('risk_score = 47', `risk_score = ${risk}`)).filter((f) => f[0] === 'rule/severity-risk-mismatch').length;
  for (const [sev, lo, hi] of [['low', 0, 21], ['medium', 22, 47], ['high', 48, 73], ['critical', 74, 100]] as const) {
    assert.equal(with_(sev, lo), 0);
    assert.equal(with_(sev, hi), 0);
    if (lo > 0) assert.equal(with_(sev, lo - 1), 1);
    if (hi < 100) assert.equal(with_(sev, hi + 1), 1);
  }
  assert.deepEqual(found(base.replace('risk_score = 47', 'risk_score = 101')).map((f) => f[0]), ['rule/invalid-enum']);
});

test('date order: updated before created', () => {
  const got = found(fixture('valid_eql.toml').replace('updated_date = "2024/03/01"', 'updated_date = "2023/12/31"'));
  assert.deepEqual(got, [['rule/date-order', '"2023/12/31"']]);
});

test('missing required keys are reported on the table header', () => {
  const got = found(fixture('missing_keys.toml'));
  const missing = got.filter((g) => g[0] === 'rule/missing-key');
  assert.deepEqual(missing.filter((m) => m[1] === '[metadata]').length, 2);
  // author, description, risk_score, rule_id, severity, and for a query rule: query, language
  assert.deepEqual(missing.filter((m) => m[1] === '[rule]').length, 7, JSON.stringify(got));
  const msgs = diags(fixture('missing_keys.toml')).map((d) => d.message).join('\n');
  for (const k of ['metadata.creation_date', 'metadata.updated_date', 'rule.author', 'rule.rule_id', 'rule.query', 'rule.language']) assert.match(msgs, new RegExp(k.replace('.', '\\.')));
  assert.doesNotMatch(msgs, /rule\.name|rule\.type`/);
});

test('wrong value types for known keys are errors on the value, and other checks skip them', () => {
  const got = found(fixture('wrong_types.toml'));
  const wrong = got.filter((g) => g[0] === 'rule/wrong-type').map((g) => g[1]).sort();
  assert.deepEqual(wrong, ['"100"', '"Elastic"', '"logs-*"', '42', '47.5', '5', '["Wrong", "Types"]'].sort());
  assert.ok(got.some((g) => g[0] === 'rule/date-format' && g[1] === '2024-01-15'), 'a bare TOML date is a format error with a fix');
  assert.equal(got.filter((g) => g[0] === 'rule/severity-risk-mismatch').length, 0);
});

test('broken TOML: one syntax error at its line, and the rest is still analysed', () => {
  const text = fixture('broken_toml.toml');
  const rf = parseRuleFile(text);
  assert.equal(rf.diagnostics.length, 1);
  const d = rf.diagnostics[0];
  assert.equal(d.code, 'toml/syntax');
  assert.equal(text.slice(0, d.span.start).split('\n').length, 10, 'reported on the broken line');
  assert.equal(rf.rule.rule_id, '0c9a14d9-d65d-486f-9b5b-91e4e6b22bd2', 'keys after the broken line are read');
  assert.equal(rf.queries.length, 1);
  assert.equal(rf.queries[0].text, 'process where process.name == "cmd.exe"\n');
  // risk_score sits on the broken line: not reported as missing on top of the syntax error
  assert.equal(rf.entries.has('rule.risk_score'), false);
  assert.deepEqual(checkRule(rf).filter((x) => x.code === 'rule/missing-key'), []);
  // other checks still run on what parsed
  assert.ok(checkRule(parseRuleFile(text.replace('rule_id = "0c9a14d9-d65d-486f-9b5b-91e4e6b22bd2"', 'rule_id = "nope"'))).some((x) => x.code === 'rule/invalid-uuid'));
});

test('unterminated strings and duplicate keys are reported without throwing', () => {
  const unterminated = parseRuleFile("[rule]\nname = \"x\nquery = '''\nprocess where true\n");
  assert.ok(unterminated.diagnostics.length >= 1);
  assert.ok(unterminated.diagnostics.every((d) => d.code === 'toml/syntax' && d.span.end <= "[rule]\nname = \"x\nquery = '''\nprocess where true\n".length));
  const dupe = parseRuleFile('[rule]\nname = "a"\nname = "b"\ntype = "eql"\n');
  assert.equal(dupe.diagnostics.length, 1);
  assert.equal(dupe.rule.type, 'eql');
});

test('EQL options must name known fields; maxspan must fit the look-back', () => {
  const text = fixture('long_maxspan.toml');
  const rf = parseRuleFile(text);
  const q = rf.queries[0];
  const ms = q.text.indexOf('maxspan=30m');
  const stmt = { kind: 'statement', pipes: [], span: { start: 0, end: q.text.length }, query: { kind: 'sequence', by: [], bySpan: null, terms: [], until: null, span: { start: 0, end: q.text.length }, maxspan: { kind: 'maxspan', value: 30, unit: 'm', ms: 30 * 60_000, span: { start: ms + 8, end: ms + 11 } } } } as unknown as Statement;
  const got = found(text, [stmt]);
  assert.deepEqual(got, [
    ['rule/unknown-eql-option-field', '"event.ingestd"'],
    ['rule/maxspan-exceeds-lookback', '30m'],
  ]);
  assert.equal(diags(text).find((d) => d.code === 'rule/unknown-eql-option-field')!.fixes![0].edits[0].newText, '"event.ingested"');
  // 9m look-back (from; the interval does not count, as upstream) + 10m slack: 19m fits, 20m does not
  const withSpan = (min: number) => ({ ...stmt, query: { ...stmt.query, maxspan: { kind: 'maxspan', value: min, unit: 'm', ms: min * 60_000, span: { start: 0, end: 1 } } } }) as Statement;
  const count = (min: number, t = text) => found(t, [withSpan(min)]).filter((g) => g[0] === 'rule/maxspan-exceeds-lookback').length;
  assert.equal(count(19), 0);
  assert.equal(count(20), 1);
  assert.equal(count(16, text.replace('from = "now-9m"\n', '')), 0, 'from defaults to now-6m');
  assert.equal(count(17, text.replace('from = "now-9m"\n', '')), 1);
  // deprecated rules skip query checks
  assert.equal(found(text.replace('maturity = "production"', 'maturity = "deprecated"'), [stmt]).length, 0);
});

test('huge values and garbage never throw', () => {
  const huge = fixture('valid_eql.toml').replace('risk_score = 47', 'risk_score = 99999999999999999999999').replace("'''\nsequence", `'''\n${'a'.repeat(200_000)}\nsequence`);
  const got = found(huge);
  assert.ok(got.some((g) => g[0] === 'rule/invalid-enum' || g[0] === 'toml/syntax'));
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.nat(400), (junk, at) => {
      const base = fixture('invalid_metadata.toml');
      const i = Math.min(at * 3, base.length);
      const text = base.slice(0, i) + junk + base.slice(i);
      const rf = parseRuleFile(text);
      for (const d of [...rf.diagnostics, ...checkRule(rf, { optionFields: ecs })]) assert.ok(d.span.start >= 0 && d.span.end <= text.length && d.span.start <= d.span.end);
    }),
    { numRuns: 300 },
  );
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (s) => void checkRule(parseRuleFile('[rule]\n' + s))), { numRuns: 300 });
});

test('an unterminated multi-line string is reported where it opens; what precedes it is still read', () => {
  const text = "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"x\"\nquery = '''\nprocess where true\n" + 'and false\n'.repeat(20) + '[more]\nkey = 1\n';
  const rf = parseRuleFile(text);
  assert.equal(rf.diagnostics.length, 1);
  assert.equal(text.slice(rf.diagnostics[0].span.start, rf.diagnostics[0].span.end), "'''");
  assert.equal(rf.entries.get('rule.name')?.value, 'x');
  assert.equal(rf.entries.get('metadata.maturity')?.value, 'production');
  assert.equal(rf.queries.length, 0);
  // a `'''` inside a closed basic string or a comment is not an opener
  const fine = parseRuleFile("[rule]\n# don't '''\nname = \"a ''' b\"\nquery = '''\nx\n'''\n");
  assert.deepEqual(fine.diagnostics, []);
});
