// The server's pure helpers, tested without a connection: globs, settings, the results text,
// operator lookup and reference links.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { analyzeDocument } from '../../server/src/analysis';
import { findByGlobs } from '../../server/src/features/files';
import { ecsUrl } from '../../server/src/features/hover';
import { KEYWORD_DOCS, operatorAt } from '../../server/src/features/keywordDocs';
import { renderResults, summary, type RunOutcome } from '../../server/src/features/results';
import { mitreUrl, ruleKeyDoc } from '../../server/src/features/ruleKeyDocs';
import { analyzeOptions, readSettings } from '../../server/src/features/settings';
import { WorkspaceIndex } from '../../server/src/features/workspaceIndex';

test('sample globs: ** spans folders (or none), * stays in one name, {a,b}; hidden and tool folders skipped', () => {
  const root = mkdtempSync(join(tmpdir(), 'globs-'));
  const files = ['samples/a.ndjson', 'samples/x/y/z.jsonl', 'samples/a.ndjson.gz', 'other/samples/a.json', 'a.events.ndjson', 'deep/er/b.events.ndjson', 'c.events.ndjsonx', 'node_modules/m.events.ndjson', '.git/g.events.ndjson'];
  for (const f of files) {
    mkdirSync(join(root, dirname(f)), { recursive: true });
    writeFileSync(join(root, f), '{}');
  }
  const found = findByGlobs([root, join(root, 'missing')], ['samples/**/*.{ndjson,jsonl,json}', '**/*.events.ndjson']).map((f) => relative(root, f));
  assert.deepEqual(found.sort(), ['a.events.ndjson', 'deep/er/b.events.ndjson', 'samples/a.ndjson', 'samples/x/y/z.jsonl']);
  rmSync(root, { recursive: true, force: true });
});

test('settings: defaults, bad values fall back, translation to analysis options', () => {
  const d = readSettings(undefined);
  assert.deepEqual(d.samples.globs, ['samples/**/*.{ndjson,jsonl,json}', '**/*.events.ndjson']);
  assert.equal(d.fieldChecks.severity, 'warning', 'unknown fields are warnings by default, as the checker says');
  const s = readSettings({ samples: { globs: 'nope' }, fieldChecks: { severity: 'information' }, run: { maxResults: -3 }, schemas: { extraFiles: ['x.json', '/abs/y.json'] }, tiebreakerField: '' });
  assert.deepEqual(s.samples.globs, d.samples.globs);
  assert.equal(s.run.maxResults, 1000);
  assert.equal(s.tiebreakerField, null);
  const o = analyzeOptions(s, '/ws');
  assert.deepEqual(o.extraSchemas, ['/ws/x.json', '/abs/y.json']);
  assert.deepEqual(o.severities, { 'eql/unknown-field': 'info' });
  assert.deepEqual(analyzeOptions(d, '/ws').severities, { 'eql/unknown-field': 'warning' });
  assert.deepEqual(analyzeOptions(readSettings({ fieldChecks: { severity: 'error' } }), '/ws').severities, { 'eql/unknown-field': 'error' }, 'error is honoured, not taken as the default');
});

test('results text: sequences grouped with join keys, missing events, file:line per event', () => {
  const r: RunOutcome = {
    matches: [
      {
        type: 'sequence',
        joinKeys: ['h1', 'p1'],
        events: [
          { source: { '@timestamp': '2024-01-01T00:00:00Z', event: { category: ['process'] }, process: { name: 'cmd.exe' } }, file: '/d/e.ndjson', line: 3 },
          { missing: true },
        ],
      },
      { type: 'event', joinKeys: [], events: [{ source: { 'event.category': 'network', '@timestamp': 5 }, file: '/d/f.ndjson', line: 9 }] },
    ],
    events: 1200,
    files: ['/d/e.ndjson', '/d/f.ndjson'],
    ms: 40.4,
    truncated: false,
    skipped: 2,
  };
  assert.equal(summary(r), '2 matches in 1,200 events, 40 ms');
  const text = renderResults('My rule', r);
  assert.match(text, /^My rule\n2 matches in 1,200 events, 40 ms\nEvent files \(2\): e\.ndjson, f\.ndjson\nSkipped 2 unreadable line/);
  assert.match(text, /Sequence 1 {2}join keys: "h1", "p1"\n {3}1\. process {2}2024-01-01T00:00:00Z\n {6}process\.name="cmd\.exe"\n {6}\/d\/e\.ndjson:3\n {3}2\. \(missing event/);
  assert.match(text, /2\. network {2}5\n {3}\/d\/f\.ndjson:9/, 'dotted keys as written in the event');
  assert.equal(summary({ ...r, matches: r.matches.slice(0, 1), truncated: true }), '1+ match in 1,200 events, 40 ms');
  assert.equal(summary({ ...r, error: 'cancelled' }), 'Run failed: cancelled');
});

test('operators at a position: the longest operator wins, `=` alone is its own', () => {
  const q = 'a == 1 and b = 2 and c >= 3 and d : "x"';
  assert.equal(operatorAt(q, q.indexOf('==') + 1)?.key, '==');
  assert.equal(operatorAt(q, q.indexOf(' = ') + 1)?.key, '=');
  assert.equal(operatorAt(q, q.indexOf('>=') + 1)?.key, '>=');
  assert.equal(operatorAt(q, q.indexOf(':'))?.key, ':');
  assert.equal(operatorAt(q, 0), undefined);
  for (const k of ['==', ':', '=', 'like~', 'in~', 'sequence', 'maxspan']) assert.ok(KEYWORD_DOCS[k], k);
});

test('reference links: ECS pages and MITRE ids; rule key docs by path', () => {
  assert.equal(ecsUrl('process.parent.name'), 'https://www.elastic.co/guide/en/ecs/current/ecs-process.html#field-process-parent-name');
  assert.equal(ecsUrl('@timestamp'), 'https://www.elastic.co/guide/en/ecs/current/ecs-base.html#field-timestamp');
  assert.equal(mitreUrl('TA0005'), 'https://attack.mitre.org/tactics/TA0005/');
  assert.equal(mitreUrl('T1059.001'), 'https://attack.mitre.org/techniques/T1059/001/');
  assert.equal(mitreUrl('T105'), undefined);
  assert.equal(ruleKeyDoc('rule.threat.0.framework')?.key, 'rule.threat.framework');
  assert.deepEqual(ruleKeyDoc('rule.severity')?.doc.values, ['low', 'medium', 'high', 'critical']);
});

test('field usage for completion counts the sibling rules of a folder, not the rule itself', () => {
  const index = new WorkspaceIndex({ publish: () => {}, isOpen: () => false, log: () => {} });
  const rule = (path: string) => index.record(path, analyzeDocument(path, 'process where process.name == "x"', { schemaDir: false }));
  rule('/ws/rules/a.eql');
  assert.equal(index.usage('/ws/rules/a.eql').get('process.name'), undefined, 'alone in its folder');
  rule('/ws/rules/b.eql');
  rule('/ws/other/c.eql');
  assert.equal(index.usage('/ws/rules/a.eql').get('process.name'), 1);
  assert.equal(index.usage('/ws/rules/new.eql').get('process.name'), 2, 'a rule not yet indexed sees every sibling');
});

test('field usage counts follow edits and removals of rules in a folder', () => {
  const index = new WorkspaceIndex({ publish() {}, isOpen: () => false, log() {} });
  const rec = (path: string, query: string) => index.record(path, analyzeDocument(path, query));
  rec('/ws/rules/a.eql', 'process where process.name == "a" and host.name == "h"');
  rec('/ws/rules/b.eql', 'process where process.name == "b"');
  rec('/ws/other/c.eql', 'process where process.name == "c"');
  assert.deepEqual([...index.usage('/ws/rules/new.eql')].sort(), [['host.name', 1], ['process.name', 2]]);
  // Re-recording a rule replaces its fields instead of adding to them.
  rec('/ws/rules/a.eql', 'process where user.name == "u"');
  assert.deepEqual([...index.usage('/ws/rules/new.eql')].sort(), [['process.name', 1], ['user.name', 1]]);
  index.forget('/ws/rules/b.eql');
  assert.deepEqual([...index.usage('/ws/rules/new.eql')], [['user.name', 1]]);
  assert.deepEqual([...index.usage('/ws/rules/a.eql')], [], 'a rule does not count itself');
  assert.deepEqual([...index.usage('/ws/other/x.eql')], [['process.name', 1]]);
});
