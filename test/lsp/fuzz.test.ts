// Random edits of a real rule, each followed by every request at random positions: the server
// must keep answering and no feature may fail (a failing handler logs "<feature> failed").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURES, startServer, uriOf, type Client } from './client';

let c: Client;
before(async () => {
  c = await startServer({ root: null });
});
after(async () => {
  await c?.close();
});

/** Small deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['"', "'", "'''", '"""', '[', ']', '(', ')', ' and ', ' or ', 'where', '==', ':', '=', '~', '?', '\\', '\n', '\r\n', '`', '|', ' by ', 'sequence ', '![', '/*', '*/', '//', 'process.', '\u00e9', '\ud83d\ude00', '\u0000', '[rule]\n', 'query = '];

test('200 random edits of a rule, every feature at random positions, no failure', { timeout: 120_000 }, async () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20251123);
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  let text = readFileSync(join(FIXTURES, 'rules/office_child_sequence.toml'), 'utf8');
  const path = join(FIXTURES, 'rules/fuzz.toml');
  const uri = uriOf(path);
  await c.open(path, text);
  for (let v = 2; v < 202; v++) {
    const at = Math.floor(rand() * (text.length + 1));
    const r = rand();
    if (r < 0.4) text = text.slice(0, at) + pick(PIECES) + text.slice(at);
    else if (r < 0.8) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 8));
    else text = text.slice(0, at) + text.slice(at, at + 40) + text.slice(at); // duplicate a chunk
    c.change(uri, v, text);
    const lines = text.split('\n');
    const line = Math.floor(rand() * lines.length);
    const position = { line, character: Math.floor(rand() * (lines[line].length + 2)) };
    const td = { textDocument: { uri } };
    await Promise.all([
      c.conn.sendRequest('textDocument/hover', { ...td, position }),
      c.conn.sendRequest('textDocument/completion', { ...td, position }),
      c.conn.sendRequest('textDocument/semanticTokens/full', td),
      c.conn.sendRequest('textDocument/documentSymbol', td),
      c.conn.sendRequest('textDocument/codeLens', td),
      c.conn.sendRequest('textDocument/codeAction', { ...td, range: { start: { line: 0, character: 0 }, end: position }, context: { diagnostics: [] } }),
    ]);
  }
  await c.diagnostics(uri, 5000);
  assert.equal(c.proc.exitCode, null, 'the server is alive');
  const failures = c.logs.filter((l) => /failed/.test(l));
  assert.deepEqual(failures, [], `seed ${seed}`);
  assert.equal(c.stderr(), '');
});
