// Robustness: whatever the text, parsing and checking never throw, never hang and only report
// spans inside the text. Inputs: mutated corpus queries, random token soup, random unicode,
// and pathological nesting that would overflow a naive recursive parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeEql, nodeAtOffset, tokenizeEql } from '../../server/src/eql/index';
import { loadCorpusQueries } from './eql-corpus-queries';

/** Generous per-query bound: catches hangs and blow-ups, not noise on a busy machine. */
const MAX_MS = 2000;

function robust(text: string): void {
  const t0 = performance.now();
  const { ast, diagnostics } = analyzeEql(text);
  const ms = performance.now() - t0;
  assert.ok(ms < MAX_MS, `took ${ms.toFixed(0)} ms for ${JSON.stringify(text.slice(0, 80))}`);
  assert.equal(ast.kind, 'statement');
  for (const d of diagnostics) {
    assert.ok(0 <= d.span.start && d.span.start <= d.span.end && d.span.end <= text.length, `span ${JSON.stringify(d.span)} outside [0, ${text.length}] for ${JSON.stringify(text)}: ${d.message}`);
    for (const f of d.fixes ?? []) for (const e of f.edits) assert.ok(0 <= e.span.start && e.span.start <= e.span.end && e.span.end <= text.length, 'fix span in range');
  }
  let at = 0;
  for (const tok of tokenizeEql(text)) {
    assert.ok(tok.start >= at && tok.end > tok.start && tok.end <= text.length, 'tokens ordered and in range');
    at = tok.end;
  }
  for (const offset of [0, text.length >> 1, text.length]) nodeAtOffset(ast, offset);
}

const corpus = loadCorpusQueries();
const SOUP = [
  'sequence', 'sample', 'join', 'by', 'with', 'maxspan', '=', '5m', 'runs', 'until', 'where', 'any', 'process', 'and', 'or', 'not',
  'in', 'in~', 'like', 'like~', 'regex', 'regex~', ':', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '(', ')', '[', ']', '![',
  ',', '.', '|', 'head', 'tail', '1', '1.5', '.5', '1e3', '"x*"', '"\\u{41}"', '"""r\\"""', "'s'", '?"q"', '?', 'a.b', '`b``t`', 'a[0]',
  'endsWith~', 'cidrMatch', 'length', 'true', 'false', 'null', 'child', 'of', '//c\n', '/*', '*/', '"', '`', '~', '!', '&', '\n', ' ',
];

test('mutated corpus queries never throw, hang or report out-of-range spans', { skip: corpus ? false : 'corpus (../shared) is absent' }, () => {
  const queries = corpus!.map((q) => q.query);
  const mutation = fc.oneof(
    // delete a range
    fc.tuple(fc.constant('delete' as const), fc.nat(), fc.integer({ min: 1, max: 12 }), fc.constant('')),
    // insert a soup token
    fc.tuple(fc.constant('insert' as const), fc.nat(), fc.constant(0), fc.constantFrom(...SOUP)),
    // insert a random character
    fc.tuple(fc.constant('insert' as const), fc.nat(), fc.constant(0), fc.string({ minLength: 1, maxLength: 1 })),
    // swap two adjacent characters
    fc.tuple(fc.constant('swap' as const), fc.nat(), fc.constant(2), fc.constant('')),
  );
  fc.assert(
    fc.property(fc.nat({ max: queries.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (qi, muts) => {
      let text = queries[qi];
      for (const [kind, pos, len, ins] of muts) {
        const at = pos % (text.length + 1);
        if (kind === 'delete') text = text.slice(0, at) + text.slice(at + len);
        else if (kind === 'insert') text = text.slice(0, at) + ins + text.slice(at);
        else if (at + 1 < text.length) text = text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
      }
      robust(text);
    }),
    { numRuns: 400 },
  );
});

test('random token soup never throws, hangs or reports out-of-range spans', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...SOUP), { maxLength: 60 }), fc.boolean(), (toks, spaced) => robust(toks.join(spaced ? ' ' : ''))),
    { numRuns: 1500 },
  );
});

test('random unicode text never throws', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => robust(s)),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => robust('process where a == ' + s)),
    { numRuns: 500 },
  );
});

test('5,000 nested parentheses: one too-deep diagnostic, no stack overflow', () => {
  const text = 'process where ' + '('.repeat(5000) + 'a == 1' + ')'.repeat(5000);
  robust(text);
  const codes = analyzeEql(text).diagnostics.map((d) => d.code);
  assert.deepEqual(codes, ['eql/too-deep']);
});

test('5,000 unclosed parentheses, brackets and calls do not overflow the stack', () => {
  robust('process where ' + '('.repeat(5000));
  robust('process where ' + 'length('.repeat(5000) + 'a' + ')'.repeat(5000));
  robust('process where ' + 'child of [process where '.repeat(3000));
  robust('sequence ' + '['.repeat(5000));
  robust('process where a in (' + '('.repeat(5000));
});

test('a 10,000-term or chain parses into one flat node', () => {
  const text = 'process where ' + Array.from({ length: 10_000 }, (_, i) => `a == ${i}`).join(' or ');
  const { ast, diagnostics } = analyzeEql(text);
  assert.deepEqual(diagnostics, []);
  const cond = ast.query.kind === 'event' ? ast.query.filter.condition : null;
  assert.equal(cond?.kind, 'or');
  assert.equal(cond?.kind === 'or' && cond.operands.length, 10_000);
  robust(text);
});

test('10,000-long chains of not, unary minus and + do not overflow the parser or the checks', () => {
  robust('process where ' + 'not '.repeat(10_000) + 'a == 1');
  robust('process where a == ' + '- '.repeat(10_000) + '1');
  const plus = 'process where a == ' + Array.from({ length: 10_000 }, (_, i) => String(i)).join(' + ');
  robust(plus);
  // the left-deep arithmetic tree is 10,000 levels deep: navigation must still reach a leaf
  const at = plus.length - 2;
  assert.equal(nodeAtOffset(analyzeEql(plus).ast, at).node.kind, 'literal');
});
