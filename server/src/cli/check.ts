// `eql-rules check`: analyse rule files (*.toml) and EQL files (*.eql) and print diagnostics
// like a compiler (or one JSON object). Exit 0 without errors, 1 with errors, 2 on usage or
// I/O problems.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { analyzeDocument, type AnalyzeOptions } from '../analysis';
import type { Severity } from '../core/diagnostic';
import { LineMap } from '../core/lines';
import type { Command } from './main';

const USAGE = 'eql-rules check [PATH...] [--format text|json] [--schemas DIR | --no-schemas] [--extra-schema FILE]... [--jobs N]';

interface Args {
  paths: string[];
  format: 'text' | 'json';
  schemas?: string;
  /** Built-in ECS only, even inside a detection-rules checkout. */
  noSchemas?: boolean;
  /** Threads to analyse with (default 1). */
  jobs?: number;
  extra: string[];
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { paths: [], format: 'text', extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [name, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (name) {
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json') return `--format must be text or json`;
        a.format = v;
        break;
      }
      case '--schemas': {
        const v = value();
        if (!v) return '--schemas needs a folder';
        a.schemas = v;
        break;
      }
      case '--jobs': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1) return '--jobs needs a positive integer';
        a.jobs = v;
        break;
      }
      case '--no-schemas':
        a.noSchemas = true;
        break;
      case '--extra-schema': {
        const v = value();
        if (!v) return '--extra-schema needs a file';
        a.extra.push(v);
        break;
      }
      default:
        if (arg.startsWith('-') && arg !== '-') return `unknown option ${arg}`;
        a.paths.push(arg);
    }
  }
  if (!a.paths.length) a.paths.push('.');
  return a;
}

const wanted = (name: string) => name.endsWith('.toml') || name.endsWith('.eql');

/** Files under a path, sorted for stable output; hidden folders and node_modules are skipped. */
function collect(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  const entries = readdirSync(path, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(path, e.name);
    if (e.isDirectory()) collect(p, out);
    else if (e.isFile() && wanted(e.name)) out.push(p);
  }
}

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

function defaultJobs(requested: number | undefined, files: number): number {
  return Math.max(1, Math.min(requested ?? 1, availableParallelism(), files));
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
        collect(p, files);
      } catch (e) {
        process.stderr.write(`eql-rules check: ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message}\n`);
        ioError = true;
      }
    }
    const options: AnalyzeOptions = { extraSchemas: args.extra };
    if (args.schemas !== undefined) options.schemaDir = args.schemas;
    if (args.noSchemas) options.schemaDir = false;

    const checked = await checkFiles(files, options, defaultJobs(args.jobs, files.length));
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
