// Times `eql-rules check` on the detection-rules corpus, cold (a whole new process per run) and
// warm (re-analysis of one document in a running process, as the language server does).
// Usage: node --import tsx bench/check-corpus.ts [--runs N] [--no-build]

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { analyzeDocument } from '../server/src/analysis';

const root = join(__dirname, '..');
const corpus = join(root, '../shared/corpus/detection-rules/rules');
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || 5;

if (!existsSync(corpus)) {
  console.log(`bench skipped: corpus not found at ${corpus}`);
  process.exit(0);
}
if (!argv.includes('--no-build')) {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function cold(extra: string[]): { ms: number[]; cpu: number[]; summary: string } {
  const ms: number[] = [];
  const cpu: number[] = [];
  let summary = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--require', join(__dirname, 'report-cpu.cjs'), join(root, 'dist/cli.js'), 'check', corpus, '--format', 'json', ...extra], { encoding: 'utf8', maxBuffer: 1 << 28 });
    ms.push(performance.now() - t);
    if (r.status === 2) throw new Error(r.stderr);
    cpu.push(Number(/@@cpu (\d+)/.exec(r.stderr)?.[1] ?? NaN));
    const s = JSON.parse(r.stdout).summary;
    summary = `${s.files} files, ${s.errors} errors, ${s.warnings} warnings`;
  }
  return { ms, cpu, summary };
}

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.toml') ? [join(d, e.name)] : []));
}

/**
 * Median time to re-analyse a document after an edit, the text changing each time: either
 * outside the query (a TOML comment) or inside it (an EQL comment), so the query is re-parsed.
 */
function warm(file: string, where: 'outside' | 'inside', n = 40): number {
  const text = readFileSync(file, 'utf8');
  analyzeDocument(file, text); // schemas loaded, code warmed
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const edited = where === 'outside' ? `${text}\n# edit ${i}\n` : text.replace("query = '''\n", `query = '''\n/* edit ${i} */ `);
    const t = performance.now();
    analyzeDocument(file, edited);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const eqlFiles = walk(corpus).filter((f) => /^language = "eql"/m.test(readFileSync(f, 'utf8')));
const bySize = eqlFiles.map((f) => [statSync(f).size, f] as const).sort((a, b) => a[0] - b[0]);
const largest = bySize[bySize.length - 1];
const typical = bySize[bySize.length >> 1];

const load = loadavg()[0];
const ws = cold([]);
const ecs = cold(['--no-schemas']);
const row = (name: string, value: string, target: string) => console.log(`${name.padEnd(58)} ${value.padStart(10)}   target ${target}`);
console.log(`\neql-rules check on ${corpus} (${runs} runs, median; ${eqlFiles.length} EQL rules; ${cpus().length} cores, load ${load.toFixed(1)} -> ${loadavg()[0].toFixed(1)})`);
row(`cold, workspace schemas (${ws.summary})`, `${median(ws.ms).toFixed(0)} ms`, '< 2000 ms');
row(`  the same, CPU time of the process`, `${median(ws.cpu).toFixed(0)} ms`, '');
row(`cold, ECS only (${ecs.summary})`, `${median(ecs.ms).toFixed(0)} ms`, '< 1500 ms');
row(`  the same, CPU time of the process`, `${median(ecs.cpu).toFixed(0)} ms`, '');
row(`re-analysis, largest rule (${(largest[0] / 1024).toFixed(0)} KB), edit in the query`, `${warm(largest[1], 'inside').toFixed(2)} ms`, '< 20 ms');
row(`re-analysis, largest rule, edit outside the query`, `${warm(largest[1], 'outside').toFixed(2)} ms`, '< 20 ms');
row(`re-analysis, typical rule (${(typical[0] / 1024).toFixed(1)} KB), edit in the query`, `${warm(typical[1], 'inside').toFixed(2)} ms`, '< 2 ms');
row(`re-analysis, typical rule, edit outside the query`, `${warm(typical[1], 'outside').toFixed(2)} ms`, '< 2 ms');
console.log(`all cold runs (ms): workspace ${ws.ms.map((x) => x.toFixed(0)).join(' ')}; ECS only ${ecs.ms.map((x) => x.toFixed(0)).join(' ')}`);
