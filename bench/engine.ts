// Engine benchmark: prints, side by side, the time to read and JSON.parse every line of the
// events file (the floor), then `eql-rules run` (the built CLI, one child process each) for a
// single-event rule, a two-term sequence with `by` + `maxspan` and a regex-heavy rule, with
// each child's peak RSS; then evaluation-only throughput on pre-parsed events in-process.
// Usage: npx tsx bench/engine.ts [events.ndjson]   (generates bench/.data/engine-events.ndjson
// with bench/gen-events.ts when missing; `npm run build` first)
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { QUERIES } from './engine-queries';

const root = join(__dirname, '..');
const data = join(root, 'bench/.data');
const file = process.argv[2] ?? join(data, 'engine-events.ndjson');
const PYTHON_EQL_EVENTS_PER_S = 0.66e6;


function sh(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

// Children report their own peak RSS (process.resourceUsage().maxRSS, KiB) on exit.
const hook = join(data, 'rss-hook.cjs');

interface Child {
  ms: number;
  rssMb: number;
  stdout: string;
}

function child(args: string[]): Child {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-r', hook, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const m = /PEAK_RSS_KB=(\d+)/.exec(r.stderr);
  return { ms, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

// The floor: read in large chunks, split lines, JSON.parse each, nothing else.
const READ_PARSE = `
const fs = require('fs');
let n = 0, carry = null;
const s = fs.createReadStream(process.argv[1], { highWaterMark: 4 << 20 });
s.on('data', (chunk) => {
  let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
  const last = buf.lastIndexOf(10);
  if (last < 0) { carry = buf; return; }
  const text = buf.toString('utf8', 0, last);
  carry = Buffer.from(buf.subarray(last + 1));
  let start = 0;
  for (;;) { const nl = text.indexOf('\\n', start); const end = nl < 0 ? text.length : nl; if (end > start) { JSON.parse(text.slice(start, end)); n++; } if (nl < 0) break; start = nl + 1; }
});
s.on('end', () => { if (carry && carry.length) { JSON.parse(carry.toString()); n++; } process.stdout.write(String(n)); });
`;

const fmtRate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`);
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

/**
 * Engine throughput on pre-parsed events (no reading, no JSON.parse): over a small set that
 * stays in CPU cache (what the evaluator itself costs), and over a large set (memory-bound).
 */
async function main() {
  if (!existsSync(file)) sh(process.execPath, ['--import', 'tsx', 'bench/gen-events.ts', '1000000', file]);
  writeFileSync(hook, "process.on('exit', () => process.stderr.write('\\nPEAK_RSS_KB=' + process.resourceUsage().maxRSS + '\\n'));\n");
  sh('npm', ['run', 'build', '--silent']);
  const mb = statSync(file).size / 1e6;
  process.stdout.write(`events file: ${file} (${mb.toFixed(0)} MB)\n\n`);

  // The machine is shared: each measurement runs twice, interleaved, and the faster run counts.
  const cliArgs = (query: string) => [join(root, 'dist/cli.js'), 'run', '--query', query, '--events', file, '--format', 'json', '--size', '1000'];
  const best = (a: Child, b: Child): Child => (a.ms <= b.ms ? { ...a, rssMb: Math.max(a.rssMb, b.rssMb) } : { ...b, rssMb: Math.max(a.rssMb, b.rssMb) });
  let base = child(['-e', READ_PARSE, file]);
  const runs = QUERIES.map(({ query }) => child(cliArgs(query)));
  base = best(base, child(['-e', READ_PARSE, file]));
  QUERIES.forEach(({ query }, i) => (runs[i] = best(runs[i], child(cliArgs(query)))));
  const total = Number(base.stdout);
  const rows: string[][] = [['', 'time', 'vs parse', 'end-to-end', 'peak RSS', 'matches']];
  rows.push(['read + JSON.parse only', `${(base.ms / 1000).toFixed(2)} s`, '1.00x', fmtRate(total / (base.ms / 1000)), `${base.rssMb.toFixed(0)} MB`, '-']);
  QUERIES.forEach(({ label }, i) => {
    const r = runs[i];
    const out = JSON.parse(r.stdout) as { matches: unknown[]; stats: { events_read: number } };
    if (out.stats.events_read !== total) throw new Error(`${label}: read ${out.stats.events_read} of ${total} events`);
    rows.push([label, `${(r.ms / 1000).toFixed(2)} s`, `${(r.ms / base.ms).toFixed(2)}x`, fmtRate(total / (r.ms / 1000)), `${r.rssMb.toFixed(0)} MB`, String(out.matches.length)]);
  });
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((c, i) => (i === 0 ? pad(c, widths[i]) : lpad(c, widths[i]))).join('   ') + '\n');

  // Evaluation only, in a fresh process running the same bundled engine code as the CLI.
  const evalJs = join(data, 'engine-eval.js');
  await build({ entryPoints: [join(root, 'bench/engine-eval.ts')], outfile: evalJs, bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'error' });
  const ev = child([evalJs, file]);
  const rates = JSON.parse(ev.stdout) as { label: string; small: number; large: number }[];
  process.stdout.write(`\nevaluation only (pre-parsed events, bundled engine in a child; x = vs the Python eql engine's ${fmtRate(PYTHON_EQL_EVENTS_PER_S)}):\n`);
  process.stdout.write(`  ${pad('', 24)} ${lpad('5,000 events (in cache)', 26)}   ${lpad('200,000 events (in memory)', 28)}\n`);
  for (const { label, small, large } of rates) {
    const cell = (r: number) => `${fmtRate(r)} (${(r / PYTHON_EQL_EVENTS_PER_S).toFixed(1)}x)`;
    process.stdout.write(`  ${pad(label, 24)} ${lpad(cell(small), 26)}   ${lpad(cell(large), 28)}\n`);
  }
  process.stdout.write(`\ntargets: each run within 1.30x of read + parse; sequence peak RSS under 300 MB; evaluation >= ${fmtRate(PYTHON_EQL_EVENTS_PER_S * 10)}\n`);
}

main().catch((e) => {
  process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
  process.exitCode = 1;
});
