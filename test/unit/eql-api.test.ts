// The EQL front end's public API beyond parse/check fixtures: tokens for highlighting,
// position -> node lookup, partial trees after errors, and the shared Lucene regex parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeEql, checkEql, nodeAtOffset, parseEql, parseLuceneRegex, tokenizeEql } from '../../server/src/eql/index';
import type { Node } from '../../server/src/eql/ast';

function tokens(text: string): string[] {
  return tokenizeEql(text).map((t) => `${t.type}:${text.slice(t.start, t.end)}`);
}

test('tokenizeEql classifies keywords, categories, fields, functions, literals and comments', () => {
  const text = 'sequence by host.id with maxspan=5m\n  [process where endsWith~(process.name, "x") /* c */ and ?a.b in (1, 2.5)] with runs=2 // end\n| head 3';
  assert.deepEqual(tokens(text), [
    'keyword:sequence', 'keyword:by', 'field:host.id',
    'keyword:with', 'keyword:maxspan', 'operator:=', 'number:5', 'keyword:m',
    'punctuation:[', 'category:process', 'keyword:where', 'function:endsWith~', 'punctuation:(', 'field:process.name',
    'punctuation:,', 'string:"x"', 'punctuation:)', 'comment:/* c */', 'keyword:and', 'operator:?', 'field:a.b', 'keyword:in',
    'punctuation:(', 'number:1', 'punctuation:,', 'number:2.5', 'punctuation:)', 'punctuation:]', 'keyword:with', 'keyword:runs', 'operator:=', 'number:2',
    'comment:// end', 'punctuation:|', 'keyword:head', 'number:3',
  ]);
});

test('tokenizeEql never throws and keeps unknown characters out of the token list', () => {
  assert.deepEqual(tokens('a && "open'), ['field:a', 'string:"open']);
  assert.deepEqual(tokens(''), []);
  assert.deepEqual(tokens('/* never closed'), ['comment:/* never closed']);
});

function at(text: string, needle: string, delta = 0): { node: Node; ancestors: Node[] } {
  const { ast } = parseEql(text);
  return nodeAtOffset(ast, text.indexOf(needle) + delta);
}

test('nodeAtOffset finds the innermost node and its ancestors', () => {
  const text = 'sequence by host.id with maxspan=5m [process where length(process.name) > 3]   [file where true]';
  const r = at(text, 'process.name', 3);
  assert.equal(r.node.kind, 'field');
  assert.deepEqual(r.ancestors.map((n) => n.kind), ['statement', 'sequence', 'term', 'filter', 'compare', 'call']);
  assert.equal(at(text, 'maxspan').node.kind, 'maxspan');
  assert.equal(at(text, 'file').node.kind, 'category');
  assert.equal(at(text, 'host.id').node.kind, 'field');
  // just after an identifier (where completion happens) still finds it
  const end = at(text, 'process.name', 'process.name'.length);
  assert.equal(end.node.kind, 'field');
  // whitespace between terms belongs to the sequence
  assert.equal(at(text, ']   [', 2).node.kind, 'sequence');
});

test('nodeAtOffset works on partial trees of broken queries', () => {
  const text = 'process where process.name == "cmd.exe" and process.args : ';
  const r = nodeAtOffset(parseEql(text).ast, text.indexOf('args'));
  assert.equal(r.node.kind, 'field');
  assert.equal((r.node as { name: string }).name, 'process.args');
});

test('a syntax error keeps the rest of the tree: earlier operands, other terms, pipes', () => {
  const { ast, diagnostics } = parseEql('sequence [process where a == 1 and b == ] [file where c == 2] | head 5');
  assert.equal(diagnostics.length, 1);
  assert.equal(ast.query.kind, 'sequence');
  assert.equal(ast.query.kind === 'sequence' && ast.query.terms.length, 2);
  assert.equal(ast.pipes.length, 1);
  const first = ast.query.kind === 'sequence' ? ast.query.terms[0].filter.condition : null;
  assert.equal(first?.kind, 'and');
  assert.deepEqual(first?.kind === 'and' && first.operands.map((o) => o.kind), ['compare', 'error']);
});

test('a query cut short while typing keeps its parsed prefix', () => {
  for (const text of ['process where a == 1 and', 'process where a == 1 and b :', 'sequence [process where true] [file where', 'process where a in ("x", ']) {
    const { ast, diagnostics } = parseEql(text);
    assert.equal(diagnostics.length, 1, text);
    assert.notEqual(ast.query.kind === 'event' ? ast.query.filter.category.name : 'sequence', null, text);
  }
});

test('checkEql runs on hand-built trees and never throws on broken ones', () => {
  const { ast } = parseEql('process where length(a, b) > 1');
  assert.deepEqual(checkEql(ast).map((d) => d.code), ['eql/arity']);
  const broken = parseEql('sequence [ ] [').ast;
  assert.doesNotThrow(() => checkEql(broken));
});

test('analyzeEql drops check findings inside broken parts', () => {
  // `length(a, b)` is an arity error, but the term it is in cannot be parsed: one diagnostic.
  const { diagnostics } = analyzeEql('process where length(a, b) > ');
  assert.deepEqual(diagnostics.map((d) => d.code), ['eql/syntax']);
});

test('function names are case-insensitive and ~ is allowed on the five functions that have it', () => {
  const ok = analyzeEql('process where cidrmatch(source.ip, "10.0.0.0/8") and STARTSWITH~(a, "x") and stringcontains~(b, "y") and between~(c, "a", "b") and indexOf~(d, "e") >= 0 and endswith~(e, "f")');
  assert.deepEqual(ok.diagnostics, []);
  const bad = analyzeEql('process where concat~(a, "b") == "x" and SUBSTRING~(a, 1) == "y"');
  assert.deepEqual(bad.diagnostics.map((d) => d.code), ['eql/function-case-insensitive', 'eql/function-case-insensitive']);
});

test('maxspan values are computed in milliseconds for every unit', () => {
  const ms = (u: string) => {
    const q = parseEql(`sequence with maxspan=3${u} [a where true] [b where true]`).ast.query;
    return q.kind === 'sequence' ? q.maxspan?.ms : undefined;
  };
  assert.deepEqual(['ms', 's', 'm', 'h', 'd', 'x', ''].map(ms), [3, 3000, 180_000, 10_800_000, 259_200_000, null, null]);
});

test('parseLuceneRegex: Elasticsearch default syntax (all optional operators on)', () => {
  const ok = ['a.*b', '(a|b)+c?', '[a-z0-9_]{2,5}', '[^abc]', '"lit(eral)"', '\\(escaped\\)', '<1-100>', '~(a.*)', 'a.*&.*b', '@', '#', '\\d+\\s\\w', '', 'a{3}', 'a{2,}', '*start'];
  for (const p of ok) assert.equal(parseLuceneRegex(p).ok, true, p);
  const bad: [string, number][] = [['(ab', 3], ['ab)', 2], ['[z-a]', 1], ['x{3,1}', 1], ['[abc', 4], ['a|', 2], ['<x>', 0], ['<1-a>', 0], ['"open', 0], ['a{', 2], ['a{1', 3]];
  for (const [p, offset] of bad) {
    const r = parseLuceneRegex(p);
    assert.equal(r.ok, false, p);
    assert.equal(!r.ok && r.offset, offset, p);
  }
});

test('parseLuceneRegex produces the documented tree', () => {
  assert.deepEqual(parseLuceneRegex('a[0-9]*|"x"').ok && parseLuceneRegex('a[0-9]*|"x"'), {
    ok: true,
    ast: {
      type: 'union',
      items: [
        { type: 'concat', items: [{ type: 'char', cp: 97 }, { type: 'repeat', item: { type: 'class', negated: false, ranges: [[48, 57]] }, min: 0, max: null }] },
        { type: 'string', value: 'x' },
      ],
    },
  });
  assert.deepEqual(parseLuceneRegex('<007-10>'), { ok: true, ast: { type: 'interval', min: 7, max: 10, digits: 0 } });
  assert.deepEqual(parseLuceneRegex('~😀'), { ok: true, ast: { type: 'complement', item: { type: 'char', cp: 0x1f600 } } });
});

test('array indexes are parsed into the field path, then reported as unsupported', () => {
  const { ast, diagnostics } = analyzeEql('process where a.b[0][1].c == 3');
  const cond = ast.query.kind === 'event' ? ast.query.filter.condition : null;
  const field = cond?.kind === 'compare' ? cond.left : null;
  assert.deepEqual(field?.kind === 'field' && [field.name, field.path], ['a.b.c', ['a', 'b', 0, 1, 'c']]);
  assert.deepEqual(diagnostics.map((d) => d.code), ['eql/unsupported-array-index']);
});

test('checkEql alone (as the analysis facade calls it) stays quiet about broken parts', () => {
  // the second term lost its condition: counting its keys or terms would only add noise
  const { ast, diagnostics } = parseEql('sequence by h [process where a == 1] by x [file where b == ]');
  assert.deepEqual(diagnostics.map((d) => d.code), ['eql/syntax']);
  assert.deepEqual(checkEql(ast), []);
});
