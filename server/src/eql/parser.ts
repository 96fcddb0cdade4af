// EQL parser: chevrotain in embedded-actions mode (no CST) building the AST of ./ast.ts
// directly. Grammar and messages follow Elasticsearch's EqlBase.g4 and LogicalPlanBuilder;
// a few wrong-but-common forms (`=` for equality, chained comparisons, maxspan after the
// terms, keywords as field segments) are accepted on purpose so that they get a precise
// diagnostic with a fix instead of a generic syntax error.
//
// One parser instance is created at load time and reused (building one costs milliseconds).

import type { IToken, IRecognitionException, TokenType } from 'chevrotain' with { 'resolution-mode': 'import' };
import { diag, type Diagnostic, type Fix, type Span } from '../core/diagnostic';
import type * as A from './ast';
import { allTokenTypes, chevrotain, KEYWORDS, lex, stringInfo, T, type StringInfo } from './lexer';

const { EmbeddedActionsParser, EOF, isRecognitionException } = chevrotain;

/** Deeper expressions are skipped with `eql/too-deep` instead of overflowing the JS stack. */
const MAX_NESTING = 100;
/** Beyond this many syntax errors the rest is noise (the text is probably not EQL at all). */
const MAX_SYNTAX_ERRORS = 50;

const OPENERS = new Set<TokenType>([T.LParen, T.LBracket, T.MissingOpen]);
const CLOSERS = new Set<TokenType>([T.RParen, T.RBracket]);
const LITERALS = new Set<TokenType>([T.String, T.Integer, T.Decimal, T.True, T.False, T.Null]);
/** Tokens that end an expression at nesting level 0 (for error recovery). */
const STOPPERS = new Set<TokenType>([T.Comma, T.Pipe, T.LBracket, T.MissingOpen, T.Until, T.With, T.By, T.Where]);

const COMPARE_OPS: Record<string, A.CompareOp> = { Eq: '==', Neq: '!=', Lt: '<', Lte: '<=', Gt: '>', Gte: '>=', Asgn: '==' };

type Keys = { keys: A.Expr[]; span: Span };

const isSyntax = (d: Diagnostic) => d.code === 'eql/syntax';

function describe(t: IToken): string {
  if (t.tokenType === EOF) return 'the end of the query';
  const img = t.image.length > 40 ? t.image.slice(0, 37) + '...' : t.image;
  return `'${img}'`;
}

/** Hint for `AND`, `Where`...: Elasticsearch keywords are lowercase only. */
function keywordHint(t: IToken): string {
  if (t.tokenType !== T.Identifier) return '';
  const lower = t.image.toLowerCase();
  return lower !== t.image && KEYWORDS.has(lower) ? ` (keywords are lowercase in EQL: write '${lower}')` : '';
}

/** `x not like "a"`: only `in` has a negated infix form. */
function notHint(previous: IToken | undefined, actual: IToken): string {
  if (previous?.tokenType !== T.Not || ![T.Like, T.LikeCI, T.Regex, T.RegexCI, T.Colon].includes(actual.tokenType)) return '';
  return `; only [in] has a [not] form after the value: negate the whole condition instead, as in [not x ${actual.image} ...]`;
}

function expectedList(types: TokenType[]): string {
  const names = [...new Set(types.map((t) => (t === EOF ? 'the end of the query' : (t.LABEL ?? t.name))))];
  if (names.length <= 1) return names[0] ?? 'something else';
  return names.slice(0, -1).join(', ') + ' or ' + names[names.length - 1];
}

export class EqlParser extends EmbeddedActionsParser {
  text = '';
  /** Diagnostics found while building the tree (not chevrotain's own errors). */
  diags: Diagnostic[] = [];
  private depth = 0;
  private tooDeepReported = false;

  constructor() {
    super(allTokenTypes, {
      recoveryEnabled: true,
      maxLookahead: 3,
      errorMessageProvider: {
        buildMismatchTokenMessage: ({ expected, actual, previous }) =>
          `Expected ${expectedList([expected])} but found ${describe(actual)}${keywordHint(actual)}${notHint(previous, actual)}`,
        buildNotAllInputParsedMessage: ({ firstRedundant }) =>
          firstRedundant.tokenType === T.Pipe
            ? `Unexpected ${describe(firstRedundant)}`
            : `Unexpected ${describe(firstRedundant)} after the end of the query${keywordHint(firstRedundant)}`,
        buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, previous, customUserDescription }) => {
          const first = actual[0];
          const what = customUserDescription ?? expectedList(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => path[0])));
          return `Expected ${what} but found ${describe(first)}${keywordHint(first)}${notHint(previous, first)}`;
        },
        buildEarlyExitMessage: ({ expectedIterationPaths, actual, customUserDescription }) => {
          const first = actual[0];
          const what = customUserDescription ?? expectedList(expectedIterationPaths.map((path) => path[0]));
          return `Expected at least one ${what} but found ${describe(first)}${keywordHint(first)}`;
        },
      },
    });
    this.performSelfAnalysis();
  }

  // ---- helpers -------------------------------------------------------------------------

  private startOf(t: IToken): number {
    if (!isNaN(t.startOffset)) return t.startOffset;
    const prev = this.LA(0);
    return prev && !isNaN(prev.endOffset!) ? prev.endOffset! + 1 : this.text.length;
  }

  private endOf(t: IToken): number {
    if (!isNaN(t.endOffset!)) return t.endOffset! + 1;
    return this.startOf(t);
  }

  /** End offset of the last consumed token. */
  private lastEnd(): number {
    const t = this.LA(0);
    return t && !isNaN(t.endOffset!) ? t.endOffset! + 1 : 0;
  }

  /** Start of the next token (the start of whatever the rule is about to parse). */
  private nextStart(): number {
    const t = this.LA(1);
    return t.tokenType === EOF || isNaN(t.startOffset) ? this.text.length : t.startOffset;
  }

  private err(code: string, message: string, span: Span, fixes?: Fix[], severity: 'error' | 'warning' = 'error'): void {
    this.diags.push(diag(code, severity, message, span, fixes));
  }

  private errorExpr(start: number): A.ErrorExpr {
    const end = Math.max(start, this.lastEnd());
    return { kind: 'error', span: { start, end } };
  }

  load(text: string, tokens: IToken[]): void {
    this.text = text;
    this.diags = [];
    this.depth = 0;
    this.tooDeepReported = false;
    this.partialQuery = null;
    this.partialPipes = null;
    this.input = tokens;
  }

  private stringLiteral(t: IToken): A.LiteralExpr {
    const span = { start: this.startOf(t), end: this.endOf(t) };
    const info = stringInfo(t);
    if (!info) return { kind: 'literal', type: 'string', value: '', quote: 'double', span };
    // an unterminated legacy string already has its (one) diagnostic from the scanner
    if ((info.quote === 'single' || info.quote === 'question') && !info.unterminated) this.legacyString(info, span);
    return { kind: 'literal', type: 'string', value: info.value, quote: info.quote, span };
  }

  /** Single-quoted and ?"..." strings are rejected by Elasticsearch; offer the modern form. */
  private legacyString(info: StringInfo, span: Span): void {
    const escaped = '"' + info.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
    if (info.quote === 'single') {
      this.err('eql/single-quoted-string', 'Use double quotes ["] to define string literals, not single quotes [\']', span, [
        { title: 'Use double quotes', edits: [{ span, newText: escaped }] },
      ]);
    } else {
      const raw = !info.value.includes('"""') && !/[\r\n]/.test(info.value) && !info.value.endsWith('"');
      this.err('eql/legacy-raw-string', 'Use triple double quotes ["""] to define unescaped string literals, not [?"]', span, [
        raw
          ? { title: 'Use a """raw""" string', edits: [{ span, newText: `"""${info.value}"""` }] }
          : { title: 'Use an escaped double-quoted string', edits: [{ span, newText: escaped }] },
      ]);
    }
  }

  /**
   * After a syntax error inside an expression: skips tokens up to the end of the enclosing
   * construct (a closer, `,`, `|`, a new term, or a keyword that cannot be in an expression)
   * and returns an ErrorExpr covering them.
   */
  private skipBroken(start: number): Item {
    let balance = 0;
    for (;;) {
      const type = this.LA(1).tokenType;
      if (type === EOF) break;
      if (balance === 0 && (CLOSERS.has(type) || STOPPERS.has(type))) break;
      if (OPENERS.has(type)) balance++;
      else if (CLOSERS.has(type)) balance--;
      this.SKIP_TOKEN();
    }
    const end = Math.max(start, this.lastEnd());
    return { e: { kind: 'error', span: { start, end } }, start, end };
  }

  /**
   * Consumes a closing `)` / `]`, except at the end of the query after an error was already
   * reported: there every enclosing level would report (and recover from) the same missing
   * closer, which is one mistake and, with chevrotain's recovery, quadratic in the depth.
   */
  private closer(idx: number, type: TokenType): void {
    if (this.RECORDING_PHASE || this.LA(1).tokenType !== EOF || (this.errors.length === 0 && !this.diags.some(isSyntax))) this.consume(idx, type);
  }

  /** Consumes the next token if it has this type (outside the grammar: recovery only). */
  private match(type: TokenType): boolean {
    if (this.LA(1).tokenType !== type) return false;
    this.SKIP_TOKEN();
    return true;
  }

  /** Skips a too-deeply nested expression up to the closer that ends it; never recurses. */
  private skipTooDeep(): A.ErrorExpr {
    const start = this.nextStart();
    let balance = 0;
    for (;;) {
      const t = this.LA(1);
      const type = t.tokenType;
      if (type === EOF) break;
      if (OPENERS.has(type)) balance++;
      else if (CLOSERS.has(type)) {
        if (balance === 0) break;
        balance--;
      } else if (balance === 0 && (type === T.Comma || type === T.Pipe)) break;
      this.SKIP_TOKEN();
    }
    const span = { start, end: Math.max(start, this.lastEnd()) };
    if (!this.tooDeepReported) {
      this.tooDeepReported = true;
      this.err('eql/too-deep', `Expression nested more than ${MAX_NESTING} levels deep; simplify it (Elasticsearch rejects statements this large too)`, { start, end: Math.min(span.end, start + 1) || start });
    }
    return { kind: 'error', span };
  }

  // ---- statement and queries -----------------------------------------------------------

  statement = this.RULE(
    'statement',
    (): A.Statement => {
      const query = this.SUBRULE(this.query);
      const pipes: A.Pipe[] = [];
      if (!this.RECORDING_PHASE) {
        this.partialQuery = query;
        this.partialPipes = pipes;
      }
      this.MANY(() => {
        pipes.push(this.SUBRULE(this.pipe));
      });
      return { kind: 'statement', query, pipes, span: { start: 0, end: this.text.length } };
    },
    {
      // Keeps what was parsed before the error (a query, its terms, the pipes so far).
      recoveryValueFunc: (): A.Statement => ({
        kind: 'statement',
        query: this.partialQuery ?? { kind: 'event', filter: this.errorFilter(0), span: { start: 0, end: this.text.length } },
        pipes: this.partialPipes ?? [],
        span: { start: 0, end: this.text.length },
      }),
    },
  );

  /** The query being parsed, kept up to date so that recovery can return it (partially). */
  private partialQuery: A.Query | null = null;
  private partialPipes: A.Pipe[] | null = null;

  private errStart(e: IRecognitionException): number {
    return e.token && !isNaN(e.token.startOffset) ? e.token.startOffset : this.lastEnd();
  }

  private errorFilter(start: number): A.EventFilter {
    const span = { start, end: Math.max(start, this.lastEnd()) };
    return { kind: 'filter', category: { kind: 'category', name: null, quoted: false, span: { start, end: start } }, condition: { kind: 'error', span }, span };
  }

  private query = this.RULE(
    'query',
    (): A.Query =>
      this.OR({
      DEF: [
        { ALT: () => this.SUBRULE(this.sequence) },
        { ALT: () => this.SUBRULE(this.sample) },
        { ALT: () => this.SUBRULE(this.join) },
        {
          ALT: () => {
            const filter = this.SUBRULE(this.eventFilter);
            return this.ACTION((): A.EventQuery => (this.partialQuery = { kind: 'event', filter, span: { ...filter.span } }));
          },
        },
      ],
        ERR_MSG: "a query ('<category> where <condition>', 'sequence' or 'sample')",
      }),
    {
      recoveryValueFunc: (e: IRecognitionException): A.Query => this.partialQuery ?? { kind: 'event', filter: this.errorFilter(this.errStart(e)), span: { start: this.errStart(e), end: this.lastEnd() } },
    },
  );

  /** `by ...` and `with maxspan=...` in any order; `by` after `with` is reported. */
  private header(kind: 'sequence' | 'sample' | 'join') {
    const by: A.Expr[] = [];
    let bySpan: Span | null = null;
    let maxspan: A.Maxspan | null = null;
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const k = this.SUBRULE(this.joinKeys);
            this.ACTION(() => {
              if (!k.keys.length) return; // recovered from a syntax error
              if (maxspan && kind === 'sequence') this.err('eql/by-after-with', 'Please specify sequence [by] before [with] not after', k.span, this.moveByFix(k.span, maxspan));
              else if (bySpan) this.err('eql/syntax', `Duplicate [by] in ${kind}; list all join keys in one [by]`, k.span);
              by.push(...k.keys);
              bySpan = bySpan ? { start: bySpan.start, end: k.span.end } : k.span;
            });
          },
        },
        {
          ALT: () => {
            const m = this.SUBRULE(this.sequenceParams);
            this.ACTION(() => {
              if (m === null) return; // recovered from a syntax error
              if (kind !== 'sequence') this.err(`eql/${kind}-maxspan`, `[maxspan] is not supported in a ${kind}; only sequences take [with maxspan=...]`, m.span);
              else if (maxspan) this.err('eql/syntax', 'Duplicate [with maxspan]; specify it once', m.span);
              else maxspan = m;
            });
          },
        },
      ]);
    });
    return { by, bySpan: bySpan as Span | null, maxspan: maxspan as A.Maxspan | null };
  }

  /** Fix for `sequence with maxspan=1m by x`: move the `by` part before `with`. */
  private moveByFix(bySpan: Span, maxspan: A.Maxspan): Fix[] {
    // the `with` keyword precedes the maxspan node
    const withStart = this.text.lastIndexOf('with', maxspan.span.start);
    if (withStart < 0) return [];
    const byText = this.text.slice(bySpan.start, bySpan.end);
    return [
      {
        title: 'Move [by] before [with]',
        edits: [
          { span: { start: withStart, end: withStart }, newText: byText + ' ' },
          { span: { start: maxspan.span.end, end: bySpan.end }, newText: '' },
        ],
      },
    ];
  }

  /** `[term]+` then `until [term]`, pushing the terms into `terms` as they parse (see partialQuery). */
  private body(kind: 'sequence' | 'sample' | 'join', terms: A.SequenceTerm[]): { until: A.SequenceTerm | null; untilStart: number } {
    this.AT_LEAST_ONE({
      DEF: () => {
        terms.push(this.SUBRULE(this.sequenceTerm));
      },
      ERR_MSG: `${kind} term '[<category> where <condition>]'`,
    });
    let until: A.SequenceTerm | null = null;
    let untilStart = 0;
    this.OPTION(() => {
      const u = this.CONSUME(T.Until);
      until = this.SUBRULE2(this.sequenceTerm);
      untilStart = this.ACTION(() => this.startOf(u));
    });
    return { until, untilStart };
  }

  private sequence = this.RULE('sequence', (): A.SequenceQuery => {
    const kw = this.CONSUME(T.Sequence);
    const terms: A.SequenceTerm[] = [];
    const partial: A.SequenceQuery = { kind: 'sequence', by: [], bySpan: null, maxspan: null, terms, until: null, span: { start: this.startOf(kw), end: this.text.length } };
    if (!this.RECORDING_PHASE) this.partialQuery = partial;
    const h = this.header('sequence');
    partial.by = h.by;
    const { until } = this.body('sequence', terms);
    return this.ACTION(() => {
      return { kind: 'sequence', by: h.by, bySpan: h.bySpan, maxspan: h.maxspan, terms, until, span: { start: this.startOf(kw), end: this.lastEnd() } };
    });
  });

  private sample = this.RULE('sample', (): A.SampleQuery => {
    const kw = this.CONSUME(T.Sample);
    const terms: A.SequenceTerm[] = [];
    if (!this.RECORDING_PHASE) this.partialQuery = { kind: 'sample', by: [], bySpan: null, terms, span: { start: this.startOf(kw), end: this.text.length } };
    const h = this.header('sample');
    const b = this.body('sample', terms);
    this.ACTION(() => {
      if (b.until) this.err('eql/sample-until', '[until] is not supported in a sample; only sequences take [until]', { start: b.untilStart, end: b.until.span.end });
    });
    return this.ACTION(() => ({ kind: 'sample', by: h.by, bySpan: h.bySpan, terms, span: { start: this.startOf(kw), end: this.lastEnd() } }));
  });

  private join = this.RULE('join', (): A.JoinQuery => {
    const kw = this.CONSUME(T.Join);
    const h = this.header('join');
    const terms: A.SequenceTerm[] = [];
    const { until } = this.body('join', terms);
    return this.ACTION(() => ({ kind: 'join', by: h.by, terms, until, span: { start: this.startOf(kw), end: this.lastEnd() } }));
  });

  private sequenceParams = this.RULE('sequenceParams', (): A.Maxspan | null => {
    this.CONSUME(T.With);
    const kw = this.CONSUME(T.Maxspan);
    this.CONSUME(T.Asgn);
    const num = this.OR([{ ALT: () => this.CONSUME(T.Integer) }, { ALT: () => this.CONSUME(T.Decimal) }]);
    let unit: IToken | null = null;
    this.OPTION(() => {
      unit = this.CONSUME(T.Identifier);
    });
    return this.ACTION(() => {
      const u = unit as IToken | null;
      const value = Number(num.image);
      const unitText = u ? u.image : null;
      const factor = unitText ? UNIT_MS[unitText] : undefined;
      const ms = Number.isInteger(value) && value > 0 && factor !== undefined && num.tokenType === T.Integer ? value * factor : null;
      const valueSpan = { start: this.startOf(num), end: this.endOf(num) };
      return {
        kind: 'maxspan',
        value,
        unit: unitText,
        ms,
        span: { start: this.startOf(kw), end: this.lastEnd() },
        valueSpan,
        unitSpan: u ? { start: this.startOf(u), end: this.endOf(u) } : null,
      } as A.Maxspan;
    });
  }, { recoveryValueFunc: () => null });

  private sequenceTerm = this.RULE(
    'sequenceTerm',
    (): A.SequenceTerm => {
      if (!this.RECORDING_PHASE && this.errors.length >= 4 * MAX_SYNTAX_ERRORS) {
        // Hopeless input (thousands of broken terms): stop spending time on recovery.
        while (this.LA(1).tokenType !== EOF) this.SKIP_TOKEN();
      }
      const open = this.OR([{ ALT: () => this.CONSUME(T.LBracket) }, { ALT: () => this.CONSUME(T.MissingOpen) }]);
      const filter = this.SUBRULE(this.eventFilter);
      try {
        this.CONSUME(T.RBracket);
      } catch (e) {
        // `[a where x` with no `]`: keep the term (the rest of the sequence stays usable too)
        if (this.RECORDING_PHASE || !isRecognitionException(e as Error)) throw e;
        this.skipBroken(this.errStart(e as IRecognitionException));
        this.match(T.RBracket);
        return { kind: 'term', filter, missing: open.tokenType === T.MissingOpen, by: [], runs: null, span: { start: this.startOf(open), end: this.lastEnd() } };
      }
      let by: A.Expr[] = [];
      let bySpan: Span | null = null;
      this.OPTION(() => {
        const k = this.SUBRULE(this.joinKeys);
        this.ACTION(() => {
          by = k.keys;
          bySpan = k.span;
        });
      });
      let runs: { value: number; span: Span } | null = null;
      this.OPTION2(() => {
        this.CONSUME(T.With);
        const key = this.OR2([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.Maxspan) }]);
        this.CONSUME(T.Asgn);
        const num = this.OR3([{ ALT: () => this.CONSUME2(T.Integer) }, { ALT: () => this.CONSUME2(T.Decimal) }]);
        let unit: IToken | null = null;
        this.OPTION3(() => {
          unit = this.CONSUME2(T.Identifier);
        });
        this.ACTION(() => {
          const span = { start: this.startOf(num), end: this.endOf(num) };
          const whole = { start: this.startOf(key), end: this.lastEnd() };
          if (key.tokenType === T.Maxspan) {
            this.err('eql/maxspan-position', 'Specify [with maxspan=...] right after [sequence] (and its [by] keys), not after a term', whole);
          } else if (key.image !== 'runs') {
            this.err('eql/syntax', `Unknown sequence term parameter [${key.image}]; the only one is [runs], as in [with runs=2]`, { start: this.startOf(key), end: this.endOf(key) });
          } else if (unit) {
            const u = unit as IToken;
            this.err('eql/syntax', `Unexpected [${u.image}] after the [runs] value; write [with runs=N]`, { start: this.startOf(u), end: this.endOf(u) });
          } else if (num.tokenType === T.Decimal) {
            this.err('eql/runs', `Decimal [runs] value [${num.image}] not supported; use an integer from 1 to 100`, span);
          } else {
            runs = { value: Number(num.image), span };
          }
        });
      });
      return this.ACTION(() => ({
        kind: 'term',
        filter,
        missing: open.tokenType === T.MissingOpen,
        by,
        ...(bySpan ? { bySpan } : {}),
        runs,
        span: { start: this.startOf(open), end: this.lastEnd() },
      }));
    },
    {
      recoveryValueFunc: (e: IRecognitionException): A.SequenceTerm => {
        const start = !isNaN(e.token.startOffset) ? e.token.startOffset : this.lastEnd();
        const filter = this.errorFilter(start);
        return { kind: 'term', filter, missing: false, by: [], runs: null, span: { ...filter.span } };
      },
    },
  );

  private joinKeys = this.RULE('joinKeys', (): Keys => {
    const kw = this.CONSUME(T.By);
    const keys: A.Expr[] = [];
    keys.push(this.SUBRULE(this.expression));
    this.MANY(() => {
      this.CONSUME(T.Comma);
      keys.push(this.SUBRULE2(this.expression));
    });
    return this.ACTION(() => ({ keys, span: { start: this.startOf(kw), end: this.lastEnd() } }));
  }, { recoveryValueFunc: (e: IRecognitionException): Keys => ({ keys: [], span: { start: this.errStart(e), end: this.errStart(e) } }) });

  private eventFilter = this.RULE(
    'eventFilter',
    (): A.EventFilter => {
      const start = this.nextStart();
      const category = this.OR({
        DEF: [
          {
            ALT: () => {
              const t = this.CONSUME(T.Any);
              return this.ACTION((): A.Category => ({ kind: 'category', name: null, quoted: false, span: { start: this.startOf(t), end: this.endOf(t) } }));
            },
          },
          {
            ALT: () => {
              const t = this.CONSUME(T.Identifier);
              return this.ACTION((): A.Category => ({ kind: 'category', name: t.image, quoted: false, span: { start: this.startOf(t), end: this.endOf(t) } }));
            },
          },
          {
            ALT: () => {
              const t = this.CONSUME(T.String);
              return this.ACTION((): A.Category => {
                const lit = this.stringLiteral(t);
                return { kind: 'category', name: String(lit.value), quoted: true, span: lit.span };
              });
            },
          },
        ],
        ERR_MSG: "an event category (a name such as 'process', a \"quoted\" name or 'any')",
      });
      this.CONSUME(T.Where);
      const condition = this.SUBRULE(this.expression);
      return this.ACTION(() => ({ kind: 'filter', category, condition, span: { start, end: this.lastEnd() } }));
    },
    { recoveryValueFunc: (e: IRecognitionException) => this.errorFilter(!isNaN(e.token.startOffset) ? e.token.startOffset : this.lastEnd()) },
  );

  private pipe = this.RULE('pipe', (): A.Pipe => {
    const bar = this.CONSUME(T.Pipe);
    const name = this.CONSUME(T.Identifier);
    const args: A.Expr[] = [];
    this.OPTION(() => {
      args.push(this.SUBRULE(this.expression));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        args.push(this.SUBRULE2(this.expression));
      });
    });
    return this.ACTION(() => ({ kind: 'pipe', name: name.image, nameSpan: { start: this.startOf(name), end: this.endOf(name) }, args, span: { start: this.startOf(bar), end: this.lastEnd() } }));
  }, { recoveryValueFunc: (e: IRecognitionException): A.Pipe => ({ kind: 'pipe', name: '', nameSpan: { start: this.errStart(e), end: this.errStart(e) }, args: [], span: { start: this.errStart(e), end: Math.max(this.errStart(e), this.lastEnd()) } }) });

  // ---- expressions ---------------------------------------------------------------------
  // Performance: a literal used to go through 11 nested rules (one per precedence level);
  // now binary operators are read in one loop and arranged by precedence afterwards, and the
  // OR alternatives are built once per parser (chevrotain's "cached alternatives" idiom)
  // instead of allocating closures on every call.

  /** `or` / `and` chain of (possibly negated) operands; and-chains are grouped inside or-chains. */
  expression = this.RULE(
    'expression',
    (): A.Expr => {
      if (!this.RECORDING_PHASE && this.depth >= MAX_NESTING) return this.skipTooDeep();
      this.depth++;
      let first: Item | null = null;
      let items: (Item | IToken)[] | null = null;
      try {
        first = this.notOperand(1);
        this.MANY(() => {
          const op = this.OR(this.logicalOps);
          (items ??= [first!]).push(op);
          items.push(this.notOperand(2));
        });
        if (items === null || this.RECORDING_PHASE) return first.e;
        return buildLogical(items);
      } catch (e) {
        // Recover here rather than in an outer rule, which would drop everything parsed so far:
        // skip to where this expression plausibly ends and keep the operands already read.
        if (this.RECORDING_PHASE || !isRecognitionException(e as Error)) throw e;
        const error = this.skipBroken(this.errStart(e as IRecognitionException));
        if (first === null) return error.e;
        const list: (Item | IToken)[] = items ?? [first];
        if (list.length % 2 === 0) list.push(error); // an operator is waiting for its operand
        return buildLogical(list);
      } finally {
        this.depth--;
      }
    },
    { recoveryValueFunc: (e: IRecognitionException) => this.errorExpr(!isNaN(e.token.startOffset) ? e.token.startOffset : this.lastEnd()) },
  );

  private logicalOps = [{ ALT: () => this.CONSUME(T.Or) }, { ALT: () => this.CONSUME(T.And) }];

  /**
   * `not not x`: prefix `not` binds tighter than `and` / `or`, looser than comparisons. Inlined
   * into `expression` (k = occurrence index) to save a rule invocation per operand.
   */
  private notOperand(k: number): Item {
    const start = this.nextStart();
    let nots: IToken[] | null = null;
    this.many(k + 10, () => {
      (nots ??= []).push(this.consume(k + 10, T.Not));
    });
    let e = this.subrule(k + 10, this.binary);
    if (nots !== null && !this.RECORDING_PHASE) {
      const ns = nots as IToken[];
      for (let i = ns.length - 1; i >= 0; i--) e = { kind: 'not', operand: e, span: { start: this.startOf(ns[i]), end: e.span.end } };
    }
    return { e, start, end: this.lastEnd() };
  }

  /** Arithmetic and comparisons: `operand (op operand)*`, arranged by precedence in buildBinary. */
  private binary = this.RULE('binary', (): A.Expr => {
    const first = this.operand(1);
    let items: (Item | IToken)[] | null = null;
    this.MANY(() => {
      const op = this.OR(this.binaryOps);
      const item = this.operand(2);
      (items ??= [first]).push(op, item);
    });
    if (items === null || this.RECORDING_PHASE) return first.e;
    return this.buildBinary(items);
  }, { recoveryValueFunc: (e: IRecognitionException) => this.errorExpr(this.errStart(e)) });

  private binaryOps = [T.Star, T.Slash, T.Percent, T.Plus, T.Minus, T.Eq, T.Neq, T.Lt, T.Lte, T.Gt, T.Gte, T.Asgn].map((t) => ({ ALT: () => this.CONSUME(t) }));

  /**
   * Unary signs, a primary, and an optional predicate (`in`, `:`, `like`, `regex`) as in
   * Elasticsearch. Inlined into `binary` (k = occurrence index, 1 or 2).
   */
  private operand(k: number): Item {
    const start = this.nextStart();
    let signs: IToken[] | null = null;
    this.many(k + 20, () => {
      (signs ??= []).push(this.or(k + 20, this.signOps[k]));
    });
    const value: A.Expr = this.or(k + 30, this.primaryAlts[k]);
    let result = value;
    this.option(k + 20, () => {
      this.predicateValue = value;
      result = this.subrule(k + 20, this.predicate);
    });
    if (signs !== null && !this.RECORDING_PHASE) {
      const ss = signs as IToken[];
      for (let i = ss.length - 1; i >= 0; i--) {
        if (ss[i].tokenType === T.Minus) result = { kind: 'negate', operand: result, span: { start: this.startOf(ss[i]), end: result.span.end } };
      }
    }
    return { e: result, start, end: this.lastEnd() };
  }

  /** Shunting-yard over one flat `a op b op c` list; comparisons do not chain (reported). */
  private buildBinary(items: (Item | IToken)[]): A.Expr {
    const values: Item[] = [items[0] as Item];
    const ops: IToken[] = [];
    for (let i = 1; i < items.length; i += 2) {
      const op = items[i] as IToken;
      const prec = PRECEDENCE.get(op.tokenType)!;
      // all binary operators are left-associative: reduce while the stacked one binds as tight
      while (ops.length && PRECEDENCE.get(ops[ops.length - 1].tokenType)! >= prec) this.reduce(values, ops);
      ops.push(op);
      values.push(items[i + 1] as Item);
    }
    while (ops.length) this.reduce(values, ops);
    return values[0].e;
  }

  private reduce(values: Item[], ops: IToken[]): void {
    const op = ops.pop()!;
    const right = values.pop()!;
    const left = values.pop()!;
    const span = { start: left.start, end: right.end };
    if (PRECEDENCE.get(op.tokenType)! > 1) {
      values.push({ e: { kind: 'arith', op: op.image as A.ArithOp, left: left.e, right: right.e, span }, start: span.start, end: span.end });
      return;
    }
    const opSpan = { start: this.startOf(op), end: this.endOf(op) };
    if (op.tokenType === T.Asgn) {
      this.err('eql/assign-equals', '[=] is not an equality operator in EQL; use == (case-sensitive) or : (case-insensitive)', opSpan, [
        { title: 'Replace = with ==', edits: [{ span: opSpan, newText: '==' }] },
        { title: 'Replace = with :', edits: [{ span: opSpan, newText: ':' }] },
      ]);
    }
    const cmpOp = COMPARE_OPS[op.tokenType.name];
    if (left.cmp) {
      const l = left.e as A.CompareExpr;
      this.err('eql/chained-comparison', `Comparisons cannot be chained; write [a ${l.op} b and b ${cmpOp} c] instead`, { start: opSpan.start, end: right.end });
    }
    values.push({ e: { kind: 'compare', op: cmpOp, left: left.e, right: right.e, opSpan, span }, start: span.start, end: span.end, cmp: true });
  }

  /** `-` / `+` prefixes; one copy per call site (k), as DSL indexes must differ within a rule. */
  private signOps = [0, 1, 2].map((k) => [{ ALT: () => this.consume(k + 50, T.Minus) }, { ALT: () => this.consume(k + 50, T.Plus) }]);

  /** Left side of the predicate being parsed; read before anything else can overwrite it. */
  private predicateValue: A.Expr = null as unknown as A.Expr;

  private predicate = this.RULE(
    'predicate',
    (): A.Expr => {
      const value = this.predicateValue;
      try {
        return this.OR(this.predicateAlts);
      } catch (e) {
        // `x : ` cut short: keep `x` in the tree (hover and completion still find it)
        if (this.RECORDING_PHASE || !isRecognitionException(e as Error)) throw e;
        this.skipBroken(this.errStart(e as IRecognitionException));
        return value;
      }
    },
    { recoveryValueFunc: (e: IRecognitionException) => this.errorExpr(this.errStart(e)) },
  );

  private predicateAlts = [
    {
      ALT: (): A.Expr => {
        const value = this.predicateValue;
        let not: IToken | null = null;
        this.OPTION2(() => {
          not = this.CONSUME(T.Not);
        });
        const op = this.OR3(this.inOps);
        const list = this.SUBRULE(this.parenList);
        return this.ACTION((): A.InExpr => {
          const n = not as IToken | null;
          return {
            kind: 'in',
            negated: n !== null,
            caseInsensitive: op.tokenType === T.InCI,
            value,
            list,
            opSpan: { start: this.startOf(n ?? op), end: this.endOf(op) },
            span: { start: value.span.start, end: this.lastEnd() },
          };
        });
      },
    },
    {
      ALT: (): A.Expr => {
        const value = this.predicateValue;
        const op = this.OR4(this.matchOps);
        const patterns = this.OR5(this.patternAlts);
        return this.ACTION((): A.MatchExpr => {
          const t = op.tokenType;
          return {
            kind: 'match',
            op: t === T.Colon ? ':' : t === T.Like || t === T.LikeCI ? 'like' : 'regex',
            caseInsensitive: t === T.Colon || t === T.LikeCI || t === T.RegexCI,
            value,
            patterns,
            opSpan: { start: this.startOf(op), end: this.endOf(op) },
            span: { start: value.span.start, end: this.lastEnd() },
          };
        });
      },
    },
  ];

  private inOps = [{ ALT: () => this.CONSUME(T.In) }, { ALT: () => this.CONSUME(T.InCI) }];
  private matchOps = [T.Colon, T.Like, T.LikeCI, T.Regex, T.RegexCI].map((t) => ({ ALT: () => this.CONSUME2(t) }));

  // `(` after a match operator always opens a list, never a parenthesised expression
  // (a single pattern is a primary without parentheses, so LL(1) tells them apart).
  private patternAlts = {
    DEF: [{ ALT: (): A.Expr[] => this.SUBRULE2(this.parenList) }, { ALT: (): A.Expr[] => [this.SUBRULE(this.patternOperand)] }],
    ERR_MSG: 'a string or a parenthesised list of strings',
  };

  /** One pattern after `:`, `like`, `regex`: a literal (checked later), maybe signed. */
  private patternOperand = this.RULE('patternOperand', (): A.Expr => this.operandNoPredicate(), { recoveryValueFunc: (e: IRecognitionException) => this.errorExpr(this.errStart(e)) });

  private operandNoPredicate(): A.Expr {
    let signs: IToken[] | null = null;
    this.MANY(() => {
      (signs ??= []).push(this.OR(this.signOps[0]));
    });
    let e: A.Expr = this.OR2(this.primaryAlts[3]);
    if (signs !== null && !this.RECORDING_PHASE) {
      const ss = signs as IToken[];
      for (let i = ss.length - 1; i >= 0; i--) {
        if (ss[i].tokenType === T.Minus) e = { kind: 'negate', operand: e, span: { start: this.startOf(ss[i]), end: e.span.end } };
      }
    }
    return e;
  }

  /** `( expr, expr, ... )` */
  private parenList = this.RULE('parenList', (): A.Expr[] => {
    this.CONSUME(T.LParen);
    const list: A.Expr[] = [];
    if (!this.RECORDING_PHASE) {
      // Fast path for the bulk of real queries, long `("a", "b", ...)` lists: a literal
      // followed by a comma needs no trip through the expression rules. The grammar below
      // still parses the last item, so the rule's shape is unchanged.
      for (;;) {
        const t = this.LA(1);
        if (!LITERALS.has(t.tokenType) || this.LA(2).tokenType !== T.Comma) break;
        this.SKIP_TOKEN();
        this.SKIP_TOKEN();
        list.push(this.literalToken(t));
      }
    }
    list.push(this.SUBRULE(this.expression));
    this.MANY(() => {
      this.CONSUME(T.Comma);
      list.push(this.SUBRULE2(this.expression));
    });
    this.closer(0, T.RParen);
    return list;
  }, { recoveryValueFunc: (): A.Expr[] => [] });

  /** Consumes `, literal` pairs that are followed by `,` or `)` (whole list items). */
  private literalRun(list: A.Expr[]): void {
    for (;;) {
      const t = this.LA(2);
      if (this.LA(1).tokenType !== T.Comma || !LITERALS.has(t.tokenType)) return;
      const after = this.LA(3).tokenType;
      if (after !== T.Comma && after !== T.RParen) return;
      this.SKIP_TOKEN();
      this.SKIP_TOKEN();
      list.push(this.literalToken(t));
    }
  }

  private literalToken(t: IToken): A.LiteralExpr {
    const span = { start: this.startOf(t), end: this.endOf(t) };
    switch (t.tokenType) {
      case T.String:
        return this.stringLiteral(t);
      case T.Integer:
      case T.Decimal:
        return { kind: 'literal', type: 'number', value: Number(t.image), span };
      case T.True:
        return { kind: 'literal', type: 'boolean', value: true, span };
      case T.False:
        return { kind: 'literal', type: 'boolean', value: false, span };
      default:
        return { kind: 'literal', type: 'null', value: null, span };
    }
  }

  /** Alternatives of a primary expression; one copy per call site (k), as DSL indexes must differ. */
  // Copy 3 (for single match patterns) has no parenthesised form: see patternAlts.
  private primaryAlts = [0, 1, 2, 3].map((k) => ({
    DEF: [
      ...[T.String, T.Integer, T.Decimal, T.True, T.False, T.Null].map((tt) => ({
        ALT: (): A.Expr => {
          const t = this.consume(k + 40, tt);
          return this.RECORDING_PHASE ? (null as unknown as A.Expr) : this.literalToken(t);
        },
      })),
      ...(k === 3
        ? []
        : [
            {
              ALT: (): A.Expr => {
                this.consume(k + 40, T.LParen);
                const e = this.subrule(k + 40, this.expression);
                this.closer(k + 40, T.RParen);
                return e;
              },
            },
          ]),
      { ALT: (): A.Expr => this.subrule(k + 40, this.call) },
      { ALT: (): A.Expr => this.subrule(k + 40, this.lineage) },
      { ALT: (): A.Expr => this.subrule(k + 40, this.field) },
    ],
    ERR_MSG: 'an expression (a field, a literal, a function call or a parenthesised expression)',
  }));

  private call = this.RULE('call', (): A.CallExpr => {
    const name = this.OR(this.callNames);
    this.CONSUME(T.LParen);
    const args: A.Expr[] = [];
    this.OPTION(() => {
      args.push(this.SUBRULE(this.expression));
      // `cidrMatch(ip, "10.0.0.0/8", ...)`: literal arguments skip the expression rules (see parenList)
      if (!this.RECORDING_PHASE) this.literalRun(args);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        args.push(this.SUBRULE2(this.expression));
      });
    });
    this.closer(0, T.RParen);
    return this.ACTION((): A.CallExpr => {
      const ci = name.tokenType === T.TildeIdentifier;
      const start = this.startOf(name);
      const text = ci ? name.image.slice(0, -1) : name.image;
      return { kind: 'call', name: text, nameSpan: { start, end: start + text.length }, caseInsensitive: ci, args, span: { start, end: this.lastEnd() } };
    });
  }, { recoveryValueFunc: (e: IRecognitionException) => this.errorExpr(this.errStart(e)) as unknown as A.CallExpr });

  private callNames = [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.TildeIdentifier) }];

  private lineage = this.RULE('lineage', (): A.LineageExpr => {
    const rel = this.CONSUME(T.Identifier);
    this.CONSUME(T.Of);
    this.CONSUME(T.LBracket);
    // a lineage level costs more stack than a parenthesis: count it twice
    this.depth++;
    let filter: A.EventFilter;
    try {
      filter = this.SUBRULE(this.eventFilter);
    } finally {
      this.depth--;
    }
    this.closer(0, T.RBracket);
    return this.ACTION(() => ({ kind: 'lineage', relation: rel.image, filter, span: { start: this.startOf(rel), end: this.lastEnd() } }));
  }, { recoveryValueFunc: (e: IRecognitionException) => this.errorExpr(this.errStart(e)) as unknown as A.LineageExpr });

  /** Tokens of the field being parsed (fields do not nest, so one buffer suffices). */
  private parts: IToken[] = [];

  private field = this.RULE('field', (): A.FieldExpr => {
    let q: IToken | null = null;
    this.OPTION(() => {
      q = this.CONSUME(T.Question);
    });
    const first = this.OR(this.fieldStarts);
    const parts: IToken[] = (this.parts = [first]);
    this.MANY(this.fieldRest);
    return this.ACTION((): A.FieldExpr => {
      const names: string[] = [];
      const path: (string | number)[] = [];
      for (const p of parts) {
        if (!p || !p.tokenType) continue; // a segment lost to error recovery
        if (p.tokenType === T.Integer) {
          path.push(Number(p.image));
          continue;
        }
        if (p.tokenType === T.DottedIdentifier) {
          for (const seg of p.image.split('.')) {
            path.push(seg);
            names.push(seg);
          }
          continue;
        }
        const seg = p.tokenType === T.QuotedIdentifier ? unquoteIdentifier(p.image) : p.image;
        if (p.tokenType !== T.Identifier && p.tokenType !== T.QuotedIdentifier && !isNaN(p.startOffset)) {
          const span = { start: this.startOf(p), end: this.endOf(p) };
          this.err('eql/keyword-in-field', `[${p.image}] is a keyword; quote this field name part with backticks: \`${p.image}\``, span, [
            { title: 'Quote with backticks', edits: [{ span, newText: '`' + p.image + '`' }] },
          ]);
        }
        path.push(seg);
        names.push(seg);
      }
      const qt = q as IToken | null;
      return { kind: 'field', name: names.length === 1 ? names[0] : names.join('.'), path, optional: qt !== null, span: { start: this.startOf(qt ?? first), end: this.lastEnd() } };
    });
  }, { recoveryValueFunc: (e: IRecognitionException) => this.errorExpr(this.errStart(e)) as unknown as A.FieldExpr });

  private fieldStarts = [{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.DottedIdentifier) }, { ALT: () => this.CONSUME(T.QuotedIdentifier) }];

  // `[` continues the field only as an index (`a[0]`); `by x [file where ...]` starts a term.
  // Chevrotain's repetition lookahead ignores what follows the rule, hence the gate.
  private fieldRest = {
    GATE: () => this.LA(1).tokenType !== T.LBracket || this.LA(2).tokenType === T.Integer,
    DEF: () => {
      this.OR2(this.fieldSteps);
    },
  };

  private fieldSteps = [
    {
      ALT: () => {
        this.CONSUME(T.Dot);
        this.parts.push(this.SUBRULE(this.fieldSegment));
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.LBracket);
        this.parts.push(this.CONSUME(T.Integer));
        this.CONSUME(T.RBracket);
      },
    },
  ];

  /** A name after `.`: identifiers, backtick names, and keywords (reported, for a good message). */
  private fieldSegment = this.RULE('fieldSegment', (): IToken => this.OR(this.segmentAlts), { recoveryValueFunc: () => null as unknown as IToken });

  private segmentAlts = {
    DEF: [T.Identifier, T.QuotedIdentifier, T.And, T.Any, T.By, T.False, T.In, T.Join, T.Like, T.Maxspan, T.Not, T.Null, T.Of, T.Or, T.Regex, T.Sample, T.Sequence, T.True, T.Until, T.Where, T.With].map(
      (k) => ({ ALT: () => this.CONSUME(k) }),
    ),
    ERR_MSG: 'a field name',
  };
}

interface Item {
  e: A.Expr;
  start: number;
  end: number;
  /** Built from a comparison in the same unparenthesised chain (to report `a < b < c`). */
  cmp?: boolean;
}

/** Binding strength of binary operators: * / % over + - over comparisons. */
const PRECEDENCE = new Map<TokenType, number>([
  [T.Star, 3], [T.Slash, 3], [T.Percent, 3],
  [T.Plus, 2], [T.Minus, 2],
  [T.Eq, 1], [T.Neq, 1], [T.Lt, 1], [T.Lte, 1], [T.Gt, 1], [T.Gte, 1], [T.Asgn, 1],
]);

/** Groups `a and b or c and d` into or(and(a, b), and(c, d)); chains stay flat (n-ary). */
function buildLogical(items: (Item | IToken)[]): A.Expr {
  const ors: Item[] = [];
  let group: Item[] = [items[0] as Item];
  for (let i = 1; i < items.length; i += 2) {
    if ((items[i] as IToken).tokenType === T.Or) {
      ors.push(andGroup(group));
      group = [];
    }
    group.push(items[i + 1] as Item);
  }
  ors.push(andGroup(group));
  if (ors.length === 1) return ors[0].e;
  return { kind: 'or', operands: ors.map(itemExpr), span: { start: ors[0].start, end: ors[ors.length - 1].end } };
}

function itemExpr(i: Item): A.Expr {
  return i.e;
}

function andGroup(group: Item[]): Item {
  if (group.length === 1) return group[0];
  const span = { start: group[0].start, end: group[group.length - 1].end };
  return { e: { kind: 'and', operands: group.map(itemExpr), span }, start: span.start, end: span.end };
}

/** The time units Elasticsearch accepts in maxspan, in milliseconds (smallest first). */
export const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function unquoteIdentifier(image: string): string {
  const body = image.endsWith('`') && image.length >= 2 ? image.slice(1, -1) : image.slice(1);
  return body.replace(/``/g, '`');
}

let shared: EqlParser | null = null;

function parserInstance(): EqlParser {
  return (shared ??= new EqlParser());
}

function errorSpan(e: IRecognitionException, textLength: number): Span {
  const t = e.token;
  if (!t || t.tokenType === EOF || isNaN(t.startOffset)) {
    const prev = (e as { previousToken?: IToken }).previousToken;
    const end = prev && !isNaN(prev.endOffset!) ? prev.endOffset! + 1 : textLength;
    return { start: end, end };
  }
  return { start: t.startOffset, end: t.endOffset! + 1 };
}

/** Parses one EQL query (offsets relative to `text`). Never throws; always returns a tree. */
export function parseEql(text: string): { ast: A.Statement; diagnostics: Diagnostic[] } {
  const lexed = lex(text);
  const p = parserInstance();
  p.load(text, lexed.tokens);
  let ast: A.Statement;
  try {
    ast = p.statement();
  } catch (e) {
    // A chevrotain internal failure must not take the editor down.
    ast = { kind: 'statement', query: { kind: 'event', filter: { kind: 'filter', category: { kind: 'category', name: null, quoted: false, span: { start: 0, end: 0 } }, condition: { kind: 'error', span: { start: 0, end: text.length } }, span: { start: 0, end: text.length } }, span: { start: 0, end: text.length } }, pipes: [], span: { start: 0, end: text.length } };
    p.diags.push(diag('eql/internal', 'error', `EQL parser failed: ${e instanceof Error ? e.message : String(e)}`, { start: 0, end: Math.min(1, text.length) }));
  }
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const syntaxAt = new Set<number>(lexed.diagnostics.map((d) => d.span.start));
  let lastSyntax: Span | null = null;
  for (const e of p.errors) {
    const span = errorSpan(e, text.length);
    // "Unexpected X after the end of the query" after another error is that error's echo.
    const trailing = e.name === 'NotAllInputParsedException' || e.message.startsWith('Expected the end of the query');
    if (trailing && (diagnostics.length > 0 || p.diags.some((d) => d.code === 'eql/syntax'))) continue;
    // One mistake, one diagnostic: chevrotain may report the same position twice while recovering.
    if (syntaxAt.has(span.start)) continue;
    // Consecutive errors with nothing parsed in between (`[[[[`) are one mistake too.
    if (lastSyntax && span.start >= lastSyntax.end && /^\s*$/.test(text.slice(lastSyntax.end, span.start))) {
      lastSyntax = span;
      continue;
    }
    if (syntaxAt.size >= MAX_SYNTAX_ERRORS) break;
    syntaxAt.add(span.start);
    lastSyntax = span;
    diagnostics.push(diag('eql/syntax', 'error', e.message, span));
  }
  if (text.trim() === '' || lexed.tokens.length === 0) {
    // An empty query gets one clear message instead of chevrotain's "expected ... but found EOF".
    diagnostics.length = 0;
    diagnostics.push(...lexed.diagnostics, diag('eql/empty', 'error', "Empty query: write '<category> where <condition>', e.g. process where true", { start: 0, end: text.length }));
  }
  diagnostics.push(...p.diags);
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return { ast, diagnostics };
}
