// Evaluation-only throughput of the engine on pre-parsed events (no reading, no JSON.parse).
// Run by bench/engine.ts (bundled, in a child process); prints one JSON array.
// Usage: node engine-eval.js EVENTS.ndjson
import { createReadStream } from 'node:fs';
import { compileEql, runQuery } from '../server/src/engine/index';
import { QUERIES } from './engine-queries';

const file = process.argv[2];

async function loadEvents(n: number): Promise<unknown[]> {
  const events: unknown[] = [];
  let carry = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop() ?? '';
    for (const l of lines) if (l && events.length < n) events.push(JSON.parse(l));
    if (events.length >= n) break;
  }
  return events;
}

/**
 * Engine throughput on pre-parsed events (no reading, no JSON.parse): over a small set that
 * stays in CPU cache (what the evaluator itself costs; measured first, while the heap is
 * small), then over a large set (memory-bound).
 */
export async function evaluationOnly(): Promise<{ label: string; small: number; large: number }[]> {
  const rate = async (query: string, set: unknown[], total: number) => {
    const c = compileEql(query);
    if (!c.query) throw new Error(`bench query does not compile: ${JSON.stringify(c.diagnostics)}`);
    const rounds = Math.max(1, Math.round(total / set.length));
    // Warm up so the measured rounds run optimised code.
    for (let i = 0; i < Math.max(1, Math.round(rounds / 5)); i++) await runQuery(c.query, set);
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) await runQuery(c.query, set, { size: 1000 });
    return (set.length * rounds) / ((performance.now() - t0) / 1000);
  };
  const small = await loadEvents(5000);
  const smallRates: number[] = [];
  for (const { query } of QUERIES) smallRates.push(await rate(query, small, 1_000_000));
  const large = await loadEvents(200_000);
  const out: { label: string; small: number; large: number }[] = [];
  for (const [i, { label, query }] of QUERIES.entries()) out.push({ label, small: smallRates[i], large: await rate(query, large, 1_000_000) });
  return out;
}


evaluationOnly().then(
  (r) => process.stdout.write(JSON.stringify(r)),
  (e) => {
    process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
    process.exitCode = 1;
  },
);
