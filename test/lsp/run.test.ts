// Code lenses and query runs over the stdio server: the lens counts sample files, a run goes to
// a worker thread and comes back as the lens summary and the results text.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource, type CodeLens } from 'vscode-languageserver-protocol';
import { FIXTURES, hoverText, positionOf, RULE, ruleText, SEQ, startServer, uriOf, type Client } from './client';

let c: Client;
before(async () => {
  c = await startServer();
  await c.open(RULE);
});
after(async () => {
  await c?.close();
});


describe('code lens and runs', () => {
  test('code lens: run on samples (with the file count), then the result', async () => {
    const uri = uriOf(SEQ);
    await c.open(SEQ);
    const lenses = (await c.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
    const queryLine = positionOf(readFileSync(SEQ, 'utf8'), "query = '''").line;
    assert.ok(lenses.length >= 2 && lenses.every((l) => l.range.start.line === queryLine));
    const run = lenses.find((l) => !l.command)!;
    const resolved = (await c.conn.sendRequest('codeLens/resolve', run)) as CodeLens;
    assert.equal(resolved.command?.title, '▶ Run on samples (1 event file)');
    assert.equal(resolved.command?.command, 'eqlRules.runQuery');
    assert.ok(lenses.some((l) => l.command?.title === 'Run on file...'));

    const result = (await c.conn.sendRequest('workspace/executeCommand', { command: 'eqlRules.server.run', arguments: resolved.command!.arguments })) as { summary: string; text: string; matches: number; error: string | null };
    assert.equal(result.error, null);
    assert.equal(result.matches, 1);
    assert.match(result.summary, /^1 match in 4 events, \d+ ms$/);
    assert.match(result.text, /Sequence 1 {2}join keys: "h1"/);
    assert.match(result.text, /office\.ndjson:1\b[\s\S]*office\.ndjson:2\b/);
    const after = (await c.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
    const summary = after.find((l) => l.command?.command === 'eqlRules.showResults');
    assert.equal(summary?.command?.title, result.summary);
    assert.equal(await c.conn.sendRequest('eqlRules/results', { uri, query: 0 }), result.text);
  });

  test('run on chosen files, and a run does not block requests', async () => {
    const uri = uriOf(RULE);
    const events = join(FIXTURES, 'samples/office.ndjson');
    const running = c.conn.sendRequest('workspace/executeCommand', { command: 'eqlRules.server.run', arguments: [{ uri, query: 0, files: [events, events] }] }) as Promise<{ events: number; files: string[] }>;
    assert.match(await hoverText(c, uri, ruleText, 'process.parent.name', 3), /process\.parent\.name/);
    const r = await running;
    assert.equal(r.events, 8);
    assert.equal(r.files.length, 2);
  });


  test('a long run is cancellable and the server answers meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eql-rules-cancel-'));
    try {
      const events = join(dir, 'big.ndjson');
      const line = (i: number) => JSON.stringify({ '@timestamp': new Date(1e12 + i * 1000).toISOString(), event: { category: ['process'], type: ['start'] }, host: { id: `h${i % 50}` }, process: { entity_id: `p${i}`, name: 'cmd.exe', parent: { name: 'winword.exe' } } });
      writeFileSync(events, Array.from({ length: 300_000 }, (_, i) => line(i)).join('\n') + '\n');
      const source = new CancellationTokenSource();
      const t0 = Date.now();
      const running = c.conn.sendRequest('workspace/executeCommand', { command: 'eqlRules.server.run', arguments: [{ uri: uriOf(SEQ), query: 0, files: [events] }] }, source.token) as Promise<{ error: string | null } | null>;
      await new Promise((r) => setTimeout(r, 150));
      assert.match(await hoverText(c, uriOf(RULE), ruleText, 'process.parent.name', 3), /process\.parent\.name/, 'requests are served during the run');
      source.cancel();
      const r = await running.catch((e: Error) => ({ error: e.message }));
      assert.match(r?.error ?? '', /cancel/i);
      assert.ok(Date.now() - t0 < 5000, 'cancelled promptly');
      const lenses = (await c.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: uriOf(SEQ) } })) as CodeLens[];
      assert.ok(!lenses.some((l) => /Running/.test(l.command?.title ?? '')), 'the lens is not left spinning');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
