// Rule checks: what the upstream validator enforces on a rule file (see docs/rule-files.md),
// each a small function with a stable code, a precise range and a fix where obvious.

import { diag, type Diagnostic, type Fix, type Span } from '../core/diagnostic';
import type { Statement } from '../eql/ast';
import type { FieldSet } from '../schema/fieldSet';
import type { RuleFile, TomlEntry } from './ruleFile';
import type { AST } from './toml';

export interface RuleCheckContext {
  /** Parsed EQL statement of each query (same order as `rule.queries`), when parsed. */
  statements?: (Statement | null)[];
  /** The fields the rule's EQL options (timestamp_field, ...) must come from (ECS upstream). */
  optionFields?: FieldSet;
}

type Check = (rf: RuleFile, ctx: RuleCheckContext) => Diagnostic[];

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
/** Risk score range of each severity, inclusive. */
const RISK_RANGE: Record<(typeof SEVERITIES)[number], [number, number]> = { low: [0, 21], medium: [22, 47], high: [48, 73], critical: [74, 100] };
const MATURITIES = ['development', 'experimental', 'beta', 'production', 'deprecated'];
const RULE_TYPES = ['query', 'saved_query', 'machine_learning', 'eql', 'esql', 'threshold', 'threat_match', 'new_terms'];
const LANGUAGES = ['eql', 'esql', 'kuery', 'lucene'];
const QUERY_TYPES = new Set(['query', 'eql', 'esql', 'threshold', 'threat_match', 'new_terms']);
const OS_TYPES = ['windows', 'linux', 'macos'];
const FRAMEWORKS = ['MITRE ATT&CK', 'MITRE ATLAS'];

/** Value type expected for known keys; `string[]` = array of strings. */
type ValueKind = 'string' | 'integer' | 'boolean' | 'string[]' | 'string|string[]' | 'array' | 'table';
const KEY_TYPES: Record<string, ValueKind> = {
  'metadata.creation_date': 'string',
  'metadata.updated_date': 'string',
  'metadata.deprecation_date': 'string',
  'metadata.maturity': 'string',
  'metadata.min_stack_version': 'string',
  'metadata.min_stack_comments': 'string',
  'metadata.integration': 'string|string[]',
  'metadata.os_type_list': 'string[]',
  'metadata.query_schema_validation': 'boolean',
  'rule.author': 'string[]',
  'rule.description': 'string',
  'rule.name': 'string',
  'rule.risk_score': 'integer',
  'rule.rule_id': 'string',
  'rule.severity': 'string',
  'rule.type': 'string',
  'rule.language': 'string',
  'rule.query': 'string',
  'rule.index': 'string[]',
  'rule.data_view_id': 'string',
  'rule.from': 'string',
  'rule.interval': 'string',
  'rule.max_signals': 'integer',
  'rule.version': 'integer',
  'rule.tags': 'string[]',
  'rule.references': 'string[]',
  'rule.false_positives': 'string[]',
  'rule.license': 'string',
  'rule.note': 'string',
  'rule.setup': 'string',
  'rule.timestamp_override': 'string',
  'rule.timestamp_field': 'string',
  'rule.event_category_override': 'string',
  'rule.tiebreaker_field': 'string',
  'rule.building_block_type': 'string',
  'rule.threat': 'array',
};

const isString = (n: AST.TOMLContentNode) => n.type === 'TOMLValue' && n.kind === 'string';

/** Does the value node have the expected kind? (On the tree: no plain value is built.) */
function kindMatches(n: AST.TOMLContentNode, k: ValueKind): boolean {
  switch (k) {
    case 'string':
      return isString(n);
    case 'integer':
      return n.type === 'TOMLValue' && n.kind === 'integer';
    case 'boolean':
      return n.type === 'TOMLValue' && n.kind === 'boolean';
    case 'string[]':
      return n.type === 'TOMLArray' && n.elements.every(isString);
    case 'string|string[]':
      return isString(n) || (n.type === 'TOMLArray' && n.elements.every(isString));
    case 'array':
      return n.type === 'TOMLArray';
    case 'table':
      return n.type === 'TOMLInlineTable';
  }
}

const KIND_TEXT: Record<ValueKind, string> = { string: 'a string', integer: 'an integer', boolean: 'a boolean', 'string[]': 'an array of strings', 'string|string[]': 'a string or an array of strings', array: 'an array', table: 'a table' };

/** Keys whose value has the wrong type: other checks skip them. */
const KEY_TYPE_LIST = Object.entries(KEY_TYPES);

function wrongTyped(rf: RuleFile): Set<string> {
  const bad = new Set<string>();
  for (const [path, kind] of KEY_TYPE_LIST) {
    const e = rf.entries.get(path);
    if (e && !kindMatches(e.node.value, kind)) bad.add(path);
  }
  return bad;
}

/** Entry with a value of the expected type, else undefined. */
function str(rf: RuleFile, path: string): (TomlEntry & { value: string }) | undefined {
  const e = rf.entries.get(path);
  return e && typeof e.value === 'string' ? (e as TomlEntry & { value: string }) : undefined;
}
function int(rf: RuleFile, path: string): (TomlEntry & { value: number }) | undefined {
  const e = rf.entries.get(path);
  return e && typeof e.value === 'number' && Number.isInteger(e.value) ? (e as TomlEntry & { value: number }) : undefined;
}

const quote = (s: string) => JSON.stringify(s);
const replaceValue = (e: TomlEntry, text: string, title: string): Fix => ({ title, edits: [{ span: e.valueSpan, newText: text }] });

/** Where to report something missing from a table: its header, else the start of the file. */
function tableSpan(rf: RuleFile, table: string): Span {
  return rf.tables.get(table)?.headerSpan ?? { start: 0, end: Math.min(rf.text.length, Math.max(1, rf.text.indexOf('\n'))) };
}

/** Duration like `5m`, `90s`, `1h`, `2d` in milliseconds. */
export function durationMs(s: string): number | null {
  const m = /^(\d+)([smhd])$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

const checkWrongTypes: Check = (rf) => {
  const out: Diagnostic[] = [];
  for (const path of wrongTyped(rf)) {
    const e = rf.entries.get(path)!;
    if (e.value instanceof Date && path.endsWith('_date')) continue; // rule/date-format reports it, with a fix
    out.push(diag('rule/wrong-type', 'error', `\`${path}\` must be ${KIND_TEXT[KEY_TYPES[path]]}`, e.valueSpan));
  }
  return out;
};

const checkMissing: Check = (rf) => {
  // With TOML syntax errors a "missing" key may just sit on a broken line: report the syntax first.
  if (rf.diagnostics.length) return [];
  const out: Diagnostic[] = [];
  const need = (path: string, why = '') => {
    if (rf.entries.has(path)) return;
    const table = path.slice(0, path.lastIndexOf('.'));
    out.push(diag('rule/missing-key', 'error', `Missing required key \`${path}\`${why}`, tableSpan(rf, table)));
  };
  for (const k of ['creation_date', 'updated_date']) need(`metadata.${k}`);
  for (const k of ['author', 'description', 'name', 'risk_score', 'rule_id', 'severity', 'type']) need(`rule.${k}`);
  const type = str(rf, 'rule.type')?.value;
  if (type && QUERY_TYPES.has(type)) {
    need('rule.query', ` for a rule of type ${type}`);
    need('rule.language', ` for a rule of type ${type}`);
  }
  return out;
};

const checkEnums: Check = (rf) => {
  const out: Diagnostic[] = [];
  const oneOf = (path: string, allowed: readonly string[]) => {
    const e = str(rf, path);
    if (!e || allowed.includes(e.value)) return;
    const near = allowed.find((a) => a.toLowerCase() === e.value.toLowerCase().trim());
    const fixes = near ? [replaceValue(e, quote(near), `Change to "${near}"`)] : undefined;
    out.push(diag('rule/invalid-enum', 'error', `\`${path}\` must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, e.valueSpan, fixes));
  };
  oneOf('metadata.maturity', MATURITIES);
  oneOf('rule.severity', SEVERITIES);
  oneOf('rule.type', RULE_TYPES);
  oneOf('rule.language', LANGUAGES);
  for (const i of rf.indexesOf('rule.threat')) oneOf(`rule.threat.${i}.framework`, FRAMEWORKS);
  const os = rf.entries.get('metadata.os_type_list');
  if (os && os.node.value.type === 'TOMLArray') {
    for (const el of os.node.value.elements) {
      if (el.type === 'TOMLValue' && el.kind === 'string' && !OS_TYPES.includes(el.value)) {
        out.push(diag('rule/invalid-enum', 'error', `\`metadata.os_type_list\` values must be one of ${OS_TYPES.map((o) => `"${o}"`).join(', ')}`, { start: el.range[0], end: el.range[1] }));
      }
    }
  }
  const type = str(rf, 'rule.type');
  const lang = str(rf, 'rule.language');
  if (type?.value === 'eql' && lang && lang.value !== 'eql' && LANGUAGES.includes(lang.value)) {
    out.push(diag('rule/invalid-enum', 'error', 'A rule of type "eql" must have `language = "eql"`', lang.valueSpan, [replaceValue(lang, '"eql"', 'Change to "eql"')]));
  }
  return out;
};

const checkSeverityRisk: Check = (rf) => {
  const sev = str(rf, 'rule.severity');
  const risk = int(rf, 'rule.risk_score');
  const out: Diagnostic[] = [];
  if (risk && (risk.value < 0 || risk.value > 100)) {
    out.push(diag('rule/invalid-enum', 'error', '`rule.risk_score` must be an integer from 0 to 100', risk.valueSpan));
    return out;
  }
  if (!sev || !risk || !(sev.value in RISK_RANGE)) return out;
  const [lo, hi] = RISK_RANGE[sev.value as keyof typeof RISK_RANGE];
  if (risk.value >= lo && risk.value <= hi) return out;
  const right = SEVERITIES.find((s) => risk.value >= RISK_RANGE[s][0] && risk.value <= RISK_RANGE[s][1])!;
  out.push(
    diag('rule/severity-risk-mismatch', 'error', `Severity "${sev.value}" needs a risk score of ${lo}-${hi}, but it is ${risk.value} (which is "${right}")`, sev.valueSpan, [
      replaceValue(sev, quote(right), `Change severity to "${right}"`),
    ]),
  );
  return out;
};

// Anchored at the start only, like upstream's regex validator (re.match): two production rules
// carry a 13th hex digit that upstream accepts.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const checkUuid: Check = (rf) => {
  const e = str(rf, 'rule.rule_id');
  return e && !UUID.test(e.value) ? [diag('rule/invalid-uuid', 'error', '`rule.rule_id` must be a UUID (8-4-4-4-12 hex digits)', e.valueSpan)] : [];
};

/** A real calendar date written YYYY/MM/DD, as a comparable number, or null. */
function parseDate(s: string): number | null {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d ? dt.getTime() : null;
}

const checkDates: Check = (rf) => {
  const out: Diagnostic[] = [];
  const dates: Record<string, number | null> = {};
  for (const k of ['creation_date', 'updated_date', 'deprecation_date']) {
    const e = rf.entries.get(`metadata.${k}`);
    if (!e) continue;
    if (e.value instanceof Date) {
      // A bare TOML date (2020-01-01): upstream expects the string "2020/01/01".
      const iso = e.value.toISOString().slice(0, 10).replace(/-/g, '/');
      out.push(diag('rule/date-format', 'error', `\`metadata.${k}\` must be a string "YYYY/MM/DD"`, e.valueSpan, [replaceValue(e, quote(iso), `Change to "${iso}"`)]));
      continue;
    }
    if (typeof e.value !== 'string') continue;
    dates[k] = parseDate(e.value);
    if (dates[k] === null) {
      const m = /^(\d{4})[-.](\d{2})[-.](\d{2})$/.exec(e.value);
      const fixed = m ? `${m[1]}/${m[2]}/${m[3]}` : null;
      out.push(diag('rule/date-format', 'error', `\`metadata.${k}\` must be a date written YYYY/MM/DD`, e.valueSpan, fixed && parseDate(fixed) !== null ? [replaceValue(e, quote(fixed), `Change to "${fixed}"`)] : undefined));
    }
  }
  const c = dates.creation_date;
  const u = dates.updated_date;
  if (c != null && u != null && u < c) {
    out.push(diag('rule/date-order', 'error', '`metadata.updated_date` is before `metadata.creation_date`', rf.entries.get('metadata.updated_date')!.valueSpan));
  }
  return out;
};

const checkStackVersion: Check = (rf) => {
  const e = str(rf, 'metadata.min_stack_version');
  return e && !/^\d+\.\d+\.\d+$/.test(e.value) ? [diag('rule/version-format', 'error', '`metadata.min_stack_version` must look like "8.14.0"', e.valueSpan)] : [];
};

const checkTiming: Check = (rf) => {
  const out: Diagnostic[] = [];
  const interval = str(rf, 'rule.interval');
  if (interval && !/^\d+[mshd]$/.test(interval.value)) out.push(diag('rule/interval-format', 'error', '`rule.interval` must be a number and a unit (s, m, h, d), like "5m"', interval.valueSpan));
  const from = str(rf, 'rule.from');
  if (from && !/^now-\d+[mshd]$/.test(from.value)) out.push(diag('rule/from-format', 'error', '`rule.from` must look like "now-9m" (units s, m, h, d)', from.valueSpan));
  const max = int(rf, 'rule.max_signals');
  if (max && max.value < 1) out.push(diag('rule/max-signals', 'error', '`rule.max_signals` must be at least 1', max.valueSpan));
  return out;
};

const checkIndexDataView: Check = (rf) => {
  const ix = rf.entries.get('rule.index');
  const dv = rf.entries.get('rule.data_view_id');
  return ix && dv ? [diag('rule/index-and-data-view', 'error', 'Use only one of `index` and `data_view_id`', dv.keySpan)] : [];
};

const checkEqlOptions: Check = (rf, ctx) => {
  if (!ctx.optionFields || rf.get('metadata.maturity') === 'deprecated') return [];
  const out: Diagnostic[] = [];
  for (const k of ['timestamp_field', 'event_category_override', 'tiebreaker_field']) {
    const e = str(rf, `rule.${k}`);
    if (e && !ctx.optionFields.has(e.value)) {
      const near = ctx.optionFields.suggest(e.value);
      out.push(
        diag('rule/unknown-eql-option-field', 'error', `\`rule.${k}\` names an unknown field \`${e.value}\``, e.valueSpan, near.length ? [replaceValue(e, quote(near[0]), `Change to "${near[0]}"`)] : undefined),
      );
    }
  }
  return out;
};

/**
 * Upstream's test: an EQL sequence's maxspan must not exceed the rule's look-back plus 10
 * minutes. The look-back is `to - from` (`from` defaults to now-6m); the interval does not
 * count: production rules with from = now-60m, interval = 30m and maxspan = 1h pass upstream.
 */
const checkMaxspan: Check = (rf, ctx) => {
  if (rf.get('metadata.maturity') === 'deprecated' || rf.get('rule.type') !== 'eql') return [];
  const from = str(rf, 'rule.from');
  if (rf.entries.has('rule.from') && !from) return [];
  const lookback = durationMs((from?.value ?? 'now-6m').replace(/^now-/, ''));
  if (lookback === null) return [];
  const out: Diagnostic[] = [];
  (ctx.statements ?? []).forEach((st, i) => {
    const q = st?.query;
    if (q?.kind !== 'sequence' || !q.maxspan || q.maxspan.ms === null) return;
    if (q.maxspan.ms > lookback + 600_000) {
      const region = rf.queries[i];
      const ms = q.maxspan;
      out.push(
        diag('rule/maxspan-exceeds-lookback', 'error', `maxspan (${ms.value}${ms.unit ?? ''}) exceeds the look-back of ${lookback / 60_000}m (\`from\`) plus 10 minutes`, region ? region.toDocumentSpan(ms.span) : (from?.valueSpan ?? tableSpan(rf, 'rule'))),
      );
    }
  });
  return out;
};

const TACTIC_ID = /^TA\d{4}$/;
const TECHNIQUE_ID = /^T\d{4}$/;
const SUBTECHNIQUE_ID = /^T\d{4}\.\d{3}$/;
const ATLAS_TACTIC_ID = /^AML\.TA\d{4}$/;
const ATLAS_TECHNIQUE_ID = /^AML\.T\d{4}$/;
const ATLAS_SUB_ID = /^AML\.T\d{4}\.\d{3}$/;

/** The canonical reference URL of an ATT&CK id (ATLAS references are not checked). */
function mitreUrl(level: 'tactic' | 'technique' | 'subtechnique', id: string): string {
  if (level === 'tactic') return `https://attack.mitre.org/tactics/${id}/`;
  if (level === 'technique') return `https://attack.mitre.org/techniques/${id}/`;
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

const checkMitre: Check = (rf) => {
  const out: Diagnostic[] = [];
  for (const i of rf.indexesOf('rule.threat')) {
    const atlas = rf.get(`rule.threat.${i}.framework`) === 'MITRE ATLAS';
    const base = `rule.threat.${i}`;
    const checkNode = (path: string, level: 'tactic' | 'technique' | 'subtechnique', parentId?: string) => {
      const id = str(rf, `${path}.id`);
      if (!id) return;
      const re = atlas ? { tactic: ATLAS_TACTIC_ID, technique: ATLAS_TECHNIQUE_ID, subtechnique: ATLAS_SUB_ID }[level] : { tactic: TACTIC_ID, technique: TECHNIQUE_ID, subtechnique: SUBTECHNIQUE_ID }[level];
      if (!re.test(id.value)) {
        const shape = atlas ? { tactic: 'AML.TA####', technique: 'AML.T####', subtechnique: 'AML.T####.###' }[level] : { tactic: 'TA####', technique: 'T####', subtechnique: 'T####.###' }[level];
        out.push(diag('rule/mitre-id', 'error', `A ${level} id must look like ${shape}`, id.valueSpan));
        return;
      }
      if (level === 'subtechnique' && parentId && !id.value.startsWith(`${parentId}.`)) {
        out.push(diag('rule/mitre-nesting', 'error', `Sub-technique ${id.value} does not belong to technique ${parentId}`, id.valueSpan));
      }
      const ref = str(rf, `${path}.reference`);
      if (ref && !atlas) {
        const want = mitreUrl(level, id.value);
        if (ref.value !== want) out.push(diag('rule/mitre-reference', 'error', `The reference of ${id.value} should be ${want}`, ref.valueSpan, [replaceValue(ref, quote(want), `Change to ${want}`)]));
      }
    };
    checkNode(`${base}.tactic`, 'tactic');
    for (const j of rf.indexesOf(`${base}.technique`)) {
      const tp = `${base}.technique.${j}`;
      checkNode(tp, 'technique');
      const techId = str(rf, `${tp}.id`)?.value;
      for (const k of rf.indexesOf(`${tp}.subtechnique`)) checkNode(`${tp}.subtechnique.${k}`, 'subtechnique', techId);
    }
  }
  return out;
};

/** The checks, in reporting order. */
export const RULE_CHECKS: readonly Check[] = [checkWrongTypes, checkMissing, checkEnums, checkSeverityRisk, checkUuid, checkDates, checkStackVersion, checkTiming, checkIndexDataView, checkEqlOptions, checkMaxspan, checkMitre];

export function checkRule(rf: RuleFile, ctx: RuleCheckContext = {}): Diagnostic[] {
  return RULE_CHECKS.flatMap((c) => c(rf, ctx));
}
