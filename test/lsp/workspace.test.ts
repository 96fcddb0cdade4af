// Workspace-level behaviour: the background index keeps the server responsive, and settings
// pushed by the client change the analysis.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, DidChangeWorkspaceFoldersNotification, FileChangeType } from 'vscode-languageserver-protocol';
import { FIXTURES, positionOf, startServer, uriOf, type Client } from './client';

const clients: Client[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A fresh copy of the fixture workspace (removed after the tests). */
function copyOfFixtures(name: string): string {
  const root = join(mkdtempSync(join(tmpdir(), `eql-rules-${name}-`)), 'ws');
  dirs.push(join(root, '..'));
  cpSync(FIXTURES, root, { recursive: true });
  return root;
}

/** A server over `root` whose background index has finished. */
async function indexedServer(root: string): Promise<Client> {
  const c = await startServer({ root });
  clients.push(c);
  await c.conn.sendRequest('eqlRules/indexed');
  return c;
}

test('indexing a large workspace does not freeze requests', async () => {
  const root = mkdtempSync(join(tmpdir(), 'eql-rules-index-'));
  dirs.push(root);
  const rule = readFileSync(join(FIXTURES, 'rules/office_child_sequence.toml'), 'utf8');
  for (let d = 0; d < 10; d++) {
    mkdirSync(join(root, `rules/d${d}`), { recursive: true });
    for (let i = 0; i < 60; i++) writeFileSync(join(root, `rules/d${d}/r${i}.toml`), rule.replace('host.id', i % 2 ? 'host.id' : 'host.name'));
  }
  const typical = join(root, 'rules/d0/r1.toml');
  const c = await startServer({ root });
  clients.push(c);
  const { uri, text } = await c.open(typical);
  const indexed = c.conn.sendRequest('eqlRules/indexed') as Promise<number>;
  let done = false;
  void indexed.then(() => (done = true));
  const latencies: number[] = [];
  // Hovers while the 600 files are being analysed: each must come back promptly.
  while (!done && latencies.length < 200) {
    const t0 = performance.now();
    const h = await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'process.parent.name', 3) });
    latencies.push(performance.now() - t0);
    assert.ok(h);
  }
  // Every rule but the open one (600 when the index reached it before the editor opened it).
  const n = await indexed;
  assert.ok(n === 599 || n === 600, `indexed ${n}`);
  assert.ok(latencies.length >= 3, `only ${latencies.length} hovers fitted in the indexing time`);
  const worst = Math.max(...latencies);
  assert.ok(worst < 500, `worst hover during indexing: ${worst.toFixed(0)} ms`);
  assert.equal(c.latest.size >= 599, true, 'diagnostics for every indexed rule');
  // The editor shows the pass as progress: begin, reports, end.
  await new Promise((r) => setTimeout(r, 200));
  const begin = c.progress.find((p) => p.kind === 'begin' && p.title === 'EQL: checking workspace rules');
  assert.ok(begin, JSON.stringify(c.progress.slice(0, 3)));
  assert.ok(c.progress.some((p) => p.kind === 'report' && /\d+\/600 files/.test(p.message ?? '')));
  assert.ok(c.progress.some((p) => p.kind === 'end'));
});

test('settings: field-check severity and sample globs follow didChangeConfiguration', async () => {
  const root = copyOfFixtures('settings');
  const c = await startServer({ root, settings: { fieldChecks: { severity: 'hint' } } });
  clients.push(c);
  const path = join(root, 'rules/suspicious_cmd.toml');
  const wait = c.diagnostics(uriOf(path));
  await c.open(path);
  const unknown = (await wait).find((d) => d.code === 'eql/unknown-field');
  assert.equal(unknown?.severity, 4, 'hint, from the initialization options');

  const again = c.diagnostics(uriOf(path));
  await c.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { eqlRules: { fieldChecks: { severity: 'off' } } } });
  const off = await again;
  assert.ok(!off.some((d) => d.code === 'eql/unknown-field'), 'off removes it');
  assert.ok(off.some((d) => d.code === 'rule/severity-risk-mismatch'), 'other checks stay');

  // Sample globs decide what "Run on samples" reads.
  writeFileSync(join(root, 'more.events.ndjson'), '{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"process"}}\n');
  const countLens = async () => {
    const lenses = (await c.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: uriOf(path) } })) as { data?: unknown; command?: { title: string } }[];
    const run = lenses.find((l) => !l.command)!;
    return ((await c.conn.sendRequest('codeLens/resolve', run)) as { command: { title: string } }).command.title;
  };
  assert.equal(await countLens(), '▶ Run on samples (2 event files)', 'defaults: samples/** and **/*.events.ndjson');
  const third = c.diagnostics(uriOf(path));
  await c.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { eqlRules: { samples: { globs: ['*.events.ndjson'] } } } });
  await third;
  assert.equal(await countLens(), '▶ Run on samples (1 event file)');
});

test('rules changed on disk while closed get fresh diagnostics; deleted ones lose theirs', async () => {
  const root = copyOfFixtures('watch');
  const c = await indexedServer(root);
  const path = join(root, 'rules/new_rule.toml');
  const uri = uriOf(path);
  writeFileSync(path, readFileSync(join(root, 'rules/suspicious_cmd.toml'), 'utf8'));
  const created = c.diagnostics(uri);
  await c.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri, type: FileChangeType.Created }] });
  assert.ok((await created).some((d) => d.code === 'eql/unknown-field'));
  rmSync(path);
  const deleted = c.diagnostics(uri);
  await c.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri, type: FileChangeType.Deleted }] });
  assert.deepEqual(await deleted, []);
});

test('a folder added to the workspace is indexed', async () => {
  const c = await startServer({ root: null });
  clients.push(c);
  const root = copyOfFixtures('folders');
  const uri = uriOf(join(root, 'rules/suspicious_cmd.toml'));
  const published = c.diagnostics(uri);
  await c.conn.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [{ uri: uriOf(root), name: 'ws' }], removed: [] } });
  assert.ok((await published).some((d) => d.code === 'eql/unknown-field'));
});

test('closing a document: a rule on disk gets its saved version checked, an unsaved one is cleared', async () => {
  const root = copyOfFixtures('close');
  const c = await indexedServer(root);
  const path = join(root, 'rules/suspicious_cmd.toml');
  const uri = uriOf(path);
  const text = readFileSync(path, 'utf8');
  const opened = c.diagnostics(uri);
  await c.open(path, text.replace('process.nmae', 'process.name'));
  assert.ok(!(await opened).some((d) => d.code === 'eql/unknown-field'), 'the edited text is clean');
  const closed = c.diagnostics(uri);
  await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  assert.ok((await closed).some((d) => d.code === 'eql/unknown-field'), 'the file on disk still has the error');

  const ghost = uriOf(join(root, 'rules/never-saved.toml'));
  const first = c.diagnostics(ghost);
  await c.open(join(root, 'rules/never-saved.toml'), text);
  assert.ok((await first).length > 0);
  const cleared = c.diagnostics(ghost);
  await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: ghost } });
  assert.deepEqual(await cleared, []);
});

