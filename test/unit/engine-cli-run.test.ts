// `eql-rules run` end to end (through tsx, no build needed): every sample rule matches exactly
// its intended sample events and none of the near misses; JSON shape; exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', 'run', ...args], { cwd: root, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'eql-cli-run-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

type Json = { version: number; matches: { type: string; events: Record<string, unknown>[]; join_keys: unknown[] }[]; stats: Record<string, number> };
const eventId = (e: Record<string, unknown>) => ('missing' in e ? 'missing' : (e.event as { id?: string })?.id ?? (e['event.id'] as string));

/** The sample rules and exactly what each must match (event.id per match). */
const EXPECTED: Record<string, string[][]> = {
  'windows_encoded_powershell.toml': [['win-1'], ['win-4']],
  'file_script_in_startup_folder.toml': [['win-6'], ['win-10']],
  'network_connection_to_reverse_shell_port.toml': [['net-1'], ['net-3'], ['net-8']],
  'linux_download_then_execute.toml': [['lin-1', 'lin-2']],
  'kubernetes_api_request_from_container.toml': [['k8s-1'], ['k8s-2'], ['k8s-3']],
};

for (const [rule, expected] of Object.entries(EXPECTED)) {
  test(`sample rule ${rule} matches exactly its intended events`, () => {
    const r = cli(join('samples/rules', rule), '--events', 'samples/events', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Json;
    assert.deepEqual(out.matches.map((m) => m.events.map(eventId)), expected);
    assert.equal(out.stats.events_read, 35);
  });
}

test('the sequence sample reports its join keys', () => {
  const out = JSON.parse(cli('samples/rules/linux_download_then_execute.toml', '--events', 'samples/events', '--format', 'json').stdout) as Json;
  assert.deepEqual(out.matches[0].join_keys, ['node-a', '/tmp/x.sh']);
  assert.equal(out.matches[0].type, 'sequence');
});

test('--format json: exactly the documented single-query shape', () => {
  const r = cli('--query', 'network where destination.port == 4444 and process.name == "bash"', '--events', 'samples/events/network.ndjson', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['version', 'matches', 'stats']);
  assert.equal(out.version, 1);
  assert.deepEqual(Object.keys(out.stats), ['events_read', 'skipped_lines', 'ms']);
  assert.deepEqual(out.matches.map((m: Json['matches'][number]) => [m.type, m.events.map(eventId), m.join_keys]), [['event', ['net-1'], []], ['event', ['net-2'], []]]);
  assert.deepEqual(Object.keys(out.matches[0]), ['type', 'events', 'join_keys']);
  assert.equal(r.stdout.trim().split('\n').length, 1);
});

test('missing slots print as {"missing":true}', () => {
  const p = join(dir, 'm.ndjson');
  writeFileSync(p, ['{"@timestamp":0,"event":{"category":"process"},"h":"a","id":1}', '{"@timestamp":1000,"event":{"category":"network"},"h":"a","id":2}'].join('\n'));
  const out = JSON.parse(cli('--query', 'sequence by h with maxspan=5s [process where true] [network where true] ![file where true]', '--events', p, '--format', 'json').stdout) as Json;
  assert.deepEqual(out.matches[0].events.map((e) => ('missing' in e ? 'missing' : e.id)), [1, 2, 'missing']);
});

test('a folder of rules: results per rule under "rules", text output names each rule', () => {
  const r = cli('samples/rules', '--events', 'samples/events', '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { version: number; rules: { path: string; name: string; matches: unknown[] }[] };
  assert.equal(out.rules.length, Object.keys(EXPECTED).length);
  assert.deepEqual(out.rules.map((x) => x.matches.length).reduce((a, b) => a + b), 11);
  const text = cli('samples/rules', '--events', 'samples/events');
  assert.match(text.stdout, /== Payload Downloaded to Temporary Folder and Executed \(samples\/rules\/linux_download_then_execute\.toml\)/);
  assert.match(text.stdout, /\[1\] sequence {2}by "node-a", "\/tmp\/x\.sh"/);
  assert.match(text.stdout, /samples\/events\/linux-endpoint\.ndjson:1 /);
});

test('a rule\'s EQL options (timestamp_field, event_category_override, tiebreaker_field) are used', () => {
  const rule = join(dir, 'opts.toml');
  writeFileSync(
    rule,
    `[metadata]\ncreation_date = "2026/01/01"\nmaturity = "production"\nupdated_date = "2026/01/01"\n\n[rule]\nauthor = ["t"]\ndescription = "d"\nname = "Opts"\nrisk_score = 21\nrule_id = "e6ca606c-8466-4a57-be6d-f63623949d8d"\nseverity = "low"\ntype = "eql"\nlanguage = "eql"\nindex = ["x"]\ntimestamp_field = "ts"\nevent_category_override = "kind"\ntiebreaker_field = "n"\nquery = '''\nthing where true\n'''\n`,
  );
  const ev = join(dir, 'opts.ndjson');
  writeFileSync(ev, ['{"ts":5,"kind":"thing","n":2,"id":"b"}', '{"ts":5,"kind":"thing","n":1,"id":"a"}', '{"ts":1,"kind":"other","id":"c"}'].join('\n') + '\n');
  const out = JSON.parse(cli(rule, '--events', ev, '--format', 'json').stdout) as Json;
  assert.deepEqual(out.matches.map((m) => m.events[0].id), ['a', 'b']);
});

test('exit codes: 1 for an invalid query, 2 for usage errors and unreadable files, 0 without matches', () => {
  assert.equal(cli('--query', 'process where x = 1', '--events', 'samples/events').status, 1);
  assert.equal(cli('--query', 'process where true', '--events', join(dir, 'nope.ndjson')).status, 2);
  assert.equal(cli('--query', 'process where true').status, 2);
  assert.equal(cli('--bogus').status, 2);
  assert.equal(cli('--query', 'process where false', '--events', 'samples/events').status, 0);
});
