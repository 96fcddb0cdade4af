// A minimal LSP client for tests and the bench: starts the bundled server over stdio and talks
// to it with vscode-languageserver-protocol, as an editor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(__dirname, '../..');
export const SERVER = join(ROOT, 'dist/server.js');
export const FIXTURES = join(ROOT, 'test/lsp/fixtures/workspace');
export const uriOf = (p: string) => pathToFileURL(p).href;
/** The fixture rules most tests open: a rule with findings, and a clean sequence rule. */
export const RULE = join(FIXTURES, 'rules/suspicious_cmd.toml');
export const SEQ = join(FIXTURES, 'rules/office_child_sequence.toml');
export const ruleText = readFileSync(RULE, 'utf8');

export interface Client {
  conn: ProtocolConnection;
  proc: ChildProcess;
  init: InitializeResult;
  stderr: () => string;
  logs: string[];
  /** Every `$/progress` value the server sent (begin / report / end). */
  progress: { kind: string; title?: string; message?: string; percentage?: number }[];
  /** The next diagnostics published for `uri` (after `since`, a publish counter). */
  diagnostics(uri: string, timeoutMs?: number): Promise<Diagnostic[]>;
  /** Latest diagnostics per uri. */
  latest: Map<string, PublishDiagnosticsParams>;
  open(path: string, text?: string, languageId?: string): Promise<{ uri: string; text: string; version: number }>;
  change(uri: string, version: number, text: string): void;
  close(): Promise<void>;
}

export async function startServer(opts: { root?: string | null; settings?: unknown; codeLensRefresh?: boolean } = {}): Promise<Client> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build first`);
  const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const latest = new Map<string, PublishDiagnosticsParams>();
  const waiters: { uri: string; resolve: (d: Diagnostic[]) => void }[] = [];
  const logs: string[] = [];
  const progress: Client['progress'] = [];
  conn.onNotification('$/progress', (p: { value: Client['progress'][number] }) => void progress.push(p.value));
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    latest.set(p.uri, p);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].uri === p.uri) {
        waiters[i].resolve(p.diagnostics);
        waiters.splice(i, 1);
      }
    }
  });
  conn.onNotification(LogMessageNotification.type, (p) => void logs.push(p.message));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.onRequest('workspace/configuration', () => [opts.settings ?? null]);
  conn.listen();
  const root = opts.root === undefined ? FIXTURES : opts.root;
  const init = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: root ? uriOf(root) : null,
    workspaceFolders: root ? [{ uri: uriOf(root), name: 'ws' }] : null,
    capabilities: {
      window: { workDoneProgress: true },
      workspace: { codeLens: { refreshSupport: opts.codeLensRefresh ?? true }, workspaceFolders: true },
      textDocument: { publishDiagnostics: { versionSupport: true } },
    },
    initializationOptions: { settings: opts.settings },
  });
  await conn.sendNotification(InitializedNotification.type, {});
  let version = 1;
  return {
    conn,
    proc,
    init,
    logs,
    progress,
    latest,
    stderr: () => err,
    diagnostics(uri, timeoutMs = 10_000) {
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ uri, resolve: (d) => (clearTimeout(t), res(d)) });
      });
    },
    async open(path, text, languageId) {
      const t = text ?? readFileSync(path, 'utf8');
      const uri = uriOf(path);
      await conn.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: languageId ?? (path.endsWith('.eql') ? 'eql' : 'toml'), version: version, text: t },
      });
      return { uri, text: t, version };
    },
    change(uri, v, text) {
      void conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: v }, contentChanges: [{ text }] });
    },
    async close() {
      try {
        await Promise.race([conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 3000))]);
        await conn.sendNotification(ExitNotification.type);
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 100));
      conn.dispose();
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

/** Line/character of the first occurrence of `needle` (plus `delta` characters) in `text`. */
export function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not found`);
  const o = i + delta;
  const before = text.slice(0, o);
  const line = before.split('\n').length - 1;
  return { line, character: o - (before.lastIndexOf('\n') + 1) };
}

/** The hover text at `needle` (plus `delta` characters) in `text`; '' when there is none. */
export async function hoverText(c: Client, uri: string, text: string, needle: string, delta = 1): Promise<string> {
  const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, delta) })) as Hover | null;
  return h ? (h.contents as MarkupContent).value : '';
}
