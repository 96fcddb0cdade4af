// Language-server latency and memory, measured over stdio as an editor sees them:
//   node --import tsx bench/lsp.ts
// Needs dist/ (npm run build) and ../shared/corpus/detection-rules. Prints each figure beside
// its target. Timings on a shared 2-core machine are noisy: read medians, not single runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEBOUNCE_MS } from '../server/src/features/debounce';
import { positionOf, startServer, uriOf, type Client } from '../test/lsp/client';

const ROOT = resolve(__dirname, '..');
const CORPUS = resolve(ROOT, '../shared/corpus/detection-rules/rules');
const LARGEST = join(CORPUS, 'windows/defense_evasion_masquerading_windows_dll.toml');
const TYPICAL = join(CORPUS, 'windows/collection_email_outlook_mailbox_via_com.toml');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const rows: [string, string, string][] = [];
const row = (what: string, value: string, target: string) => {
  rows.push([what, value, target]);
  console.log(`${what.padEnd(46)} ${value.padEnd(26)} target ${target}`);
};

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** didChange -> publishDiagnostics of that version, minus the debounce. */
async function diagnosticsLatency(c: Client, path: string, runs: number): Promise<number[]> {
  const { uri, text } = await c.open(path);
  await c.diagnostics(uri, 60_000).catch(() => {});
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const v = 10 + i;
    // A real edit that changes the query (and so the analysis) each time.
    const edited = text.replace("query = '''\n", `query = '''\n${i % 2 ? '' : ' '}`);
    const wait = c.diagnostics(uri, 60_000);
    const t0 = performance.now();
    c.change(uri, v, edited);
    await wait;
    out.push(performance.now() - t0 - DEBOUNCE_MS);
  }
  return out;
}

async function requestLatency(c: Client, method: string, params: unknown, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await c.conn.sendRequest(method, params);
    out.push(performance.now() - t0);
    if (i === 0 && !r) throw new Error(`${method} returned nothing`);
  }
  return out;
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/server.js'))) throw new Error('run npm run build first');
  if (!existsSync(LARGEST)) throw new Error(`${CORPUS} is missing (../shared)`);

  const c = await startServer({ root: CORPUS });
  try {
    const t0 = performance.now();
    const indexing = c.conn.sendRequest('eqlRules/indexed') as Promise<number>;
    let done = false;
    void indexing.then(() => (done = true));
    // Hovers while the whole folder is analysed in the background: the editor must not freeze.
    const { uri: tUri, text: tText } = await c.open(TYPICAL);
    const during: number[] = [];
    while (!done) {
      const h0 = performance.now();
      await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: tUri }, position: positionOf(tText, 'process.code_signature.trusted', 4) });
      during.push(performance.now() - h0);
      await new Promise((r) => setTimeout(r, 20));
    }
    const indexed = await indexing;
    const indexMs = performance.now() - t0;
    row(`workspace index (${indexed} rule files)`, `${(indexMs / 1000).toFixed(1)} s`, 'background, no freeze');
    row(`hover during indexing (${during.length} requests)`, `p50 ${ms(pct(during, 50))}, p95 ${ms(pct(during, 95))}, max ${ms(Math.max(...during))}`, 'no freeze');
    row('server RSS after indexing rules/', `${rssMb(c.proc.pid!).toFixed(0)} MB`, '< 200 MB');

    const big = await diagnosticsLatency(c, LARGEST, 15);
    row('diagnostics after debounce, largest (47 KB query)', `p50 ${ms(pct(big, 50))}, p95 ${ms(pct(big, 95))}`, '< 30 ms');
    const typ = await diagnosticsLatency(c, TYPICAL, 30);
    row('diagnostics after debounce, typical rule', `p50 ${ms(pct(typ, 50))}, p95 ${ms(pct(typ, 95))}`, '< 5 ms');

    const text = readFileSync(TYPICAL, 'utf8');
    const uri = uriOf(TYPICAL);
    const hover = await requestLatency(c, 'textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'process.code_signature.trusted', 4) }, 100);
    row('hover on a field (100 requests)', `p50 ${ms(pct(hover, 50))}, p95 ${ms(pct(hover, 95))}`, 'p95 < 10 ms');
    const completion = await requestLatency(c, 'textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'process.code_signature.trusted', 0) }, 100);
    row('completion of fields (100 requests)', `p50 ${ms(pct(completion, 50))}, p95 ${ms(pct(completion, 95))}`, 'p95 < 10 ms');
    row('server RSS at the end', `${rssMb(c.proc.pid!).toFixed(0)} MB`, '< 200 MB');
  } finally {
    await c.close();
  }

  const act = join(ROOT, 'test-results/activation.json');
  if (existsSync(act)) {
    const a = JSON.parse(readFileSync(act, 'utf8')) as { ms: number; at: string };
    row('extension activation (code-server e2e run)', `${a.ms} ms (run ${a.at.slice(0, 16)})`, 'fast');
  } else row('extension activation', 'n/a: run node scripts/test.mjs e2e/vscode', 'fast');

  const vsix = join(ROOT, 'eql-rules-0.1.0.vsix');
  if (!existsSync(vsix)) spawnSync('npm', ['run', 'package'], { cwd: ROOT, stdio: 'ignore' });
  row('.vsix size', existsSync(vsix) ? `${(statSync(vsix).size / 1024).toFixed(0)} KB` : 'n/a (npm run package failed)', '< 3 MB');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
