// Shared plumbing of the real-editor tests: prerequisites (fail under CI, skip elsewhere),
// temp folders, a free port, the packaged .vsix, and a code-server + Chromium session.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const RESULTS = join(ROOT, 'test-results');
export const FIXTURES = join(ROOT, 'test/lsp/fixtures/workspace');
export const CODE_SERVER = join(ROOT, '.e2e/code-server/node_modules/.bin/code-server');
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Returns a reason to skip, or throws under CI=true: a red CI must not hide a missing tool. */
export function missing(what: string, hint: string): string {
  const msg = `${what} is missing (${hint})`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI=true requires it`);
  return `${msg}: skipped`;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `eql-rules-${prefix}-`));
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** A copy of the fixture workspace, so edits and runs never touch the tree. */
export function workspaceCopy(): string {
  const dir = join(tempDir('ws'), 'workspace');
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

/** Installs code-server into .e2e/ when it is not there yet (cached, idempotent). */
export function ensureCodeServer(): void {
  if (existsSync(join(ROOT, '.e2e/code-server/.done')) && existsSync(CODE_SERVER)) return;
  const r = spawnSync('bash', [join(ROOT, 'scripts/e2e-setup.sh')], { stdio: 'inherit', timeout: 600_000 });
  if (r.status !== 0) throw new Error('scripts/e2e-setup.sh failed');
}

/** Packages the extension from this tree (the real .vsix) into `dir`. */
export function packageVsix(dir: string): string {
  const out = join(dir, 'eql-rules.vsix');
  const vsce = join(ROOT, 'node_modules/.bin/vsce');
  const r = spawnSync(vsce, ['package', '--no-dependencies', '--no-rewrite-relative-links', '--allow-missing-repository', '--skip-license', '-o', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`vsce package failed: ${r.stdout}\n${r.stderr}`);
  return out;
}

export function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  return new Promise((res, rej) => {
    const tick = async () => {
      try {
        const v = await fn();
        if (v !== undefined && v !== null && (v as unknown) !== false) return res(v);
      } catch {
        /* not yet */
      }
      if (Date.now() > end) return rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, everyMs);
    };
    void tick();
  });
}

export interface CodeServer {
  url: string;
  proc: ChildProcess;
  home: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Starts code-server with fresh user data, extensions and XDG dirs, our .vsix installed. */
export async function startCodeServer(vsix: string, workspace: string, extra: { settings?: Record<string, unknown>; unpacked?: string[] } = {}): Promise<CodeServer> {
  const home = tempDir('cs');
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
  };
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User/settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'workbench.tips.enabled': false,
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      ...extra.settings,
    }),
  );
  const config = join(home, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions, '--config', config];
  const inst = spawnSync(CODE_SERVER, [...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (inst.status !== 0) throw new Error(`code-server --install-extension failed: ${inst.stdout}\n${inst.stderr}`);
  // Other extensions, unpacked, as `publisher.name-version` folders.
  for (const dir of extra.unpacked ?? []) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
    cpSync(dir, join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`), { recursive: true });
  }
  const port = await freePort();
  const proc = spawn(
    CODE_SERVER,
    [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor('code-server /healthz', async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined), 60_000, 300);
  return {
    url,
    proc,
    home,
    log: () => log,
    async stop() {
      // The whole process group: code-server forks its extension host and our language server.
      try {
        if (proc.pid) process.kill(-proc.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 500));
      try {
        if (proc.pid) process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}

/** Text files under `dir` containing `needle` (for the extension host's logs). */
export function grepFiles(dir: string, needle: RegExp): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries: string[] = [];
    try {
      entries = readdirSync(d);
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(d, e);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) stack.push(p);
      else if (st.size < 5_000_000 && /\.log$/.test(e)) {
        const m = readFileSync(p, 'utf8').match(needle);
        if (m) out.push(m[0]);
      }
    }
  }
  return out;
}

export function cleanup(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
