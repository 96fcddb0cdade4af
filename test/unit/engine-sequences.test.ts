// Sequences, samples, pipes, ordering, limits and cancellation on in-memory and file events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileEql } from '../../server/src/engine/index';
import { ids, run, ev } from './engine-helpers';

const dir = mkdtempSync(join(tmpdir(), 'eql-seq-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Event `id` at second `t` with a category and a key. */
const e = (id: number, t: number, cat: string, key: string, extra: Record<string, unknown> = {}) => ({ id, '@timestamp': t * 1000, event: { category: cat }, host: key, ...extra });

test('sequence by + maxspan: within the span matches, beyond it does not', async () => {
  const events = [e(1, 0, 'process', 'h1'), e(2, 0, 'process', 'h2'), e(3, 5, 'network', 'h1'), e(4, 11, 'network', 'h2')];
  assert.deepEqual(await ids('sequence by host with maxspan=10s [process where true] [network where true]', events), [[1, 3]]);
  assert.deepEqual(await ids('sequence by host with maxspan=11s [process where true] [network where true]', events), [[1, 3], [2, 4]], 'maxspan is inclusive');
});

test('sequence: join keys come back with each match; per-term keys', async () => {
  const events = [e(1, 0, 'process', 'h1', { pid: 7 }), e(2, 1, 'file', 'h1', { ppid: 7 }), e(3, 2, 'file', 'h1', { ppid: 8 })];
  const r = await run('sequence by host [process where true] by pid [file where true] by ppid', events);
  assert.deepEqual(r.matches.map((m) => [m.type, m.joinKeys, m.events.map((x) => ('source' in x ? x.source.id : -1))]), [['sequence', ['h1', 7], [1, 2]]]);
});

test('one pending sequence per stage and key: a newer start replaces the older one', async () => {
  const events = [e(1, 0, 'process', 'k'), e(2, 1, 'process', 'k'), e(3, 2, 'network', 'k'), e(4, 3, 'network', 'k')];
  assert.deepEqual(await ids('sequence by host [process where true] [network where true]', events), [[2, 3]]);
});

test('sequences of different keys interleave; results in the order of their last event', async () => {
  const events = [e(1, 0, 'process', 'a'), e(2, 1, 'process', 'b'), e(3, 2, 'network', 'b'), e(4, 3, 'network', 'a')];
  assert.deepEqual(await ids('sequence by host [process where true] [network where true]', events), [[2, 3], [1, 4]]);
});

test('an event matching several terms does not extend the sequence it starts', async () => {
  const events = [1, 2, 3].map((i) => e(i, i, 'process', 'k'));
  assert.deepEqual(await ids('sequence [process where true] [process where true]', events), [[1, 2], [2, 3]]);
});

test('until drops pending sequences of its key only', async () => {
  const q = 'sequence by host [process where true] [network where true] until [file where true]';
  assert.deepEqual(await ids(q, [e(1, 0, 'process', 'k'), e(2, 1, 'file', 'k'), e(3, 2, 'network', 'k')]), []);
  assert.deepEqual(await ids(q, [e(1, 0, 'process', 'k'), e(2, 1, 'file', 'other'), e(3, 2, 'network', 'k')]), [[1, 3]]);
  assert.deepEqual(await ids(q, [e(1, 0, 'process', 'k'), e(2, 1, 'network', 'k'), e(3, 2, 'file', 'k')]), [[1, 2]], 'completed sequences stay');
});

test('with runs=N repeats a term', async () => {
  const events = [e(1, 0, 'process', 'k'), e(2, 1, 'process', 'k'), e(3, 2, 'process', 'k'), e(4, 3, 'network', 'k')];
  assert.deepEqual(await ids('sequence by host [process where true] with runs=3 [network where true]', events), [[1, 2, 3, 4]]);
  assert.deepEqual(await ids('sequence by host [process where true] with runs=3 [network where true]', events.slice(1)), []);
});

test('missing events: in the middle, leading and trailing, within maxspan', async () => {
  const mid = 'sequence by host with maxspan=10s [process where true] ![file where true] [network where true]';
  assert.deepEqual(await ids(mid, [e(1, 0, 'process', 'k'), e(2, 1, 'file', 'k'), e(3, 2, 'network', 'k')]), []);
  assert.deepEqual(await ids(mid, [e(1, 0, 'process', 'k'), e(2, 1, 'file', 'x'), e(3, 2, 'network', 'k')]), [[1, -1, 3]]);
  const trail = 'sequence by host with maxspan=10s [process where true] [network where true] ![file where true]';
  assert.deepEqual(await ids(trail, [e(1, 0, 'process', 'k'), e(2, 1, 'network', 'k'), e(3, 5, 'file', 'k')]), []);
  assert.deepEqual(await ids(trail, [e(1, 0, 'process', 'k'), e(2, 1, 'network', 'k'), e(3, 20, 'file', 'k')]), [[1, 2, -1]], 'too late to count');
  assert.deepEqual(await ids(trail, [e(1, 0, 'process', 'k'), e(2, 1, 'network', 'k')]), [[1, 2, -1]]);
  const lead = 'sequence by host with maxspan=10s ![file where true] [process where true] [network where true]';
  assert.deepEqual(await ids(lead, [e(1, 0, 'file', 'k'), e(2, 3, 'process', 'k'), e(3, 4, 'network', 'k')]), []);
  assert.deepEqual(await ids(lead, [e(1, 0, 'file', 'k'), e(2, 30, 'process', 'k'), e(3, 31, 'network', 'k')]), [[-1, 2, 3]]);
  // Leading and trailing: rejected only when both occur within maxspan of each other.
  const both = 'sequence by host with maxspan=10s ![file where true] [process where true] ![network where true]';
  assert.deepEqual(await ids(both, [e(1, 0, 'file', 'k'), e(2, 5, 'process', 'k'), e(3, 8, 'network', 'k')]), []);
  assert.deepEqual(await ids(both, [e(1, 0, 'file', 'k'), e(2, 5, 'process', 'k'), e(3, 12, 'network', 'k')]), [[-1, 2, -1]]);
  assert.deepEqual(await ids(both, [e(1, 0, 'file', 'k'), e(2, 5, 'process', 'k')]), [[-1, 2, -1]]);
});

test('out-of-order input within a file is reordered; files are merged by time', async () => {
  const events = [e(3, 2, 'network', 'k'), e(1, 0, 'process', 'k')];
  assert.deepEqual(await ids('sequence by host [process where true] [network where true]', events), [[1, 3]]);
  const f1 = join(dir, 'f1.ndjson');
  const f2 = join(dir, 'f2.ndjson');
  writeFileSync(f1, [e(1, 0, 'process', 'k'), e(4, 10, 'process', 'k')].map((x) => JSON.stringify(x)).join('\n') + '\n');
  writeFileSync(f2, [e(2, 5, 'network', 'k'), e(5, 11, 'network', 'k')].map((x) => JSON.stringify(x)).join('\n') + '\n');
  const r = await run('sequence by host [process where true] [network where true]', [f1, f2]);
  assert.deepEqual(r.matches.map((m) => m.events.map((x) => ('source' in x ? [x.source.id, x.file, x.line] : null))), [[[1, f1, 1], [2, f2, 1]], [[4, f1, 2], [5, f2, 2]]]);
});

test('event queries: ordered by timestamp then tiebreaker; ISO timestamps', async () => {
  const events = [
    { id: 'c', '@timestamp': '2026-01-01T00:00:02Z', event: { category: 'process' }, seq: 1 },
    { id: 'b', '@timestamp': '2026-01-01T00:00:01.500Z', event: { category: 'process' }, seq: 9 },
    { id: 'a', '@timestamp': '2026-01-01T00:00:01.500Z', event: { category: 'process' }, seq: 2 },
  ];
  assert.deepEqual(await ids('process where true', events), [['b'], ['a'], ['c']], 'input order breaks ties without a tiebreaker');
  assert.deepEqual(await ids('process where true', events, { tiebreakerField: 'seq' }), [['a'], ['b'], ['c']]);
});

test('head and tail on events and sequences; size truncates and says so', async () => {
  const events = [5, 3, 1, 4, 2].map((i) => ev(i));
  assert.deepEqual(await ids('process where true | head 2', events), [[1], [2]]);
  assert.deepEqual(await ids('process where true | tail 2', events), [[4], [5]]);
  assert.deepEqual(await ids('process where true | tail 3 | head 1', events), [[3]]);
  const r = await run('process where true', events, { size: 3 });
  assert.deepEqual(r.matches.map((m) => ('source' in m.events[0] ? m.events[0].source.id : 0)), [1, 2, 3]);
  assert.equal(r.stats.truncated, true);
  const seq = [1, 2, 3, 4, 5].map((i) => ev(i));
  assert.deepEqual(await ids('sequence [process where true] [process where true] | tail 2', seq), [[3, 4], [4, 5]]);
  assert.deepEqual(await ids('sequence [process where true] [process where true] | head 1', seq), [[1, 2]]);
});

test('samples: one event per term sharing the join keys, in any order, sorted by key', async () => {
  const events = [e(1, 5, 'network', 'h2'), e(2, 1, 'process', 'h2'), e(3, 0, 'process', 'h1'), e(4, 0, 'network', 'h3'), e(5, 9, 'network', 'h1')];
  const r = await run('sample by host [process where true] [network where true]', events);
  assert.deepEqual(r.matches.map((m) => [m.type, m.joinKeys, m.events.map((x) => ('source' in x ? x.source.id : -1))]), [
    ['sample', ['h1'], [3, 5]],
    ['sample', ['h2'], [2, 1]],
  ]);
  // One event cannot fill two slots.
  assert.deepEqual(await ids('sample by host [process where true] [process where true]', [e(1, 0, 'process', 'a'), e(2, 0, 'process', 'b'), e(3, 1, 'process', 'b')]), [[2, 3]]);
  // The earliest event of the first term is given up when it is the only one the second can use.
  const both = [e(1, 0, 'process', 'k', { x: 1 }), e(2, 1, 'process', 'k')];
  assert.deepEqual(await ids('sample by host [process where true] [process where x == 1]', both), [[2, 1]]);
});

test('cancellation: an aborted run rejects with AbortError', async () => {
  const p = join(dir, 'many.ndjson');
  writeFileSync(p, Array.from({ length: 200_000 }, (_, i) => JSON.stringify(ev(i))).join('\n') + '\n');
  const ac = new AbortController();
  await assert.rejects(
    run('process where true', [p], { signal: ac.signal, onProgress: () => ac.abort() }),
    (err: Error) => err.name === 'AbortError',
  );
});

test('compile errors: unsupported pipes, missing-event sequences without maxspan, field patterns', () => {
  for (const q of ['process where true | unique process.name', 'sequence [process where true] ![file where true] [network where true]', 'process where process.name : process.parent.name']) {
    const c = compileEql(q);
    assert.equal(c.query, null, q);
    assert.ok(c.diagnostics.length > 0, q);
  }
});

test('join keys: null values join only through optional keys (?field)', async () => {
  const events = [
    { id: 1, '@timestamp': 0, event: { category: 'process' }, user: null },
    { id: 2, '@timestamp': 1000, event: { category: 'network' } },
  ];
  assert.deepEqual(await ids('sequence by user [process where true] [network where true]', events), []);
  const r = await run('sequence by ?user [process where true] [network where true]', events);
  assert.deepEqual(r.matches.map((m) => [m.joinKeys, m.events.map((x) => ('source' in x ? x.source.id : -1))]), [[[null], [1, 2]]]);
});

test('join keys: each value of a multi-valued key joins on its own', async () => {
  const events = [
    { id: 1, '@timestamp': 0, event: { category: 'process' }, tags: ['a', 'b'] },
    { id: 2, '@timestamp': 1000, event: { category: 'network' }, tags: ['b', 'c'] },
    { id: 3, '@timestamp': 2000, event: { category: 'network' }, tags: 'a' },
  ];
  const r = await run('sequence by tags [process where true] [network where true]', events);
  assert.deepEqual(r.matches.map((m) => [m.joinKeys, m.events.map((x) => ('source' in x ? x.source.id : -1))]), [
    [['b'], [1, 2]],
    [['a'], [1, 3]],
  ]);
});

test('sequences: an event later than the reorder window is reported, not silently misplaced', async () => {
  const p = join(dir, 'late.ndjson');
  const lines = Array.from({ length: 5_050 }, (_, i) => JSON.stringify(e(i + 10, i + 10, 'process', 'k')));
  lines.push(JSON.stringify(e(1, 1, 'network', 'k')));
  writeFileSync(p, lines.join('\n') + '\n');
  const r = await run('sequence by host [process where true] [network where true]', [p]);
  assert.equal(r.stats.skippedLines, 1);
  assert.deepEqual([r.stats.skipped[0].line, /out of time order/.test(r.stats.skipped[0].reason)], [5_051, true]);
  assert.deepEqual(r.matches, []);
});
