// Background indexing of every rule in the workspace folders: diagnostics for files that are
// not open, and which fields each folder's rules use (completion ranks by it). One file per
// macrotask, so requests and edits are served between files and the editor never freezes.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDocument, type AnalyzeOptions, type DocumentAnalysis } from '../analysis';
import { fieldsUsed } from './eqlNav';
import { filesUnder } from './files';
import { collectGarbage } from './memory';

export interface IndexHooks {
  /** Diagnostics of a file that is not open in the editor. */
  publish(doc: TextDocument, analysis: DocumentAnalysis): void;
  isOpen(path: string): boolean;
  log(message: string): void;
  /** Progress of a pass (the editor shows it in its status bar); `done === total` ends it. */
  progress?(done: number, total: number): void;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export class WorkspaceIndex {
  private readonly used = new Map<string, string[]>();
  /** Per folder: how many rules use each field. Kept in step by record/forget, never rebuilt. */
  private readonly byDir = new Map<string, Map<string, number>>();
  private generation = 0;
  /** Resolves when the current indexing pass ends (tests and the bench wait for it). */
  done: Promise<number> = Promise.resolve(0);

  constructor(private readonly hooks: IndexHooks) {}

  /** Records the fields one rule uses (also called for open documents on each analysis). */
  record(path: string, analysis: DocumentAnalysis): void {
    this.forget(path);
    const fields = analysis.queries.flatMap((q) => (q.ast ? fieldsUsed(q.ast) : []));
    this.used.set(path, fields);
    this.count(path, fields, 1);
  }

  /** How many rules in the folder of `path` (other than itself) use each field. */
  usage(path: string): ReadonlyMap<string, number> {
    const all = this.byDir.get(dirname(path)) ?? new Map<string, number>();
    const own = this.used.get(path);
    if (!own?.length) return all;
    const others = new Map(all);
    for (const f of own) {
      const n = others.get(f)! - 1;
      if (n) others.set(f, n);
      else others.delete(f);
    }
    return others;
  }

  private count(path: string, fields: string[], delta: 1 | -1): void {
    const d = dirname(path);
    let m = this.byDir.get(d);
    if (!m) this.byDir.set(d, (m = new Map()));
    for (const f of fields) {
      const n = (m.get(f) ?? 0) + delta;
      if (n) m.set(f, n);
      else m.delete(f);
    }
    if (!m.size) this.byDir.delete(d);
  }

  /** Re-analyses one file changed on disk (not open in the editor); false when it is no rule. */
  refreshFile(path: string, options: AnalyzeOptions): boolean {
    if (this.hooks.isOpen(path)) return true;
    try {
      return this.index(path, options) || this.forget(path);
    } catch {
      return this.forget(path);
    }
  }

  /** Reads and analyses a file that is not open; a rule is recorded and published. */
  private index(path: string, options: AnalyzeOptions): boolean {
    const text = readFileSync(path, 'utf8');
    const analysis = analyzeDocument(path, text, options);
    if (analysis.kind === 'other') return false;
    this.record(path, analysis);
    this.hooks.publish(TextDocument.create(pathToFileURL(path).href, 'toml', 0, text), analysis);
    return true;
  }

  /** A deleted (or no longer rule) file: its field usage goes. */
  forget(path: string): false {
    const old = this.used.get(path);
    if (old) {
      this.used.delete(path);
      this.count(path, old, -1);
    }
    return false;
  }

  /** Starts a pass over the roots; a newer pass stops an older one. */
  start(roots: string[], options: AnalyzeOptions): Promise<number> {
    const gen = ++this.generation;
    this.done = this.run(gen, roots, options);
    return this.done;
  }

  private async run(gen: number, roots: string[], options: AnalyzeOptions): Promise<number> {
    const t0 = Date.now();
    await yieldToLoop();
    const files = roots.flatMap((r) => filesUnder(r, (rel) => /\.(toml|eql)$/i.test(rel)));
    let rules = 0;
    this.hooks.progress?.(0, files.length);
    for (const [i, path] of files.entries()) {
      await yieldToLoop();
      if (i % 250 === 249) collectGarbage();
      if (i % 100 === 99) this.hooks.progress?.(i + 1, files.length);
      if (gen !== this.generation) {
        this.hooks.progress?.(files.length, files.length);
        return rules;
      }
      if (this.hooks.isOpen(path)) continue;
      try {
        if (this.index(path, options)) rules++;
      } catch (e) {
        this.hooks.log(`index: ${path}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    collectGarbage();
    this.hooks.progress?.(files.length, files.length);
    this.hooks.log(`indexed ${rules} rule files of ${files.length} files in ${Date.now() - t0} ms`);
    return rules;
  }
}
