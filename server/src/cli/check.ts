// `eql-rules check`: analyse rule files (*.toml) and EQL files (*.eql) and print diagnostics
// like a compiler (or one JSON object). Exit 0 without errors, 1 with errors, 2 on usage or
// I/O problems.

import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { analyzeDocument, type AnalyzeOptions } from '../analysis';
import type { Severity } from '../core/diagnostic';
import { LineMap } from '../core/lines';
import type { Command } from './main';
import { parseCommandLine } from './args';
import { collectFiles } from '../core/files';

const USAGE = 'eql-rules check [PATH...] [--format text|json] [--schemas DIR | --no-schemas] [--extra-schema FILE]... [--jobs N]';

interface Args {
  paths: string[];
  format: 'text' | 'json';
  schemas?: string;
  /** Built-in ECS only, even inside a detection-rules checkout. */
  noSchemas: boolean;
  /** Threads to analyse with (default 1). */
  jobs: number;
  extra: string[];
}

function parseArgs(argv: string[]): Args | string {
  const p = parseCommandLine(argv, {
    format: { type: 'string', default: 'text' },
    schemas: { type: 'string' },
    'no-schemas': { type: 'boolean' },
    'extra-schema': { type: 'string', multiple: true, default: [] },
    jobs: { type: 'string', default: '1' },
  });
  if (typeof p === 'string') return p;
  const { format, schemas, jobs } = p.values as { format: string; schemas?: string; jobs: string };
  if (format !== 'text' && format !== 'json') return '--format must be text or json';
  const n = Number(jobs);
  if (!Number.isInteger(n) || n < 1) return '--jobs needs a positive integer';
  const paths = p.positionals.map((x) => x.value);
  return {
    paths: paths.length ? paths : ['.'],
    format,
    schemas,
    noSchemas: p.values['no-schemas'] === true,
    jobs: n,
    extra: p.values['extra-schema'] as string[],
  };
}

const wanted = (rel: string) => rel.endsWith('.toml') || rel.endsWith('.eql');

interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
}

interface FileResult {
  path: string;
  diagnostics: JsonDiagnostic[];
  problems: string[];
  readError?: string;
}

/** Analyses one file; diagnostics in 1-based file positions. */
function checkFile(path: string, options: AnalyzeOptions): FileResult {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (e) {
    return { path, diagnostics: [], problems: [], readError: (e as Error).message };
  }
  const analysis = analyzeDocument(path, content, options);
  const lines = analysis.diagnostics.length ? new LineMap(content) : null;
  const diagnostics = analysis.diagnostics.map((d): JsonDiagnostic => {
    const s = lines!.position(d.span.start);
    const e = lines!.position(d.span.end);
    return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1, severity: d.severity, code: d.code, message: d.message };
  });
  return { path, diagnostics, problems: analysis.schemaProblems };
}

// Worker threads are opt-in (--jobs N): on the shared 2-core machines this was measured on,
// a second thread cost more (its own JIT warm-up and schema loading, ~1 s of CPU) than it saved.
const WORKER_KIND = 'eql-rules-check';

interface WorkerInput {
  kind: typeof WORKER_KIND;
  files: string[];
  options: AnalyzeOptions;
}

/** Worker side: the same bundle, started with `check` and the file list in workerData. */
function runWorker(input: WorkerInput): Promise<number> {
  parentPort!.postMessage(input.files.map((f) => checkFile(f, input.options)));
  return Promise.resolve(0);
}

/** Results in input order; files are dealt round-robin to the main thread and `jobs - 1` workers. */
async function checkFiles(files: string[], options: AnalyzeOptions, jobs: number): Promise<FileResult[]> {
  // Workers re-run this bundle; under tsx (tests, benches) the entry is TypeScript: stay single-threaded.
  const entry = require.main?.filename;
  if (jobs <= 1 || !entry || !entry.endsWith('.js')) return files.map((f) => checkFile(f, options));
  const shares: string[][] = Array.from({ length: jobs }, () => []);
  files.forEach((f, i) => shares[i % jobs].push(f));
  const pending = shares.slice(1).map(
    (share) =>
      new Promise<FileResult[]>((resolve, reject) => {
        const w = new Worker(entry, { argv: ['check'], workerData: { kind: WORKER_KIND, files: share, options } satisfies WorkerInput, stdout: false, stderr: false });
        w.once('message', (m: FileResult[]) => resolve(m));
        w.once('error', reject);
        w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
      }),
  );
  const mine = shares[0].map((f) => checkFile(f, options));
  let theirs: FileResult[][];
  try {
    theirs = await Promise.all(pending);
  } catch {
    // A failed worker costs time, not results: redo its share here.
    theirs = shares.slice(1).map((share) => share.map((f) => checkFile(f, options)));
  }
  const all = [mine, ...theirs];
  return files.map((_, i) => all[i % jobs][Math.floor(i / jobs)]);
}

export const command: Command = {
  summary: 'Check detection rule files (*.toml) and EQL files (*.eql): TOML, rule metadata, EQL syntax and fields.',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    if (!isMainThread && (workerData as WorkerInput | null)?.kind === WORKER_KIND) return runWorker(workerData as WorkerInput);
    const args = parseArgs(argv);
    if (typeof args === 'string') {
      process.stderr.write(`eql-rules check: ${args}\nusage: ${USAGE}\n`);
      return 2;
    }
    let ioError = false;
    if (args.schemas !== undefined) {
      try {
        if (!statSync(args.schemas).isDirectory()) throw new Error('not a folder');
      } catch {
        process.stderr.write(`eql-rules check: --schemas ${args.schemas}: not a readable folder\n`);
        return 2;
      }
    }
    const files: string[] = [];
    for (const p of args.paths) {
      try {
        files.push(...collectFiles(p, wanted));
      } catch (e) {
        process.stderr.write(`eql-rules check: ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message}\n`);
        ioError = true;
      }
    }
    const options: AnalyzeOptions = { extraSchemas: args.extra };
    if (args.schemas !== undefined) options.schemaDir = args.schemas;
    if (args.noSchemas) options.schemaDir = false;

    const checked = await checkFiles(files, options, Math.max(1, Math.min(args.jobs, availableParallelism(), files.length)));
    const problems = new Set<string>();
    const results: { path: string; diagnostics: JsonDiagnostic[] }[] = [];
    let errors = 0;
    let warnings = 0;
    const text: string[] = [];
    for (const r of checked) {
      if (r.readError) {
        process.stderr.write(`eql-rules check: ${r.path}: ${r.readError}\n`);
        ioError = true;
        continue;
      }
      for (const p of r.problems) problems.add(p);
      for (const d of r.diagnostics) {
        if (d.severity === 'error') errors++;
        else if (d.severity === 'warning') warnings++;
        if (args.format === 'text') text.push(`${r.path}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}\n`);
      }
      results.push({ path: r.path, diagnostics: r.diagnostics });
    }
    for (const p of problems) process.stderr.write(`eql-rules check: warning: ${p}\n`);
    if (args.format === 'json') {
      process.stdout.write(JSON.stringify({ version: 1, files: results, summary: { files: results.length, errors, warnings } }) + '\n');
    } else {
      process.stdout.write(text.join(''));
      process.stderr.write(`${results.length} file${results.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    }
    return ioError ? 2 : errors ? 1 : 0;
  },
};
