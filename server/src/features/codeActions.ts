// Quick fixes: each core diagnostic's `fixes`, plus "make field optional" on unknown fields.
import type { CodeAction, Range } from 'vscode-languageserver';
import type { Analyzed } from './documents';
import { quickFix, toLspDiagnostic, toTextEdits } from './convert';

export function codeActions(a: Analyzed, range: Range): CodeAction[] {
  const start = a.doc.offsetAt(range.start);
  const end = a.doc.offsetAt(range.end);
  const out: CodeAction[] = [];
  for (const d of a.analysis.diagnostics) {
    if (d.span.end < start || d.span.start > end) continue;
    const lsp = toLspDiagnostic(a.doc, d);
    (d.fixes ?? []).forEach((fix, i) => out.push(quickFix(a.doc, fix.title, toTextEdits(a.doc, fix), lsp, i === 0)));
    if (d.code === 'eql/unknown-field' && a.doc.getText().charAt(d.span.start) !== '?') {
      const name = a.doc.getText().slice(d.span.start, d.span.end);
      const at = a.doc.positionAt(d.span.start);
      out.push(quickFix(a.doc, `Make \`${name}\` optional (\`?${name}\`)`, [{ range: { start: at, end: at }, newText: '?' }], lsp));
    }
  }
  return out;
}
