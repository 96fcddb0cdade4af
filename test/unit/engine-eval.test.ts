// Expression semantics of the compiled evaluator on real events: field access shapes,
// case rules, wildcards, Lucene regex (linear time), cidrMatch, nulls, multi-valued fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileEql } from '../../server/src/engine/index';
import { fieldGetter } from '../../server/src/engine/values';
import { compileWildcard } from '../../server/src/eql/wildcard';
import { compileRegex } from '../../server/src/engine/regex';
import { ids, ev, run } from './engine-helpers';

const match = async (cond: string, fields: Record<string, unknown>) => (await ids(`process where ${cond}`, [ev(1, fields)])).length === 1;

test('fields: nested objects, dotted keys, mixes, arrays of objects, indexes', () => {
  const g = fieldGetter(['process', 'parent', 'name']);
  assert.equal(g({ process: { parent: { name: 'a' } } }), 'a');
  assert.equal(g({ 'process.parent.name': 'b' }), 'b');
  assert.equal(g({ process: { 'parent.name': 'c' } }), 'c');
  assert.equal(g({ 'process.parent': { name: 'd' } }), 'd');
  assert.deepEqual(g({ process: [{ parent: { name: 'e' } }, { parent: { name: 'f' } }] }), ['e', 'f']);
  assert.equal(g({ process: { parent: {} } }), null);
  assert.equal(g({ process: { parent: { name: [] } } }), null);
  assert.equal(g({ process: { parent: { name: ['only'] } } }), 'only');
  assert.equal(fieldGetter(['process', 'args', 1])({ process: { args: ['a', 'b'] } }), 'b');
  assert.equal(fieldGetter(['process', 'args', 5])({ process: { args: ['a', 'b'] } }), null);
});

test('== is case-sensitive and never expands wildcards; : folds case and expands them', async () => {
  assert.equal(await match('process.name == "cmd.exe"', { process: { name: 'CMD.EXE' } }), false);
  assert.equal(await match('process.name == "cmd*"', { process: { name: 'cmd.exe' } }), false);
  assert.equal(await match('process.name == "cmd*"', { process: { name: 'cmd*' } }), true);
  assert.equal(await match('process.name : "cmd*"', { process: { name: 'CMD.EXE' } }), true);
  assert.equal(await match('process.name : ("x", "c?d.exe")', { process: { name: 'CmD.exe' } }), true);
  assert.equal(await match('process.name like "cmd*"', { process: { name: 'CMD.exe' } }), false);
  assert.equal(await match('process.name like~ "cmd*"', { process: { name: 'CMD.exe' } }), true);
  assert.equal(await match('process.name in ("CMD.EXE", "a")', { process: { name: 'cmd.exe' } }), false);
  assert.equal(await match('process.name in~ ("CMD.EXE", "a")', { process: { name: 'cmd.exe' } }), true);
  assert.equal(await match('process.name not in~ ("CMD.EXE")', { process: { name: 'cmd.exe' } }), false);
});

test('wildcards: * and ? with literal backslashes; linear on hostile input', () => {
  const w = compileWildcard('C:\\Windows\\*\\*.exe', true);
  assert.equal(w('c:\\windows\\system32\\cmd.EXE'), true);
  assert.equal(w('c:\\windows\\cmd.exe'), false);
  assert.equal(compileWildcard('a?c', false)('abc'), true);
  assert.equal(compileWildcard('a?c', false)('abbc'), false);
  assert.equal(compileWildcard('?', false)('😀'), true, '? is one character, not one UTF-16 unit');
  assert.equal(compileWildcard('*a*b*c*', false)('xxaxxbxxcxx'), true);
  assert.equal(compileWildcard('*a*b*c*', false)('xxaxxcxxbxx'), false);
  const t0 = Date.now();
  assert.equal(compileWildcard('*a*a*a*a*a*a*?b', false)('a'.repeat(200_000)), false);
  assert.equal(compileWildcard('*a*a*a*a*a*a*b', false)('a'.repeat(1 << 20)), false);
  assert.ok(Date.now() - t0 < 2000, 'wildcards must not backtrack exponentially');
});

test('regex: Lucene syntax, whole-value, case flag', () => {
  const r = (p: string, s: string, ci = false) => compileRegex(p, ci)(s);
  assert.equal(r('cmd\\.exe', 'cmd.exe'), true);
  assert.equal(r('cmd', 'xcmdx'), false, 'anchored to the whole value');
  assert.equal(r('"a.b"', 'a.b'), true);
  assert.equal(r('"a.b"', 'axb'), false);
  assert.equal(r('x^y$', 'x^y$'), true, '^ and $ are literals in Lucene');
  assert.equal(r('<10-20>', '15'), true);
  assert.equal(r('<10-20>', '21'), false);
  assert.equal(r('@&~(.*admin.*)', 'user'), true);
  assert.equal(r('@&~(.*admin.*)', 'sysadmin'), false);
  assert.equal(r('[a-c]+\\d', 'ABC1', true), true);
  assert.equal(r('[a-c]+\\d', 'ABC1'), false);
  assert.throws(() => compileRegex('[a-z0-9._-]', false), /range/);
});

test('regex: a catastrophic-backtracking pattern on 1 MB stays linear', async () => {
  const big = 'a'.repeat(1 << 20);
  const t0 = Date.now();
  assert.equal(compileRegex('(a*)*b', false)(big), false);
  assert.equal(compileRegex('(a|aa)+c', false)(big), false);
  assert.equal(await match('process.name regex "(a+)+b"', { process: { name: big } }), false);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});

test('an invalid regex is a compile diagnostic, not a throw', () => {
  const c = compileEql('process where process.name regex "(a"');
  assert.equal(c.query, null);
  assert.ok(c.diagnostics.some((d) => d.severity === 'error'));
});

test('cidrMatch: IPv4 and IPv6, several blocks, multi-valued addresses', async () => {
  assert.equal(await match('cidrMatch(source.ip, "10.0.0.0/8")', { source: { ip: '10.20.30.40' } }), true);
  assert.equal(await match('cidrMatch(source.ip, "192.168.0.0/16", "2001:db8::/32")', { source: { ip: '2001:db8::1' } }), true);
  assert.equal(await match('cidrMatch(source.ip, "10.0.0.0/8")', { source: { ip: '11.0.0.1' } }), false);
  assert.equal(await match('cidrMatch(source.ip, "10.0.0.0/8")', { source: { ip: ['8.8.8.8', '10.1.1.1'] } }), true);
  assert.equal(await match('not cidrMatch(source.ip, "10.0.0.0/8")', { source: { ip: '8.8.8.8' } }), true);
});

test('nulls: == null means absent, != null present; comparisons with null are not true', async () => {
  assert.equal(await match('user.name == null', {}), true);
  assert.equal(await match('user.name == null', { user: { name: null } }), true);
  assert.equal(await match('user.name != null', { user: { name: 'x' } }), true);
  assert.equal(await match('user.name != null', {}), false);
  assert.equal(await match('user.name == "x"', {}), false);
  assert.equal(await match('user.name != "x"', {}), false);
  assert.equal(await match('not (user.name == "x")', {}), false, 'not null is null');
  assert.equal(await match('user.name == "x" or true', {}), true);
  assert.equal(await match('length(user.name) > 0', {}), false);
  assert.equal(await match('pid + 1 == null', {}), true, 'arithmetic on null is null');
  assert.equal(await match('pid + 1 > 0', {}), false);
});

test('multi-valued fields: any value satisfies; != and not in mean no value equals', async () => {
  const f = { process: { args: ['cmd.exe', '/c', 'whoami'] } };
  assert.equal(await match('process.args == "whoami"', f), true);
  assert.equal(await match('process.args : "WHO*"', f), true);
  assert.equal(await match('process.args != "whoami"', f), false);
  assert.equal(await match('process.args != "net"', f), true);
  assert.equal(await match('process.args in ("net", "/c")', f), true);
  assert.equal(await match('process.args not in ("net", "/c")', f), false);
  assert.equal(await match('startsWith(process.args, "who")', f), true);
  assert.equal(await match('length(process.args) == 2', f), true);
});

test('numbers, dates and strings compare by type; integer vs float division', async () => {
  assert.equal(await match('pid > 10', { pid: 11 }), true);
  assert.equal(await match('pid > 10', { pid: '11' }), true, 'numeric strings compare as numbers against numbers');
  assert.equal(await match('name < "b"', { name: 'a' }), true);
  assert.equal(await match('name < "B"', { name: 'a' }), false, 'case-sensitive code-unit order');
  assert.equal(await match('7 / 2 == 3', {}), true);
  assert.equal(await match('7 / 2.0 == 3.5', {}), true);
  assert.equal(await match('divide(7, 2.0) == 3.5', {}), true);
  assert.equal(await match('-pid == -3', { pid: 3 }), true);
  assert.equal(await match('pid % 4 == 3', { pid: 7 }), true);
  assert.equal(await match('@timestamp >= "2020-01-01T00:00:00Z"', { '@timestamp': Date.parse('2021-01-01T00:00:00Z') }), true);
});

test('category: equality on the category field, any value of an array; any matches all', async () => {
  const events = [ev(1, { event: { category: ['process', 'file'] } }), ev(2, { event: { category: 'network' } }), ev(3, { event: {} })];
  assert.deepEqual(await ids('file where true', events), [[1]]);
  assert.deepEqual(await ids('any where true', events), [[1], [2], [3]]);
  assert.deepEqual(await ids('"network" where true', events), [[2]]);
  assert.deepEqual(await ids('proc where true', [ev(1, { kind: 'proc' })], { eventCategoryField: 'kind' }), [[1]]);
});

test('timestamps: epoch millis, numeric strings, ISO-8601 with zones and sub-millisecond fractions', async () => {
  const { parseTimestamp } = await import('../../server/src/engine/values.js');
  assert.equal(parseTimestamp(1700000000123), 1700000000123);
  assert.equal(parseTimestamp('1700000000123'), 1700000000123);
  assert.equal(parseTimestamp('2026-11-20T09:00:01.120Z'), Date.UTC(2026, 10, 20, 9, 0, 1, 120));
  assert.equal(parseTimestamp('2026-11-20T09:00:01Z'), Date.UTC(2026, 10, 20, 9, 0, 1));
  assert.equal(parseTimestamp('2026-11-20T10:00:01+01:00'), Date.UTC(2026, 10, 20, 9, 0, 1));
  assert.equal(parseTimestamp('2026-11-20T09:00:01.000000500Z'), Date.UTC(2026, 10, 20, 9, 0, 1) + 0.0005);
  assert.equal(parseTimestamp('2026-11-20'), Date.UTC(2026, 10, 20));
  assert.equal(parseTimestamp('yesterday'), null);
  assert.equal(parseTimestamp(null), null);
  // The usual `YYYY-MM-DDTHH:MM:SS[.mmm]Z` shape has a fast path; it must agree with Date.parse.
  assert.equal(parseTimestamp('0050-01-01T00:00:00Z'), Date.parse('0050-01-01T00:00:00Z'));
  assert.equal(parseTimestamp('2026-11-20T25:00:01Z'), null);
  assert.equal(parseTimestamp('2026-11-20T09:60:01.000Z'), null);
  assert.equal(parseTimestamp('2026-11-20T09:00:60Z'), null);
});

test('odd events never make evaluation throw', async () => {
  const odd: Record<string, unknown>[] = [
    { a: { nested: true }, b: [[1, [2, null]], { x: 1 }], c: '\u0000\uffff😀', d: 1e308, e: -0, f: true, g: [] },
    { a: [null, null], b: 'x'.repeat(100_000), c: { length: 3 }, d: '12abc', e: NaN, f: 'true' },
    { 'a.b': { c: [{ d: 1 }, { d: [2, 3] }] }, a: { 'b.c': { d: 4 } } },
  ].map((x, i) => ({ ...x, id: i, '@timestamp': i, event: { category: 'process' } }));
  const queries = [
    'process where a == "x" or b : "x*" or c like~ "?" or d > 5 or e regex ".*" or f in ("true", 1)',
    'process where length(a) > 0 or startsWith(b, "x") or concat(a, b, c) : "*" or between(c, "a", "b") == ""',
    'process where cidrMatch(a, "10.0.0.0/8") or number(d) > 1 or string(b) == "1" or substring(c, -1) == "x"',
    'process where a.b.c.d == 2 and a.b.c.d in (4, 1) and divide(d, 0) == null and add(d, "1") == null',
    'process where not (a != null) or ?zz == null or indexOf~(c, "X") >= 0 or -d < 0 or d % 7 == 1',
  ];
  for (const q of queries) {
    const r = await run(q, odd);
    assert.ok(Array.isArray(r.matches), q);
  }
  const ids3 = await ids('process where a.b.c.d == 2 and a.b.c.d == 4', odd);
  assert.deepEqual(ids3, [[2]], 'dotted and nested spellings of one path are all searched');
});
