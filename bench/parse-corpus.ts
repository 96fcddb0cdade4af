// Parse + check every EQL query of the detection-rules corpus in one process and compare with
// the reference: upstream's Python parser takes ~2.5 ms per query (2.7 s for 1,081 queries).
// Target: 50x faster per query. Run: node --import tsx bench/parse-corpus.ts [rounds]
import { loadavg } from 'node:os';
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

/** Median wall time, median CPU time (user + system of this process) and best wall time of one pass. */
function measure(fn: (t: string) => unknown): { wall: number; cpu: number; best: number } {
  for (let i = 0; i < 5; i++) for (const t of texts) fn(t); // warm-up (JIT)
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const t of texts) fn(t);
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { wall: median(walls), cpu: median(cpus), best: Math.min(...walls) };
}

const lexMs = measure(lex);
const parseMs = measure(parseEql);
const totalMs = measure(analyzeEql);
const perQuery = totalMs.wall / texts.length;
// On a shared machine the wall clock includes time spent descheduled; CPU time does not
// (it does include the garbage collector's helper threads, so it can exceed wall time).
const row = (name: string, ms: { wall: number; cpu: number; best: number }) =>
  console.log(
    `${name.padEnd(22)} ${ms.wall.toFixed(1).padStart(8)} ms total  ${((ms.wall / texts.length) * 1000).toFixed(1).padStart(7)} us/query  ${(bytes / 1e6 / (ms.wall / 1000)).toFixed(1).padStart(6)} MB/s   (cpu ${ms.cpu.toFixed(1)} ms, best ${ms.best.toFixed(1)} ms)`,
  );
console.log(`${texts.length} queries, ${(bytes / 1024).toFixed(0)} KB of EQL; median of ${rounds} rounds after warm-up; load average ${loadavg()[0].toFixed(1)}`);
row('lex only', lexMs);
row('parse (lex + parse)', parseMs);
row('parse + check', totalMs);
const ref = REFERENCE_MS_PER_QUERY * texts.length;
console.log(`${'reference (Python)'.padEnd(22)} ${ref.toFixed(1).padStart(8)} ms total  ${(REFERENCE_MS_PER_QUERY * 1000).toFixed(1).padStart(7)} us/query  ${(bytes / 1e6 / (ref / 1000)).toFixed(1).padStart(6)} MB/s`);
console.log(`speed-up per query vs reference: ${(REFERENCE_MS_PER_QUERY / perQuery).toFixed(0)}x wall, ${(REFERENCE_MS_PER_QUERY / (totalMs.cpu / texts.length)).toFixed(0)}x cpu (target: 50x)`);
