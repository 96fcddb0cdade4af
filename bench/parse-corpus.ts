// Parse + check every EQL query of the detection-rules corpus in one process and compare with
// the reference: upstream's Python parser takes ~2.5 ms per query (2.7 s for 1,081 queries).
// Target: 50x faster per query. Run: node --import tsx bench/parse-corpus.ts [rounds]
import { analyzeEql } from '../server/src/eql/index';
import { parseEql } from '../server/src/eql/parser';
import { lex } from '../server/src/eql/lexer';
import { loadCorpusQueries, RULES_DIR } from '../test/unit/eql-corpus-queries';

const queries = loadCorpusQueries();
if (!queries) {
  console.log(`corpus not found at ${RULES_DIR}; nothing to measure`);
  process.exit(0);
}
const texts = queries.map((q) => q.query);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const rounds = Number(process.argv[2] ?? 15);
const REFERENCE_MS_PER_QUERY = 2700 / 1081;

function measure(fn: (t: string) => unknown): number {
  for (let i = 0; i < 5; i++) for (const t of texts) fn(t); // warm-up (JIT)
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const t of texts) fn(t);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const lexMs = measure(lex);
const parseMs = measure(parseEql);
const totalMs = measure(analyzeEql);
const perQuery = totalMs / texts.length;
const row = (name: string, ms: number) =>
  console.log(`${name.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms total  ${((ms / texts.length) * 1000).toFixed(1).padStart(7)} us/query  ${(bytes / 1e6 / (ms / 1000)).toFixed(1).padStart(6)} MB/s`);
console.log(`${texts.length} queries, ${(bytes / 1024).toFixed(0)} KB of EQL; median of ${rounds} rounds after warm-up`);
row('lex only', lexMs);
row('parse (lex + parse)', parseMs);
row('parse + check', totalMs);
row('reference (Python)', REFERENCE_MS_PER_QUERY * texts.length);
console.log(`speed-up per query vs reference: ${(REFERENCE_MS_PER_QUERY / perQuery).toFixed(0)}x (target: 50x)`);
