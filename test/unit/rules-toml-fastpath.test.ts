// parseToml cuts long plain multi-line strings out before parsing and puts them back (a speed-up
// of the cold check). The tree must be exactly the library's own for the whole text: every
// range, loc, value and token. These tests compare the two on real and generated rule files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseToml } from '../../server/src/rules/toml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('toml-eslint-parser') as { parseTOML(text: string): unknown };

/** The tree as data: `parent` links dropped (they would make it cyclic), bigints (integers) as text. */
const plain = (ast: unknown) => JSON.stringify(ast, (k, v) => (k === 'parent' ? undefined : typeof v === 'bigint' ? `${v}n` : v));

function libTree(text: string): string | null {
  let ast: unknown;
  try {
    ast = lib.parseTOML(text);
  } catch {
    return null;
  }
  return plain(ast);
}

function assertSameTree(text: string, label: string): void {
  const expected = libTree(text);
  const ours = parseToml(text);
  if (expected === null) {
    assert.ok(ours.diagnostics.length > 0, `${label}: the library rejects it, so must we`);
    return;
  }
  assert.deepEqual(ours.diagnostics, [], label);
  assert.equal(plain(ours.ast), expected, label);
}

function tomlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tomlFiles(join(dir, e.name)) : e.name.endsWith('.toml') ? [join(dir, e.name)] : [],
  );
}

test('the fast path gives the library tree on our fixtures and samples, LF and CRLF', () => {
  const files = [...tomlFiles('test/fixtures/rules'), ...tomlFiles('samples/rules')];
  assert.ok(files.length >= 10, 'fixtures present');
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    assertSameTree(text, f);
    assertSameTree(text.replace(/\r?\n/g, '\r\n'), `${f} (CRLF)`);
  }
});

const CORPUS = join('..', 'shared', 'corpus', 'detection-rules', 'rules');
test('the fast path gives the library tree on every corpus rule', { skip: existsSync(CORPUS) ? false : `corpus not found at ${CORPUS} (../shared is absent)` }, () => {
  const files = tomlFiles(CORPUS);
  assert.ok(files.length > 2000);
  for (const f of files) assertSameTree(readFileSync(f, 'utf8'), f);
});

test('the fast path gives the library tree on generated documents with long strings', () => {
  // Content mixes the characters that matter at a cut's edges: quotes, newlines, tabs, CR,
  // backslashes, non-ASCII and surrogate pairs.
  const piece = fc.constantFrom('a', 'process where true', '"', "'", '\n', '\t', '\r\n', '\\', '\\n', 'é', '😀', '#', '[rule]', ' = ', '""', "''");
  const content = fc.array(piece, { minLength: 0, maxLength: 60 }).map((p) => p.join(''));
  const quote = fc.constantFrom('"""', "'''");
  const entry = fc.tuple(fc.constantFrom('note', 'query', 'setup', 'description'), quote, content, fc.boolean()).map(([key, q, body, lead]) => `${key} = ${q}${lead ? '\n' : ''}${body}${q}\n`);
  const doc = fc.tuple(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.array(entry, { maxLength: 3 })).map(
    ([rule, meta]) => `[metadata]\ncreation_date = "2024/01/01"\n${meta.join('')}\n[rule]\nname = "x"\n${rule.join('')}tags = ["a", "b"]\n`,
  );
  fc.assert(
    fc.property(doc, (text) => {
      assertSameTree(text, JSON.stringify(text));
    }),
    { numRuns: 400, seed: 42 },
  );
});
