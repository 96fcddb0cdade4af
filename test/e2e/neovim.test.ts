// Neovim's built-in LSP client (0.7.2, Debian's) with the stdio server: diagnostics and hover on
// a sample rule, as a Neovim user would configure it (see nvim-init.lua).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanup, missing, ROOT, tempDir, workspaceCopy } from './harness';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const skip = nvim.status === 0 ? undefined : missing('nvim', 'apt-get install -y neovim');
const dirs: string[] = [];
after(() => dirs.forEach((d) => cleanup(d)));

test('Neovim: diagnostics and hover from the stdio server', { skip, timeout: 90_000 }, () => {
  const server = join(ROOT, 'dist/server.js');
  assert.ok(existsSync(server), 'dist/server.js is built');
  const workspace = workspaceCopy();
  const home = tempDir('nvim');
  dirs.push(join(workspace, '..'), home);
  for (const d of ['config', 'data', 'state', 'cache']) mkdirSync(join(home, d), { recursive: true });
  const out = join(home, 'out.json');
  const rule = join(workspace, 'rules/suspicious_cmd.toml');
  // Line 22 (0-based 21) holds `process.parent.name`, column 4 is inside it.
  const r = spawnSync('nvim', ['--headless', '-i', 'NONE', '-n', '-u', join(ROOT, 'test/e2e/nvim-init.lua'), rule], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_STATE_HOME: join(home, 'state'),
      XDG_CACHE_HOME: join(home, 'cache'),
      EQL_NODE: process.execPath,
      EQL_SERVER: server,
      EQL_ROOT: workspace,
      EQL_OUT: out,
      EQL_HOVER_LINE: '21',
      EQL_HOVER_CHAR: '4',
    },
  });
  assert.ok(existsSync(out), `nvim wrote no result (status ${r.status}): ${r.stderr}`);
  const res = JSON.parse(readFileSync(out, 'utf8')) as { diagnostics: { lnum: number; message: string; code: string }[]; hover: { contents: { value: string } } | null; error: string | null };
  assert.equal(res.error, null);
  assert.equal(r.status, 0);
  const codes = res.diagnostics.map((d) => d.code);
  assert.ok(codes.includes('rule/severity-risk-mismatch'), `diagnostics: ${JSON.stringify(res.diagnostics)}`);
  const unknown = res.diagnostics.find((d) => /unknown-field/.test(d.code));
  assert.ok(unknown, `the misspelled field is reported: ${JSON.stringify(res.diagnostics)}`);
  assert.equal(unknown.lnum, 22);
  assert.match(unknown.message, /process\.nmae/);
  assert.match(res.hover?.contents.value ?? '', /\*\*process\.parent\.name\*\* `keyword`[\s\S]*Process name/);
});
