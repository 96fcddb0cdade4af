// Code lenses on each EQL query: "Run on samples (N event files)", "Run on file...", and after a
// run its summary, which opens the results view. The sample count is filled in on resolve.
import type { CodeLens } from 'vscode-languageserver';
import type { Analyzed } from './documents';
import { summary, type RunOutcome } from './results';

export interface LensData {
  uri: string;
  query: number;
  kind: 'run';
}

export interface LensState {
  result(uri: string, query: number): RunOutcome | undefined;
  running(uri: string, query: number): boolean;
  sampleFiles(): string[];
}

export function codeLenses(a: Analyzed, state: LensState): CodeLens[] {
  const out: CodeLens[] = [];
  a.analysis.queries.forEach((q, i) => {
    if (q.region.language !== 'eql' || !q.ast) return;
    const start = a.doc.positionAt(q.region.valueSpan.start);
    const range = { start: { line: start.line, character: 0 }, end: { line: start.line, character: 0 } };
    const ref = { uri: a.doc.uri, query: i };
    if (state.running(a.doc.uri, i)) {
      out.push({ range, command: { title: '$(sync~spin) Running…', command: '' } });
    } else {
      const data: LensData = { ...ref, kind: 'run' };
      out.push({ range, data });
    }
    out.push({ range, command: { title: 'Run on file...', command: 'eqlRules.runQueryOnFiles', arguments: [ref] } });
    const r = state.result(a.doc.uri, i);
    if (r) out.push({ range, command: { title: summary(r), command: 'eqlRules.showResults', arguments: [ref] } });
  });
  return out;
}

export function resolveCodeLens(lens: CodeLens, state: LensState): CodeLens {
  const d = lens.data as LensData | undefined;
  if (d?.kind === 'run') {
    const n = state.sampleFiles().length;
    lens.command = { title: `▶ Run on samples (${n} event file${n === 1 ? '' : 's'})`, command: 'eqlRules.runQuery', arguments: [{ uri: d.uri, query: d.query }] };
  }
  return lens;
}
