// One table for the docs of EQL keywords and operators: hover and completion both read it.
// Semantics as Elasticsearch runs them (see docs/eql-language.md).

export interface KeywordDoc {
  /** How it is written. */
  syntax: string;
  doc: string;
}

export const KEYWORD_DOCS: Record<string, KeywordDoc> = {
  where: { syntax: 'category where condition', doc: 'Selects events of a category (`any` for every category) that satisfy the condition.' },
  any: { syntax: 'any where condition', doc: 'Matches events of every category.' },
  and: { syntax: 'a and b', doc: 'Both conditions hold. Binds tighter than `or`.' },
  or: { syntax: 'a or b', doc: 'Either condition holds.' },
  not: { syntax: 'not condition', doc: 'Negates a condition; also `not in`, `not in~`.' },
  in: { syntax: 'field in ("a", "b")', doc: 'List membership, case-sensitive for strings. `not in` negates.' },
  'in~': { syntax: 'field in~ ("a", "b")', doc: 'List membership, case-insensitive for strings.' },
  like: { syntax: 'field like "cmd*"', doc: 'Case-sensitive wildcard match (`*` any characters, `?` one). Takes one literal or a list `(\"a*\", \"b\")`.' },
  'like~': { syntax: 'field like~ "cmd*"', doc: 'Case-insensitive wildcard match. Takes one literal or a list.' },
  regex: { syntax: 'field regex "[a-z]+\\\\.exe"', doc: 'Case-sensitive Lucene regular expression, matched against the whole value (implicitly anchored).' },
  'regex~': { syntax: 'field regex~ "..."', doc: 'Case-insensitive Lucene regular expression over the whole value.' },
  sequence: { syntax: 'sequence [by keys] [with maxspan=N]\n  [term] [term] ... [until [term]]', doc: 'Events matching each term in timestamp order. `by` partitions by join keys, `maxspan` bounds first-to-last time.' },
  sample: { syntax: 'sample by keys [term] [term] ...', doc: 'Events sharing the join keys, one per term, in any order; no timestamp needed.' },
  by: { syntax: 'sequence by host.id ... / [term] by user.name', doc: 'Join keys: events of a sequence or sample must share these values.' },
  with: { syntax: 'with maxspan=5m / with runs=3', doc: 'Sequence parameters: `maxspan` after the shared `by`, `runs` after a term.' },
  maxspan: { syntax: 'with maxspan=5m', doc: 'Longest time between the first and last event of a sequence. Units: ms, s, m, h, d; integers only.' },
  runs: { syntax: '[term] with runs=3', doc: 'The term repeats N times in a row (1 to 100).' },
  until: { syntax: 'until [term]', doc: 'An event matching this term drops the pending sequences of its join keys.' },
  join: { syntax: 'join ...', doc: 'Parsed for compatibility; Elasticsearch does not support `join`.' },
  of: { syntax: 'child of [...]', doc: 'Lineage (`child of`, `descendant of`): parsed; Elasticsearch does not support it.' },
  true: { syntax: 'true', doc: 'Boolean constant.' },
  false: { syntax: 'false', doc: 'Boolean constant.' },
  null: { syntax: 'field == null', doc: '`== null`: the field is absent or null; `!= null`: present.' },
  '==': { syntax: 'field == "value"', doc: 'Case-sensitive equality. **No wildcards**: `== "cmd*"` matches a literal `*`; use `:` or `like` for patterns.' },
  '!=': { syntax: 'field != "value"', doc: 'Case-sensitive inequality, no wildcards.' },
  ':': { syntax: 'field : "cmd*" / field : ("a*", "b")', doc: 'Case-insensitive equality with `*` and `?` wildcards; takes one literal or a list. Unlike `==`, which is case-sensitive and literal.' },
  '=': { syntax: '==', doc: '`=` alone is not equality in EQL: use `==` (exact) or `:` (case-insensitive, wildcards).' },
  '<': { syntax: 'a < b', doc: 'Numeric, date, or case-sensitive lexicographic comparison.' },
  '<=': { syntax: 'a <= b', doc: 'Numeric, date, or case-sensitive lexicographic comparison.' },
  '>': { syntax: 'a > b', doc: 'Numeric, date, or case-sensitive lexicographic comparison.' },
  '>=': { syntax: 'a >= b', doc: 'Numeric, date, or case-sensitive lexicographic comparison.' },
  '~': { syntax: 'startsWith~(s, "x")', doc: 'After a function name: the case-insensitive form (only between, endsWith, indexOf, startsWith, stringContains).' },
  '?': { syntax: '?field', doc: 'Optional field: a field no schema knows is `null` instead of an error.' },
  '|': { syntax: '| head 10 / | tail 10', doc: 'Pipe. Elasticsearch supports `head N` and `tail N`: the first / last N results.' },
  head: { syntax: '| head N', doc: 'Keeps the first N results.' },
  tail: { syntax: '| tail N', doc: 'Keeps the last N results.' },
  '![': { syntax: '![category where condition]', doc: 'Missing event: the sequence matches only if no such event occurs in this position within `maxspan` (mandatory then).' },
};

/** The operators of the table, longest first (so `==` wins over the `=` inside it). */
const OPERATORS = Object.keys(KEYWORD_DOCS)
  .filter((k) => !/^[A-Za-z]/.test(k))
  .sort((a, b) => b.length - a.length);

/** The operator at `q` in an EQL text, as a KEYWORD_DOCS key. */
export function operatorAt(text: string, q: number): { key: string; start: number; end: number } | undefined {
  for (const op of OPERATORS) {
    for (let s = Math.max(0, q - op.length + 1); s <= q; s++) {
      if (text.startsWith(op, s) && q < s + op.length) {
        // `=` inside `==`, `<=`... belongs to the longer operator, tried first.
        if (op === '=' && (text[s - 1] === '=' || text[s - 1] === '!' || text[s - 1] === '<' || text[s - 1] === '>' || text[s + 1] === '=')) continue;
        return { key: op, start: s, end: s + op.length };
      }
    }
  }
  return undefined;
}
