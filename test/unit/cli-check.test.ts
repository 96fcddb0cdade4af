import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const cli = join(root, 'dist/cli.js');
const fx = (p: string) => join('test/fixtures', p);

before(() => {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});

const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'check', ...args], { cwd: root, encoding: 'utf8' });

test('--format json prints exactly one object with the documented shape and 1-based positions', () => {
  const r = run('--format', 'json', fx('rules/invalid_metadata.toml'), fx('rules/valid_eql.toml'));
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['version', 'files', 'summary']);
  assert.equal(out.version, 1);
  assert.deepEqual(out.files.map((f: { path: string }) => f.path), [fx('rules/invalid_metadata.toml'), fx('rules/valid_eql.toml')]);
  assert.deepEqual(out.files[1].diagnostics, []);
  const diags = out.files[0].diagnostics;
  for (const d of diags) assert.deepEqual(Object.keys(d), ['line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']);
  const sev = diags.find((d: { code: string }) => d.code === 'rule/severity-risk-mismatch');
  const lines = readFileSync(join(root, fx('rules/invalid_metadata.toml')), 'utf8').split('\n');
  const lineNo = lines.findIndex((l) => l.startsWith('severity = ')) + 1;
  assert.deepEqual([sev.line, sev.column, sev.endLine, sev.endColumn], [lineNo, 12, lineNo, 17], '`"low"` on its line, end exclusive');
  assert.equal(sev.severity, 'error');
  const errors = diags.filter((d: { severity: string }) => d.severity === 'error').length;
  assert.deepEqual(out.summary, { files: 2, errors, warnings: diags.length - errors });
  assert.equal(r.stdout.trim().split('\n').length, 1, 'one line of JSON');
});

test('text format: path:line:col: severity code message, sorted by position', () => {
  const r = run(fx('rules/invalid_metadata.toml'));
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 10);
  for (const l of lines) assert.match(l, /^test\/fixtures\/rules\/invalid_metadata\.toml:\d+:\d+: (error|warning|info|hint) [a-z]+\/[a-z-]+ .+/);
  const positions = lines.map((l) => l.split(':').slice(1, 3).map(Number));
  const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(positions, sorted);
  assert.match(r.stderr, /1 file checked: \d+ errors/);
});

test('exit codes: 0 clean, 1 errors, 2 usage or unreadable paths', () => {
  assert.equal(run(fx('rules/valid_eql.toml')).status, 0);
  assert.equal(run(fx('eql/simple.eql')).status, 0);
  assert.equal(run(fx('rules/broken_toml.toml')).status, 1);
  const eql = run(fx('eql/type_mismatch.eql'));
  assert.equal(eql.status, 1);
  assert.equal(eql.stdout, 'test/fixtures/eql/type_mismatch.eql:1:30: error eql/type-mismatch `process.pid` is long; it cannot be compared with a string\n');
  const missing = run('no/such/path.toml');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file/);
  assert.equal(run('--format', 'xml', fx('rules')).status, 2);
  assert.equal(run('--bogus').status, 2);
  assert.equal(run('--schemas', 'no/such/dir', fx('rules')).status, 2);
});

test('folders are searched recursively for *.toml and *.eql', () => {
  const r = run('--format=json', 'test/fixtures');
  const out = JSON.parse(r.stdout);
  const paths: string[] = out.files.map((f: { path: string }) => f.path);
  assert.ok(paths.includes(fx('eql/simple.eql')));
  assert.ok(paths.includes(fx('rules/wrong_types.toml')));
  assert.ok(paths.every((p) => p.endsWith('.toml') || p.endsWith('.eql')));
  assert.equal(out.summary.files, paths.length);
});

test('--extra-schema: a broken file is one warning on stderr, checking goes on', () => {
  const r = run('--extra-schema', fx('rules/valid_eql.toml'), fx('rules/valid_eql.toml'));
  assert.equal(r.status, 0);
  assert.equal(r.stderr.match(/could not be read/g)?.length, 1);
});

test('--jobs 2 (worker threads) gives the same output as one thread', () => {
  const one = run('--format', 'json', '--jobs', '1', 'test/fixtures');
  const two = run('--format', 'json', '--jobs', '2', 'test/fixtures');
  assert.equal(two.status, one.status);
  assert.equal(two.stdout, one.stdout);
  assert.equal(run('--jobs', '0', 'test/fixtures').status, 2);
});
