// Engine benchmark: prints, side by side, the time to read and JSON.parse every line of the
// events file (the floor), then `eql-rules run` (the built CLI, one child process each) for a
// single-event rule, a two-term sequence with `by` + `maxspan` and a regex-heavy rule, with
// each child's peak RSS; then evaluation-only throughput on pre-parsed events in-process.
// Usage: npx tsx bench/engine.ts [events.ndjson]   (generates bench/.data/engine-events.ndjson
// with bench/gen-events.ts when missing; `npm run build` first)
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileEql, runQuery } from '../server/src/engine/index';

const root = join(__dirname, '..');
const data = join(root, 'bench/.data');
const file = process.argv[2] ?? join(data, 'engine-events.ndjson');
const PYTHON_EQL_EVENTS_PER_S = 0.66e6;

const QUERIES: { label: string; query: string }[] = [
  {
    label: 'single-event rule',
    query: 'process where event.type == "start" and process.name : ("powershell.exe", "pwsh.exe") and process.args : ("-enc", "-EncodedCommand", "-e")',
  },
  {
    label: 'sequence by + maxspan',
    query:
      'sequence by host.id, user.name with maxspan=30s [process where event.type == "start" and process.name : ("curl", "wget")] [network where network.direction == "egress" and destination.port in (4444, 8080) and not cidrMatch(destination.ip, "10.0.0.0/8")]',
  },
  {
    label: 'regex-heavy rule',
    query:
      'process where process.command_line regex~ """.*(invoke-webrequest|downloadstring|frombase64string|-enc [a-z0-9+/=]{20,}).*""" or process.executable regex """/(tmp|dev/shm|var/tmp)/[a-z0-9._]+""" or process.name regex~ """[a-z]+[0-9]{2,}(\\.exe)?""" or process.args regex """.*,(Start|DllMain|EntryPoint)"""',
  },
];

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
async function evaluationOnly(): Promise<{ label: string; small: number; large: number }[]> {
  const rate = async (query: string, set: unknown[], total: number) => {
    const c = compileEql(query);
    if (!c.query) throw new Error(`bench query does not compile: ${JSON.stringify(c.diagnostics)}`);
    await runQuery(c.query, set); // warm up
    const rounds = Math.max(1, Math.round(total / set.length));
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

  process.stdout.write(`\nevaluation only (pre-parsed events, in-process; x = vs the Python eql engine's ${fmtRate(PYTHON_EQL_EVENTS_PER_S)}):\n`);
  process.stdout.write(`  ${pad('', 24)} ${lpad('5,000 events (in cache)', 26)}   ${lpad('200,000 events (in memory)', 28)}\n`);
  for (const { label, small, large } of await evaluationOnly()) {
    const cell = (r: number) => `${fmtRate(r)} (${(r / PYTHON_EQL_EVENTS_PER_S).toFixed(1)}x)`;
    process.stdout.write(`  ${pad(label, 24)} ${lpad(cell(small), 26)}   ${lpad(cell(large), 28)}\n`);
  }
  process.stdout.write(`\ntargets: each run within 1.30x of read + parse; sequence peak RSS under 300 MB; evaluation >= ${fmtRate(PYTHON_EQL_EVENTS_PER_S * 10)}\n`);
}

main().catch((e) => {
  process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
  process.exitCode = 1;
});
