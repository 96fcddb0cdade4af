// `eql-rules check`: analyse rule files (*.toml) and EQL files (*.eql) and print diagnostics
// like a compiler (or one JSON object). Exit 0 without errors, 1 with errors, 2 on usage or
// I/O problems.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeDocument, type AnalyzeOptions } from '../analysis';
import type { Severity } from '../core/diagnostic';
import { LineMap } from '../core/lines';
import type { Command } from './main';

const USAGE = 'eql-rules check [PATH...] [--format text|json] [--schemas DIR | --no-schemas] [--extra-schema FILE]...';

interface Args {
  paths: string[];
  format: 'text' | 'json';
  schemas?: string;
  /** Built-in ECS only, even inside a detection-rules checkout. */
  noSchemas?: boolean;
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

export const command: Command = {
  summary: 'Check detection rule files (*.toml) and EQL files (*.eql): TOML, rule metadata, EQL syntax and fields.',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
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

    const problems = new Set<string>();
    const results: { path: string; diagnostics: JsonDiagnostic[] }[] = [];
    let errors = 0;
    let warnings = 0;
    const text: string[] = [];
    for (const file of files) {
      let content: string;
      try {
        content = readFileSync(file, 'utf8');
      } catch (e) {
        process.stderr.write(`eql-rules check: ${file}: ${(e as Error).message}\n`);
        ioError = true;
        continue;
      }
      const analysis = analyzeDocument(file, content, options);
      for (const p of analysis.schemaProblems) problems.add(p);
      const lines = analysis.diagnostics.length ? new LineMap(content) : null;
      const diags: JsonDiagnostic[] = analysis.diagnostics.map((d) => {
        const s = lines!.position(d.span.start);
        const e = lines!.position(d.span.end);
        if (d.severity === 'error') errors++;
        else if (d.severity === 'warning') warnings++;
        return { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1, severity: d.severity, code: d.code, message: d.message };
      });
      results.push({ path: file, diagnostics: diags });
      if (args.format === 'text') for (const d of diags) text.push(`${file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}\n`);
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
