import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTIONS, lookupFunction, arity, signature, parseIP, parseCIDR, ipInCIDR } from '../../server/src/eql/functions';
import { LineMap } from '../../server/src/core/lines';

const call = (name: string, args: (string | number | boolean | null)[], ci = false) => lookupFunction(name)!.impl(args, ci);

test('function names resolve case-insensitively', () => {
  assert.equal(lookupFunction('CIDRMATCH')?.name, 'cidrMatch');
  assert.equal(lookupFunction('stringcontains')?.name, 'stringContains');
  assert.equal(lookupFunction('nope'), undefined);
});

test('exactly five functions accept ~', () => {
  assert.deepEqual(FUNCTIONS.filter((f) => f.caseInsensitive).map((f) => f.name).sort(), ['between', 'endsWith', 'indexOf', 'startsWith', 'stringContains']);
});

test('arity and signature come from the parameter list', () => {
  assert.deepEqual(arity(lookupFunction('between')!), { min: 3, max: 4 });
  assert.deepEqual(arity(lookupFunction('cidrMatch')!), { min: 2, max: Infinity });
  assert.equal(signature(lookupFunction('substring')!), 'substring(source, start[, end])');
  assert.equal(signature(lookupFunction('endsWith')!), 'endsWith[~](source, substring)');
});

test('string functions follow Elasticsearch semantics', () => {
  assert.equal(call('between', ['C:\\Windows\\System32\\cmd.exe', 'System32\\', '.exe']), 'cmd');
  assert.equal(call('between', ['a.b.c.d', '.', '.', true]), 'b.c');
  assert.equal(call('between', ['ABC', 'a', 'c'], true), 'B');
  assert.equal(call('substring', ['start regsvr32.exe', -4]), '.exe');
  assert.equal(call('substring', ['start regsvr32.exe', 1, 3]), 'ta');
  assert.equal(call('indexOf', ['hello', 'l', 3]), 3);
  assert.equal(call('indexOf', ['hello', 'z']), null);
  assert.equal(call('endsWith', ['cmd.EXE', '.exe'], true), true);
  assert.equal(call('endsWith', ['cmd.EXE', '.exe'], false), false);
  assert.equal(call('concat', ['a', 1, true]), 'a1true');
  assert.equal(call('concat', ['a', null]), null);
  assert.equal(call('length', [null]), null);
});

test('arithmetic: integer division truncates, null propagates', () => {
  assert.equal(call('divide', [7, 2]), 3);
  assert.equal(call('divide', [7.0, 2.5]), 2.8);
  assert.equal(call('add', [1, null]), null);
  assert.equal(call('number', ['0x1F']), 31);
  assert.equal(call('number', ['ff', 16]), 255);
  assert.equal(call('number', ['abc']), null);
});

test('cidrMatch handles IPv4, IPv6 and mapped addresses', () => {
  assert.equal(call('cidrMatch', ['10.1.2.3', '192.168.0.0/16', '10.0.0.0/8']), true);
  assert.equal(call('cidrMatch', ['11.1.2.3', '10.0.0.0/8']), false);
  assert.equal(call('cidrMatch', ['fe80::1', 'fe80::/10']), true);
  assert.equal(call('cidrMatch', ['2001:db8::1', 'fe80::/10']), false);
  assert.equal(call('cidrMatch', ['::ffff:10.0.0.1', '10.0.0.0/8']), true);
  assert.equal(call('cidrMatch', ['not-an-ip', '10.0.0.0/8']), null);
  assert.equal(parseIP('1::2::3'), null);
  assert.equal(parseCIDR('10.0.0.0/33'), null);
  assert.ok(ipInCIDR(parseIP('127.0.0.1')!, parseCIDR('127.0.0.0/8')!));
});

test('LineMap converts offsets and positions both ways, for \\n and \\r\\n', () => {
  const m = new LineMap('ab\r\ncd\nef');
  assert.deepEqual(m.position(5), { line: 1, character: 1 });
  assert.deepEqual(m.position(8), { line: 2, character: 1 });
  assert.equal(m.offset({ line: 1, character: 1 }), 5);
  assert.equal(m.offset({ line: 9, character: 0 }), 9);
  assert.equal(m.lineCount, 3);
});
