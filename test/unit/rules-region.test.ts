import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseRuleFile } from '../../server/src/rules/ruleFile';
import { fileRegion } from '../../server/src/rules/region';

const rule = (queryToml: string, eol = '\n') => ['[metadata]', 'creation_date = "2020/01/01"', '', '[rule]', 'language = "eql"', `query = ${queryToml}`, 'type = "eql"', ''].join(eol);

/** Asserts that query offset `q` (the start of `needle` in the decoded text) maps to `docNeedle` in the document. */
function assertMaps(text: string, needle: string, docNeedle = needle) {
  const rf = parseRuleFile(text);
  const r = rf.queries[0];
  const q = r.text.indexOf(needle);
  assert.ok(q >= 0, `decoded query contains ${needle}`);
  const d = r.toDocumentOffset(q);
  assert.equal(text.slice(d, d + docNeedle.length), docNeedle);
  assert.equal(r.toQueryOffset(d), q);
  return r;
}

test("''' strings: the first newline is trimmed and offsets are exact", () => {
  const text = rule("'''\nprocess where process.name == \"a\\\\b\"\n'''");
  const r = assertMaps(text, 'process.name');
  assert.equal(r.text, 'process where process.name == "a\\\\b"\n');
  assert.equal(r.style, 'multiline-literal');
  assert.equal(text.slice(r.valueSpan.start, r.valueSpan.start + 3), "'''");
  assert.equal(r.toQueryOffset(r.valueSpan.start), null, 'the quotes are outside the query');
  assert.equal(r.toDocumentOffset(r.text.length), r.contentSpan.end);
});

test('""" strings: escapes, \\u / \\U and line-ending backslashes map to their source', () => {
  const text = rule('"""\nprocess where a == \\"x\\u0041\\U0001F600\\" and \\\n     b == 1\n"""');
  const r = parseRuleFile(text).queries[0];
  assert.equal(r.text, 'process where a == "xA\u{1F600}" and b == 1\n');
  assertMaps(text, 'b == 1');
  assertMaps(text, 'A', '\\u0041');
  // the quote decoded from \" starts at the backslash
  const q = r.text.indexOf('"');
  assert.equal(text.slice(r.toDocumentOffset(q), r.toDocumentOffset(q) + 2), '\\"');
  // a span over the decoded `"xA😀"` covers the whole escaped source
  const s = r.toDocumentSpan({ start: q, end: r.text.indexOf(' and') });
  assert.equal(text.slice(s.start, s.end), '\\"x\\u0041\\U0001F600\\"');
  // a span ending at `and` does not swallow the line-ending backslash
  const and = r.text.indexOf('and');
  const s2 = r.toDocumentSpan({ start: and, end: and + 3 });
  assert.equal(text.slice(s2.start, s2.end), 'and');
  // document offsets inside an escape map back to the escape's character
  assert.equal(r.toQueryOffset(r.toDocumentOffset(q) + 1), q);
});

test("single-line '...' and \"...\" strings", () => {
  const lit = rule("'process where x : \"a*\"'");
  assert.equal(assertMaps(lit, 'x :').text, 'process where x : "a*"');
  const basic = rule('"process where x : \\"a*\\" and y == \\"\\\\t\\""');
  const r = assertMaps(basic, 'y ==');
  assert.equal(r.text, 'process where x : "a*" and y == "\\t"');
  assert.equal(r.encode('say "hi"\n'), 'say \\"hi\\"\\n');
});

test('CRLF files: CRLF inside multi-line strings decodes to LF and still maps exactly', () => {
  for (const q of ["'''\r\nsequence by host.id\r\n  [process where a == 1]\r\n  [file where b == 2]\r\n'''", '"""\r\nsequence by host.id\r\n  [process where a == 1] \\\r\n  [file where b == 2]\r\n"""']) {
    const text = rule(q, '\r\n');
    const r = assertMaps(text, '[file where');
    assert.ok(!r.text.includes('\r'));
    assertMaps(text, 'b == 2');
    assert.equal(r.text.startsWith('sequence'), true);
  }
});

test('the trap: query lines starting with `[process where` stay inside the string', () => {
  const text = rule("'''\nsequence by host.id with maxspan=1m\n[process where event.type == \"start\"]\n[network where true]\n'''");
  const rf = parseRuleFile(text);
  assert.deepEqual(rf.diagnostics, []);
  assert.equal(rf.rule.type, 'eql', 'keys after the query still belong to [rule]');
  assert.equal([...rf.tables.keys()].join(','), 'metadata,rule');
  assertMaps(text, '[network where');
});

test('.eql files: the whole file is the query', () => {
  const r = fileRegion('process where true\n');
  assert.equal(r.text, 'process where true\n');
  assert.equal(r.toDocumentOffset(8), 8);
  assert.equal(r.toQueryOffset(19), 19);
});

test('property: any string, written in any TOML style, decodes to itself and maps consistently', () => {
  const encoders: Record<string, (s: string) => string | null> = {
    basic: (s) => JSON.stringify(s).replace(/\\u007f/g, '\\u007F'),
    multiBasic: (s) => '"""\n' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"""',
    literal: (s) => (/['\n\r\u0000-\u0008\u000a-\u001f\u007f]/.test(s) ? null : `'${s}'`),
    multiLiteral: (s) => (/'|[\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) ? null : `'''\n${s}'''`),
  };
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom(...Object.keys(encoders)), (s, style) => {
      const enc = encoders[style](s);
      if (enc === null) return;
      const text = rule(enc);
      const rf = parseRuleFile(text);
      if (rf.diagnostics.length) return; // the encoder produced something TOML rejects (e.g. lone surrogates)
      const r = rf.queries[0];
      assert.equal(r.text, rf.rule.query, 'our decoding equals the TOML parser\'s');
      assert.equal(r.text, s);
      let prev = -1;
      for (let i = 0; i <= r.text.length; i++) {
        const d = r.toDocumentOffset(i);
        assert.ok(d >= prev && d >= r.contentSpan.start && d <= r.contentSpan.end);
        assert.equal(r.toQueryOffset(d), i === r.text.length || d !== r.toDocumentOffset(i + 1) ? i : r.toQueryOffset(d));
        prev = d;
      }
    }),
    { numRuns: 400 },
  );
});

const corpus = join(__dirname, '../../../shared/corpus/detection-rules/rules');
test('corpus: every query decodes as the TOML parser does and maps back to its own characters', { skip: existsSync(corpus) ? false : `corpus not found at ${corpus}` }, () => {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.toml') ? [join(d, e.name)] : []));
  let trap = 0;
  for (const f of walk(corpus)) {
    const text = readFileSync(f, 'utf8');
    const rf = parseRuleFile(text);
    assert.deepEqual(rf.diagnostics, [], f);
    // Lines that look like a TOML table header (`[process where ...`) must all lie inside the query.
    const traps = [...text.matchAll(/^\[[a-z_]+ where/gm)].map((m) => m.index);
    if (traps.length) trap++;
    for (const at of traps) assert.ok(rf.queries.some((r) => r.toQueryOffset(at) !== null), `${f}: [.. where at ${at} is inside the query`);
    for (const r of rf.queries) {
      assert.equal(r.text, rf.rule.query, f);
      for (let i = 0; i < r.text.length; i += 13) {
        const d = r.toDocumentOffset(i);
        if (r.text[i] !== '\n') assert.equal(text[d], r.text[i], `${f} @${i}`);
        assert.equal(r.toQueryOffset(d), i, f);
      }
    }
  }
  assert.ok(trap >= 12, `files with query lines starting with \`[category where\`: ${trap}`);
});
