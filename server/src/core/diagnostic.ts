// Plain-data diagnostics shared by every layer. Offsets are UTF-16 code-unit offsets into the
// text that was analysed (an EQL query string, or a whole document); `end` is exclusive.
// Front ends (LSP, CLI) translate them; the core never imports an editor API.

export interface Span {
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit {
  span: Span;
  newText: string;
}

/** A quick fix that is obvious enough to offer as a code action. */
export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  /** Stable identifier, e.g. `eql/syntax`, `eql/unknown-field`, `rule/severity-risk-mismatch`. */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  fixes?: Fix[];
}

export function span(start: number, end: number): Span {
  return { start, end };
}

export function diag(code: string, severity: Severity, message: string, at: Span, fixes?: Fix[]): Diagnostic {
  return fixes && fixes.length ? { code, severity, message, span: at, fixes } : { code, severity, message, span: at };
}
