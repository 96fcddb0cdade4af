// VS Code side only: starts the language server over IPC, forwards palette commands to it,
// and shows run results as a read-only virtual document with links to each event's file and line.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

const RESULTS_SCHEME = 'eql-results';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;

interface QueryRef {
  uri: string;
  query: number;
}

/** The text of one results view, kept so reopening it needs no new run. */
const resultTexts = new Map<string, string>();
const resultsChanged = new vscode.EventEmitter<vscode.Uri>();

function resultsUri(ref: QueryRef): vscode.Uri {
  const name = path.basename(vscode.Uri.parse(ref.uri).fsPath).replace(/\.[^.]+$/, '');
  return vscode.Uri.from({ scheme: RESULTS_SCHEME, path: `/${name} (query ${ref.query + 1}) results`, query: encodeURIComponent(JSON.stringify(ref)) });
}

function startClient(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // `toml` may come from us or from a TOML extension; the pattern catches .toml files that
    // another extension gives a different language id. The server ignores non-rule TOML.
    documentSelector: [
      { scheme: 'file', language: 'toml' },
      { scheme: 'untitled', language: 'toml' },
      { scheme: 'file', pattern: '**/*.toml' },
      { language: 'eql' },
    ],
    // Rules changed on disk while closed get fresh diagnostics.
    synchronize: { configurationSection: 'eqlRules', fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{toml,eql}') },
    outputChannel: output,
    initializationOptions: { settings: vscode.workspace.getConfiguration('eqlRules') },
  };
  client = new LanguageClient('eqlRules', 'EQL Rules', serverOptions, clientOptions);
  return client.start();
}

async function activeQueryRef(arg: unknown): Promise<QueryRef | undefined> {
  if (arg && typeof arg === 'object' && 'uri' in arg) return arg as QueryRef;
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('Open a rule file or an .eql file first.');
    return undefined;
  }
  // The query under the cursor, found by the server (a rule file may hold several).
  const at = (await client?.sendRequest('eqlRules/queryAt', {
    uri: editor.document.uri.toString(),
    position: editor.selection.active,
  })) as number | null;
  return { uri: editor.document.uri.toString(), query: at ?? 0 };
}

async function run(ref: QueryRef | undefined, files?: string[]): Promise<void> {
  if (!ref || !client) return;
  // The server runs the query off its main loop, reports progress and refreshes the lens.
  const result = (await client.sendRequest('workspace/executeCommand', {
    command: 'eqlRules.server.run',
    arguments: [{ ...ref, files }],
  })) as { summary: string; text: string } | null;
  if (!result) {
    void vscode.window.showWarningMessage('EQL Rules: no EQL query to run in this file.');
    return;
  }
  const uri = resultsUri(ref);
  resultTexts.set(uri.toString(), result.text);
  resultsChanged.fire(uri);
  output.appendLine(`run ${ref.uri} query ${ref.query + 1}: ${result.summary}`);
}

async function showResults(arg: unknown): Promise<void> {
  const ref = await activeQueryRef(arg);
  if (!ref) return;
  const uri = resultsUri(ref);
  if (!resultTexts.has(uri.toString())) {
    const text = (await client?.sendRequest('eqlRules/results', ref)) as string | null;
    if (!text) {
      void vscode.window.showInformationMessage('No results yet: run the query first ("Run on samples").');
      return;
    }
    resultTexts.set(uri.toString(), text);
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}

/** `path:line` references in the results view open the event's file at that line. */
const LINK = /(?:^|\s)(\/[^\s:]+|[A-Za-z]:\\[^\s:]+):(\d+)/g;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  output = vscode.window.createOutputChannel('EQL Rules', { log: true });
  context.subscriptions.push(
    output,
    vscode.workspace.registerTextDocumentContentProvider(RESULTS_SCHEME, {
      onDidChange: resultsChanged.event,
      provideTextDocumentContent: (uri) => resultTexts.get(uri.toString()) ?? 'No results yet.',
    }),
    vscode.languages.registerDocumentLinkProvider({ scheme: RESULTS_SCHEME }, {
      provideDocumentLinks(doc) {
        const links: vscode.DocumentLink[] = [];
        for (let i = 0; i < doc.lineCount; i++) {
          const line = doc.lineAt(i).text;
          for (const m of line.matchAll(LINK)) {
            const start = m.index! + m[0].indexOf(m[1]);
            const target = vscode.Uri.file(m[1]).with({ fragment: `L${m[2]}` });
            links.push(new vscode.DocumentLink(new vscode.Range(i, start, i, start + m[1].length + 1 + m[2].length), target));
          }
        }
        return links;
      },
    }),
    vscode.commands.registerCommand('eqlRules.runQuery', async (arg?: unknown) => run(await activeQueryRef(arg))),
    vscode.commands.registerCommand('eqlRules.runQueryOnFiles', async (arg?: unknown) => {
      const ref = await activeQueryRef(arg);
      if (!ref) return;
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: true,
        openLabel: 'Run on these files',
        filters: { Events: ['ndjson', 'jsonl', 'json', 'gz'], 'All files': ['*'] },
      });
      if (picked?.length) await run(ref, picked.map((u) => u.fsPath));
    }),
    vscode.commands.registerCommand('eqlRules.showResults', showResults),
    vscode.commands.registerCommand('eqlRules.reindexSchemas', async () => {
      await client?.sendRequest('workspace/executeCommand', { command: 'eqlRules.server.reindex', arguments: [] });
      void vscode.window.showInformationMessage('EQL Rules: schemas re-indexed.');
    }),
    vscode.commands.registerCommand('eqlRules.restartServer', async () => {
      output.appendLine('restarting the language server');
      await client?.restart();
    }),
  );
  await startClient(context);
  // Measured by bench/activation: the time until the server answered `initialize`.
  output.appendLine(`eql-rules activated in ${Date.now() - started} ms`);
  console.log(`[eql-rules] activated in ${Date.now() - started} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
