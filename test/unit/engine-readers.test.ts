// Event readers on real files: NDJSON, JSON arrays, saved search / EQL responses, gzip,
// bad lines with line numbers, CRLF and files without a final newline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readEventFile } from '../../server/src/engine/index';
import { run } from './engine-helpers';

const dir = mkdtempSync(join(tmpdir(), 'eql-readers-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function read(path: string) {
  const skipped: { line: number; reason: string }[] = [];
  const events: { src: unknown; line: number }[] = [];
  for await (const b of readEventFile(path, { onSkip: (s) => skipped.push({ line: s.line, reason: s.reason }) })) b.sources.forEach((src, i) => events.push({ src, line: b.lines[i] }));
  return { events, skipped };
}

const ndjson = ['{"id":1}', '', '{"id":2}', 'not json', '[1,2]', '{"id":3}'].join('\n') + '\n';

test('NDJSON: events with line numbers; blank lines ignored; bad lines reported, not fatal', async () => {
  const { events, skipped } = await read(file('a.ndjson', ndjson));
  assert.deepEqual(events, [{ src: { id: 1 }, line: 1 }, { src: { id: 2 }, line: 3 }, { src: { id: 3 }, line: 6 }]);
  assert.deepEqual(skipped.map((s) => s.line), [4, 5]);
  assert.match(skipped[0].reason, /invalid JSON/);
  assert.match(skipped[1].reason, /not a JSON object/);
});

test('NDJSON: CRLF line ends and no final newline', async () => {
  const { events } = await read(file('crlf.ndjson', '{"id":1}\r\n{"id":2}\r\n{"id":3}'));
  assert.deepEqual(events.map((e) => [e.src, e.line]), [[{ id: 1 }, 1], [{ id: 2 }, 2], [{ id: 3 }, 3]]);
});

test('NDJSON: lines split across read chunks (multi-megabyte file)', async () => {
  const lines = Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ id: i + 1, pad: 'x'.repeat(100 + (i % 7)), s: 'é😀' }));
  const { events, skipped } = await read(file('big.ndjson', lines.join('\n') + '\n'));
  assert.equal(skipped.length, 0);
  assert.equal(events.length, 60_000);
  assert.ok(events.every((e, i) => (e.src as { id: number }).id === i + 1 && e.line === i + 1 && (e.src as { s: string }).s === 'é😀'));
});

test('gzip is detected by magic bytes, whatever the name', async () => {
  const { events, skipped } = await read(file('events.data', gzipSync(ndjson)));
  assert.deepEqual(events.map((e) => e.line), [1, 3, 6]);
  assert.equal(skipped.length, 2);
});

test('JSON array: streamed element by element with the line each starts on', async () => {
  const text = '[\n  {"id": 1, "s": "a,]}"},\n  {"id": 2,\n   "n": {"x": [1, 2]}},\n  7,\n  {"id": 3}\n]\n';
  const { events, skipped } = await read(file('arr.json', text));
  assert.deepEqual(events.map((e) => [(e.src as { id: number }).id, e.line]), [[1, 2], [2, 3], [3, 6]]);
  assert.deepEqual(skipped.map((s) => s.line), [5]);
});

test('saved search response: hits.hits[]._source, with line numbers', async () => {
  const resp = { took: 3, hits: { total: { value: 2 }, hits: [{ _index: 'i', _id: 'a', _source: { id: 1 } }, { _index: 'i', _id: 'b', _source: { id: 2 } }] } };
  const { events } = await read(file('resp.json', JSON.stringify(resp, null, 2)));
  assert.deepEqual(events.map((e) => (e.src as { id: number }).id), [1, 2]);
  assert.ok(events[1].line > events[0].line);
  // Single-line responses are recognised too.
  assert.equal((await read(file('resp1.json', JSON.stringify(resp)))).events.length, 2);
});

test('saved EQL responses: hits.events and hits.sequences[].events', async () => {
  const events = { hits: { events: [{ _source: { id: 1 } }, { _source: { id: 2 } }] } };
  const sequences = { is_partial: false, hits: { sequences: [{ join_keys: ['h'], events: [{ _source: { id: 3 } }, { _source: { id: 4 } }] }, { events: [{ _source: { id: 5 } }, { missing: true }] }] } };
  assert.deepEqual((await read(file('ev.json', JSON.stringify(events, null, 1)))).events.map((e) => (e.src as { id: number }).id), [1, 2]);
  assert.deepEqual((await read(file('seq.json', JSON.stringify(sequences)))).events.map((e) => (e.src as { id: number }).id), [3, 4, 5]);
});

test('a run reports skipped lines with file and line, and progress with bytes', async () => {
  const p = file('run.ndjson', '{"id":1,"event":{"category":"process"},"@timestamp":1}\n{oops\n');
  const progress: number[] = [];
  const r = await run('process where true', [p], { onProgress: (x) => progress.push(x.bytesRead) });
  assert.equal(r.matches.length, 1);
  assert.equal(r.stats.eventsRead, 1);
  assert.equal(r.stats.skippedLines, 1);
  assert.deepEqual({ file: r.stats.skipped[0].file, line: r.stats.skipped[0].line }, { file: p, line: 2 });
  assert.ok(progress.length > 0 && progress[progress.length - 1] > 0);
});

test('an unreadable file rejects the run', async () => {
  await assert.rejects(run('process where true', [join(dir, 'missing.ndjson')]), /ENOENT/);
});
