// The analysis facade used by the CLI, the language server and the tests:
// document text -> RuleFile -> queries (EQL AST + the rule's FieldSet) -> diagnostics, all in
// DOCUMENT offsets. Pure data in and out; schemas are cached per process across documents.

import type { Diagnostic, Severity } from './core/diagnostic';
import type { Statement } from './eql/ast';
import { parseEqlQuery } from './eqlBridge';
import { checkRule } from './rules/checks';
import { fileRegion, type QueryRegion } from './rules/region';
import { isRuleFile, parseRuleFile, type RuleFile } from './rules/ruleFile';
import { checkFields, datasetHints, type SeverityOverrides } from './schema/checkFields';
import type { FieldSet } from './schema/fieldSet';
import { chooseFields, type SchemaOptions } from './schema/provider';

export type { SeverityOverrides } from './schema/checkFields';
export type { SchemaOptions } from './schema/provider';

export interface AnalyzeOptions extends SchemaOptions {
  /** Per-code severity overrides (`eql/unknown-field: 'off'`, ...), applied to every diagnostic. */
  severities?: SeverityOverrides;
}

export interface AnalyzedQuery {
  region: QueryRegion;
  /** The EQL tree (query offsets); null for other languages (kuery, esql, ...). */
  ast: Statement | null;
  /** The fields this query may use (chosen per rule as upstream does). */
  fields: FieldSet;
  /** The schemas that make up `fields`, for hover / status. */
  schemaSources: string[];
}

export interface DocumentAnalysis {
  kind: 'rule' | 'eql' | 'other';
  rule?: RuleFile;
  queries: AnalyzedQuery[];
  /** Every diagnostic, in DOCUMENT offsets, sorted by position. */
  diagnostics: Diagnostic[];
  /** Schema files that could not be read (report once, not per document). */
  schemaProblems: string[];
}

const asStrings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function mapDiagnostic(d: Diagnostic, region: QueryRegion): Diagnostic {
  const out: Diagnostic = { ...d, span: region.toDocumentSpan(d.span) };
  if (d.fixes) out.fixes = d.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ span: region.toDocumentSpan(e.span), newText: region.encode(e.newText) })) }));
  return out;
}

function finish(diags: Diagnostic[], severities: SeverityOverrides | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const s = severities?.[d.code];
    if (s === 'off') continue;
    out.push(s ? { ...d, severity: s as Severity } : d);
  }
  return out.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

/** Analyses one EQL query: syntax + semantic diagnostics, then field checks (query offsets). */
function analyzeQuery(region: QueryRegion, docPath: string, hints: { minStackVersion?: string; indexes?: string[]; integrations?: string[]; categoryOverridden?: boolean }, options: AnalyzeOptions, checkQuery: boolean) {
  const parsed = parseEqlQuery(region.text);
  const ast = parsed.ast;
  const diags: Diagnostic[] = [];
  let ds = { modules: [] as string[], datasets: [] as string[] };
  try {
    if (ast) ds = datasetHints(ast);
  } catch {
    // a malformed tree only costs the dataset hints
  }
  const choice = chooseFields(docPath, { ...hints, ...ds }, options);
  if (checkQuery) {
    diags.push(...parsed.diagnostics);
    try {
      if (ast) diags.push(...checkFields(ast, choice.fields, { severities: options.severities, categoryOverridden: hints.categoryOverridden }));
    } catch (e) {
      // The tree of broken input can break assumptions; never let that take the document down.
      diags.push({ code: 'eql/internal', severity: 'error', message: `field checks failed: ${e instanceof Error ? e.message : String(e)}`, span: { start: 0, end: Math.min(1, region.text.length) } });
    }
  }
  return { query: { region, ast, fields: choice.fields, schemaSources: choice.sources }, diagnostics: diags.map((d) => mapDiagnostic(d, region)), choice };
}

let last: { path: string; text: string; optionsKey: string; result: DocumentAnalysis } | undefined;

/**
 * Analyses a `.toml` rule file or an `.eql` file. Never throws on user input. Repeated calls with
 * the same path, text and options return the same result object.
 */
export function analyzeDocument(path: string, text: string, options: AnalyzeOptions = {}): DocumentAnalysis {
  const optionsKey = JSON.stringify(options);
  if (last && last.path === path && last.text === text && last.optionsKey === optionsKey) return last.result;
  const result = analyze(path, text, options);
  last = { path, text, optionsKey, result };
  return result;
}

function analyze(path: string, text: string, options: AnalyzeOptions): DocumentAnalysis {
  const lower = path.toLowerCase();
  if (lower.endsWith('.eql')) {
    const q = analyzeQuery(fileRegion(text), path, {}, options, true);
    return { kind: 'eql', queries: [q.query], diagnostics: finish(q.diagnostics, options.severities), schemaProblems: q.choice.problems };
  }
  if (!lower.endsWith('.toml') || !isRuleFile(text)) return { kind: 'other', queries: [], diagnostics: [], schemaProblems: [] };

  const rule = parseRuleFile(text);
  const deprecated = rule.get('metadata.maturity') === 'deprecated';
  const msv = rule.get('metadata.min_stack_version');
  const hints = {
    minStackVersion: typeof msv === 'string' ? msv : undefined,
    indexes: asStrings(rule.get('rule.index')),
    integrations: asStrings(rule.get('metadata.integration')),
    categoryOverridden: typeof rule.get('rule.event_category_override') === 'string',
  };
  const diags: Diagnostic[] = [...rule.diagnostics];
  const queries: AnalyzedQuery[] = [];
  const statements: (Statement | null)[] = [];
  let problems: string[] = [];
  let optionFields: FieldSet | undefined;
  for (const region of rule.queries) {
    if (region.language !== 'eql') {
      // Other languages get no EQL noise; their fields are still offered for completion.
      const choice = chooseFields(path, hints, options);
      queries.push({ region, ast: null, fields: choice.fields, schemaSources: choice.sources });
      statements.push(null);
      continue;
    }
    const q = analyzeQuery(region, path, hints, options, !deprecated);
    queries.push(q.query);
    statements.push(q.query.ast);
    diags.push(...q.diagnostics);
    problems = q.choice.problems;
    optionFields = q.choice.ecs;
  }
  optionFields ??= chooseFields(path, hints, options).ecs;
  diags.push(...checkRule(rule, { statements, optionFields }));
  return { kind: 'rule', rule, queries, diagnostics: finish(diags, options.severities), schemaProblems: problems };
}
