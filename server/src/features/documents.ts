// Analysis cached per document version: every feature of one keystroke (diagnostics, hover,
// completion, lenses, tokens) shares one `analyzeDocument` call.
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDocument, type AnalyzeOptions, type AnalyzedQuery, type DocumentAnalysis } from '../analysis';

export interface Analyzed {
  doc: TextDocument;
  path: string;
  analysis: DocumentAnalysis;
}

export function uriToPath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri.replace(/^[a-z]+:/, '');
  } catch {
    return uri;
  }
}

/** The language server treats `.eql` files and TOML files with a `[rule]` table. */
export function isTracked(a: Analyzed | undefined): a is Analyzed {
  return !!a && a.analysis.kind !== 'other';
}

const EMPTY: DocumentAnalysis = { kind: 'other', queries: [], diagnostics: [], schemaProblems: [] };

export class AnalysisCache {
  private readonly cache = new Map<string, { version: number; value: Analyzed }>();
  options: AnalyzeOptions = {};
  onError: (uri: string, e: unknown) => void = () => {};

  get(doc: TextDocument): Analyzed {
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version && hit.value.doc === doc) return hit.value;
    const path = uriToPath(doc.uri);
    let analysis: DocumentAnalysis;
    try {
      // Untitled documents have no extension; their language decides.
      const p = /\.(toml|eql)$/i.test(path) ? path : `${path}.${doc.languageId === 'eql' ? 'eql' : 'toml'}`;
      analysis = analyzeDocument(p, doc.getText(), this.options);
    } catch (e) {
      // The core promises not to throw; if it ever does, one document loses features, not the server.
      this.onError(doc.uri, e);
      analysis = EMPTY;
    }
    const value = { doc, path, analysis };
    this.cache.set(doc.uri, { version: doc.version, value });
    return value;
  }

  delete(uri: string): void {
    this.cache.delete(uri);
  }

  clear(): void {
    this.cache.clear();
  }
}

/** The query containing a document offset (the content of its string, ends included). */
export function queryAt(a: Analyzed, offset: number): { query: AnalyzedQuery; index: number; q: number } | undefined {
  for (let i = 0; i < a.analysis.queries.length; i++) {
    const query = a.analysis.queries[i];
    const r = query.region;
    if (offset < r.contentSpan.start || offset > r.contentSpan.end) continue;
    const q = r.toQueryOffset(offset);
    if (q !== null) return { query, index: i, q };
  }
  return undefined;
}
