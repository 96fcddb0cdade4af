// Docs of the rule-file keys (hover) and the values completion offers for them.
// Facts from docs/rule-files.md (what the upstream validator enforces).

export interface RuleKeyDoc {
  doc: string;
  values?: string[];
}

export const RULE_KEY_DOCS: Record<string, RuleKeyDoc> = {
  'metadata.creation_date': { doc: 'Date the rule was created, `YYYY/MM/DD`. Required.' },
  'metadata.updated_date': { doc: 'Date of the last change, `YYYY/MM/DD`, not before `creation_date`. Required.' },
  'metadata.maturity': { doc: 'Life-cycle stage. Deprecated rules skip query validation.', values: ['development', 'experimental', 'beta', 'production', 'deprecated'] },
  'metadata.min_stack_version': { doc: 'Oldest Elastic Stack version the rule supports, like `8.14.0`; picks the ECS version its fields are checked against.' },
  'metadata.integration': { doc: 'Integration package(s) the rule needs: a string or a list. Chooses integration schemas for field checks.' },
  'metadata.os_type_list': { doc: 'Operating systems the rule applies to.', values: ['windows', 'linux', 'macos'] },
  'rule.author': { doc: 'List of authors. Required.' },
  'rule.description': { doc: 'What the rule detects. Required.' },
  'rule.name': { doc: 'The rule name shown in alerts. Required.' },
  'rule.rule_id': { doc: 'Stable UUID of the rule. Required.' },
  'rule.risk_score': { doc: 'Integer 0 to 100, consistent with `severity`: low 0-21, medium 22-47, high 48-73, critical 74-100.' },
  'rule.severity': { doc: 'Alert severity, consistent with `risk_score` (low 0-21, medium 22-47, high 48-73, critical 74-100).', values: ['low', 'medium', 'high', 'critical'] },
  'rule.type': { doc: 'Rule type; type `eql` requires `language = "eql"`.', values: ['query', 'saved_query', 'machine_learning', 'eql', 'esql', 'threshold', 'threat_match', 'new_terms'] },
  'rule.language': { doc: 'Query language.', values: ['eql', 'esql', 'kuery', 'lucene'] },
  'rule.query': { doc: 'The query. For EQL rules, an EQL statement in a `\'\'\'...\'\'\'` string.' },
  'rule.index': { doc: 'Index patterns the rule searches; they choose the schemas used for field checks and completion. Only one of `index` and `data_view_id`.' },
  'rule.data_view_id': { doc: 'Kibana data view to search instead of `index`.' },
  'rule.from': { doc: 'Start of the look-back window, like `now-9m`. A sequence\'s `maxspan` should fit in `from` minus `interval` (plus 10 minutes).' },
  'rule.interval': { doc: 'How often the rule runs, like `5m` (`^\\d+[mshd]$`).' },
  'rule.max_signals': { doc: 'Most alerts per run, at least 1.' },
  'rule.timestamp_field': { doc: 'EQL option: timestamp field for ordering (default `@timestamp`). Must be a known field.' },
  'rule.event_category_override': { doc: 'EQL option: field holding the event category instead of `event.category`. Must be a known field.' },
  'rule.tiebreaker_field': { doc: 'EQL option: field that orders events with equal timestamps. Must be a known field.' },
  'rule.license': { doc: 'License of the rule, e.g. `Elastic License v2`.' },
  'rule.references': { doc: 'URLs with background on the behaviour detected.' },
  'rule.false_positives': { doc: 'Known benign causes of alerts.' },
  'rule.note': { doc: 'Investigation guide (Markdown).' },
  'rule.setup': { doc: 'Setup instructions (Markdown).' },
  'rule.tags': { doc: 'Tags such as `Domain: Endpoint`, `OS: Windows`, `Tactic: Execution`.' },
  'rule.building_block_type': { doc: 'Marks a building-block rule (`default`): its alerts are hidden by default.' },
  'rule.threat': { doc: 'MITRE ATT&CK mappings: `[[rule.threat]]` with `framework`, `tactic` and `technique`.' },
  'rule.threat.framework': { doc: 'Threat framework.', values: ['MITRE ATT&CK', 'MITRE ATLAS'] },
};

/** Key docs for a dotted TOML path with array indexes (`rule.threat.0.framework`). */
export function ruleKeyDoc(path: string): { key: string; doc: RuleKeyDoc } | undefined {
  const key = path.replace(/\.\d+(?=\.|$)/g, '');
  const doc = RULE_KEY_DOCS[key];
  return doc ? { key, doc } : undefined;
}

/** MITRE ATT&CK reference page of a tactic / technique / subtechnique id. */
export function mitreUrl(id: string): string | undefined {
  if (/^TA\d{4}$/.test(id)) return `https://attack.mitre.org/tactics/${id}/`;
  const m = /^(T\d{4})(?:\.(\d{3}))?$/.exec(id);
  if (!m) return undefined;
  return m[2] ? `https://attack.mitre.org/techniques/${m[1]}/${m[2]}/` : `https://attack.mitre.org/techniques/${m[1]}/`;
}
