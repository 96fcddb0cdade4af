// Core plain data (document offsets, severities, fixes) -> LSP types. The only place that does it.
import { CodeAction, CodeActionKind, DiagnosticSeverity, type Diagnostic as LspDiagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Fix, Severity, Span } from '../core/diagnostic';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toRange(doc: TextDocument, s: Span): Range {
  return { start: doc.positionAt(s.start), end: doc.positionAt(s.end) };
}

export function toLspDiagnostic(doc: TextDocument, d: Diagnostic): LspDiagnostic {
  return { range: toRange(doc, d.span), severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Error, code: d.code, source: 'eql-rules', message: d.message };
}

export function toTextEdits(doc: TextDocument, fix: Fix): TextEdit[] {
  return fix.edits.map((e) => ({ range: toRange(doc, e.span), newText: e.newText }));
}

export function quickFix(doc: TextDocument, title: string, edits: TextEdit[], diagnostic: LspDiagnostic, preferred = false): CodeAction {
  const action = CodeAction.create(title, { changes: { [doc.uri]: edits } }, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  if (preferred) action.isPreferred = true;
  return action;
}
