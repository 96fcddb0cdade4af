// Every production rule of elastic/detection-rules passes the upstream validator, so any error
// we report on one is our bug. Warnings are allowed only when listed below with the reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeDocument, type AnalyzeOptions } from '../../server/src/analysis';

const corpus = join(__dirname, '../../../shared/corpus/detection-rules/rules');
const skip = existsSync(corpus) ? false : `corpus not found at ${corpus} (../shared is absent)`;

/**
 * Warnings we still emit on non-deprecated corpus rules, each with why it is right:
 * key = `relative/path.toml code subject` where subject is the text the warning points at.
 */
const OLD_INTEGRATIONS = (pkg: string, upTo: string) =>
  `not in any ${pkg} version of the July 2024 integration-schemas.json.gz (up to ${upTo}): the field was added to the integration later`;
const FORTIGATE = "the fortinet_fortigate package is absent from this checkout's integration-schemas.json.gz (July 2024, older than the rules), so no schema here defines fortinet.firewall.*";
const EXPECTED_WARNINGS: Record<string, string> = {
  "integrations/aws/persistence_aws_attempt_to_register_virtual_mfa_device.toml eql/unknown-field aws.cloudtrail.session_credential_from_console": OLD_INTEGRATIONS('aws', '2.21.0'),
  "integrations/github/exfiltration_github_private_repository_turned_public.toml eql/unknown-field github.operation_type": OLD_INTEGRATIONS('github', '1.29.0'),
  "integrations/github/exfiltration_github_private_repository_turned_public.toml eql/unknown-field github.visibility": OLD_INTEGRATIONS('github', '1.29.0'),
  "integrations/github/persistence_new_pat_created.toml eql/unknown-field github.operation_type": OLD_INTEGRATIONS('github', '1.29.0'),
  "integrations/google_workspace/initial_access_object_copied_to_external_drive_with_app_consent.toml eql/unknown-field google_workspace.drive.owner_is_team_drive": OLD_INTEGRATIONS('google_workspace', '2.23.0'),
  "integrations/google_workspace/initial_access_object_copied_to_external_drive_with_app_consent.toml eql/unknown-field google_workspace.drive.copy_type": OLD_INTEGRATIONS('google_workspace', '2.23.0'),
  "linux/defense_evasion_interpreter_launched_from_decoded_payload.toml eql/wildcard-equality ?process.parent.name == \"python*\"": "== compares literally in Elasticsearch, so \"python*\" only matches a name that ends in a literal '*' (one of the two real rules docs/eql-language.md names)",
  "windows/credential_access_iis_apppoolsa_pwd_appcmd.toml eql/wildcard-equality process.args == \"/text:*\"": "== compares literally in Elasticsearch, so \"/text:*\" never acts as a wildcard (the other of the two real rules)",
  "network/collection_fortigate_config_download.toml eql/unknown-field fortinet.firewall.action": FORTIGATE,
  "network/defense_evasion_fortigate_overly_permissive_firewall_policy.toml eql/unknown-field fortinet.firewall.cfgpath": FORTIGATE,
  "network/defense_evasion_fortigate_overly_permissive_firewall_policy.toml eql/unknown-field fortinet.firewall.action": FORTIGATE,
  "network/defense_evasion_fortigate_overly_permissive_firewall_policy.toml eql/unknown-field fortinet.firewall.cfgattr": FORTIGATE,
  "network/persistence_fortigate_sso_login_followed_by_admin_creation.toml eql/unknown-field fortinet.firewall.method": FORTIGATE,
  "network/persistence_fortigate_sso_login_followed_by_admin_creation.toml eql/unknown-field fortinet.firewall.ui": FORTIGATE,
  "network/persistence_fortigate_sso_login_followed_by_admin_creation.toml eql/unknown-field fortinet.firewall.cfgpath": FORTIGATE,
  "network/persistence_fortigate_sso_login_followed_by_admin_creation.toml eql/unknown-field fortinet.firewall.action": FORTIGATE,
  "network/persistence_fortigate_super_admin_account_creation.toml eql/unknown-field fortinet.firewall.cfgpath": FORTIGATE,
  "network/persistence_fortigate_super_admin_account_creation.toml eql/unknown-field fortinet.firewall.action": FORTIGATE,
  "network/persistence_fortigate_super_admin_account_creation.toml eql/unknown-field fortinet.firewall.cfgattr": FORTIGATE,
};

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.toml') ? [join(d, e.name)] : []));
}

function runCorpus(options: AnalyzeOptions) {
  const errors: string[] = [];
  const warnings: string[] = [];
  let eqlQueries = 0;
  let parsed = 0;
  for (const f of walk(corpus)) {
    const text = readFileSync(f, 'utf8');
    const a = analyzeDocument(f, text, options);
    assert.equal(a.kind, 'rule', f);
    if (a.rule!.metadata.maturity === 'deprecated') continue;
    for (const q of a.queries) {
      if (q.region.language !== 'eql') continue;
      eqlQueries++;
      if (q.ast) parsed++;
    }
    for (const d of a.diagnostics) {
      const line = `${relative(corpus, f)} ${d.code} ${text.slice(d.span.start, d.span.end)}`;
      if (d.severity === 'error') errors.push(`${line}: ${d.message}`);
      else if (d.severity === 'warning') warnings.push(line);
    }
  }
  return { errors, warnings, eqlQueries, parsed };
}

test('corpus with its own schemas: no errors; only the expected warnings', { skip }, (t) => {
  const r = runCorpus({});
  t.diagnostic(`${r.eqlQueries} EQL queries on non-deprecated rules, ${r.parsed} parsed`);
  assert.deepEqual(r.errors, []);
  assert.equal(r.parsed, r.eqlQueries, 'every EQL query yields a tree');
  for (const w of r.warnings) t.diagnostic(`warning: ${w} -- ${EXPECTED_WARNINGS[w] ?? 'NOT EXPLAINED'}`);
  assert.deepEqual(r.warnings.filter((w) => !(w in EXPECTED_WARNINGS)), []);
  // Every listed warning still occurs (the list is the truth, not a blanket allowance).
  assert.deepEqual(Object.keys(EXPECTED_WARNINGS).filter((k) => !r.warnings.includes(k)), []);
});

test('corpus with ECS only (no checkout schemas): no errors', { skip }, (t) => {
  const r = runCorpus({ schemaDir: false });
  assert.deepEqual(r.errors, []);
  t.diagnostic(`${r.warnings.length} warnings with ECS only (unknown non-ECS fields are expected without the checkout's schemas)`);
});
