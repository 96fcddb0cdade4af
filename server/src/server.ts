// The language server: wires LSP messages to the features (server/src/features/), nothing else.
// Runs over IPC (VS Code) or stdio (`node dist/server.js --stdio`, any LSP editor). The same
// bundle doubles as the query-run worker thread (features/run.ts), so runs never block requests.
import { existsSync, readFileSync } from 'node:fs';
import { isMainThread, workerData } from 'node:worker_threads';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  createConnection,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeActionParams,
  type CompletionParams,
  type Connection,
  type HoverParams,
  type InitializeParams,
  type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnalysis } from './analysis';
import { codeActions } from './features/codeActions';
import { codeLenses, resolveCodeLens } from './features/codeLens';
import { complete, resolveCompletion } from './features/completion';
import { toLspDiagnostic } from './features/convert';
import { Debouncer } from './features/debounce';
import { AnalysisCache, isTracked, queryAt, uriToPath, type Analyzed } from './features/documents';
import { hover } from './features/hover';
import { Runs } from './features/runs';
import { runWorkerMain } from './features/runWorker';
import { semanticTokens, TOKEN_LEGEND } from './features/semanticTokens';
import { analyzeOptions, DEFAULT_SETTINGS, readSettings, type Settings } from './features/settings';
import { documentSymbols } from './features/symbols';
import { WorkspaceIndex } from './features/workspaceIndex';

function startServer(): void {
  const connection: Connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  const cache = new AnalysisCache();
  let settings: Settings = DEFAULT_SETTINGS;
  let roots: string[] = [];
  let lensRefresh = false;
  let folderEvents = false;
  let progressSupport = false;
  const log = (m: string) => connection.console.log(`[${new Date().toISOString().slice(11, 23)}] ${m}`);
  cache.onError = (uri, e) => connection.console.error(`analysis failed for ${uri}: ${e instanceof Error ? e.stack : String(e)}`);

  /** A handler that can never take the server down: errors are logged and answered with `fallback`. */
  function guard<P extends unknown[], R>(name: string, fallback: R, fn: (...args: P) => R): (...args: P) => R {
    return (...args: P) => {
      try {
        return fn(...args);
      } catch (e) {
        connection.console.error(`${name} failed: ${e instanceof Error ? e.stack : String(e)}`);
        return fallback;
      }
    };
  }

  const analyzed = (uri: string): Analyzed | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const a = cache.get(doc);
    return isTracked(a) ? a : undefined;
  };

  /** A guarded handler for a request about one tracked document; others get `fallback`. */
  const onDocument = <P extends { textDocument: { uri: string } }, R>(name: string, fallback: R, fn: (a: Analyzed, p: P) => R) =>
    guard(name, fallback, (p: P) => {
      const a = analyzed(p.textDocument.uri);
      return a ? fn(a, p) : fallback;
    });

  // --- diagnostics -------------------------------------------------------------------------
  const publish = (doc: TextDocument, analysis: DocumentAnalysis) =>
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: analysis.diagnostics.map((d) => toLspDiagnostic(doc, d)) });
  const published = new Set<string>();
  let indexProgress: Promise<WorkDoneProgressServerReporter> | undefined;
  const index = new WorkspaceIndex({
    publish,
    isOpen: (path) => documents.all().some((d) => uriToPath(d.uri) === path),
    log,
    progress: (done, total) => {
      if (!progressSupport) return;
      if (!indexProgress) {
        indexProgress = connection.window.createWorkDoneProgress();
        void indexProgress.then((p) => p.begin('EQL: checking workspace rules', 0, `0/${total} files`));
      }
      const current = indexProgress;
      if (done >= total) {
        indexProgress = undefined;
        void current.then((p) => p.done());
      } else void current.then((p) => p.report(Math.round((100 * done) / total), `${done}/${total} files`));
    },
  });
  const validate = guard('diagnostics', undefined, (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return;
    const a = cache.get(doc);
    if (!isTracked(a)) {
      // A TOML file that stopped being a rule file loses its old diagnostics.
      if (published.delete(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    published.add(uri);
    publish(doc, a.analysis);
    index.record(a.path, a.analysis);
  });
  const debouncer = new Debouncer(validate);
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    debouncer.now(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    // TextDocuments also fires this on open, which was already published at once.
    if (justOpened.delete(e.document.uri)) return;
    debouncer.schedule(e.document.uri);
  });
  documents.onDidSave((e) => debouncer.now(e.document.uri));
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    debouncer.cancel(uri);
    cache.delete(uri);
    justOpened.delete(uri);
    // A closed rule keeps the diagnostics of its saved version; one with no file loses them.
    setImmediate(guard('close', undefined, () => {
      if (documents.get(uri)) return;
      const path = uriToPath(uri);
      const kept = uri.startsWith('file:') && existsSync(path) && index.refreshFile(path, cache.options);
      if (!kept) void connection.sendDiagnostics({ uri, diagnostics: [] });
      published.delete(uri);
    }));
  });

  // --- settings and workspace ----------------------------------------------------------------
  const applySettings = (raw: unknown) => {
    settings = readSettings(raw);
    cache.options = analyzeOptions(settings, roots[0]);
    cache.clear();
    runs.forgetSamples();
  };
  const reindex = () => {
    cache.clear();
    for (const d of documents.all()) validate(d.uri);
    if (roots.length) void index.start(roots, cache.options);
  };

  connection.onInitialize((params: InitializeParams) => {
    roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (!roots.length && params.rootUri) roots = [uriToPath(params.rootUri)];
    lensRefresh = !!params.capabilities.workspace?.codeLens?.refreshSupport;
    folderEvents = !!params.capabilities.workspace?.workspaceFolders;
    progressSupport = !!params.capabilities.window?.workDoneProgress;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    applySettings(init?.settings);
    log(`eql-rules server started (pid ${process.pid}), folders: ${roots.join(', ') || 'none'}`);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        completionProvider: { resolveProvider: true, triggerCharacters: ['.', '[', '(', '"', ',', '?'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: true },
        documentSymbolProvider: true,
        semanticTokensProvider: { legend: TOKEN_LEGEND, full: true },
        executeCommandProvider: { commands: ['eqlRules.server.run', 'eqlRules.server.reindex'] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'eql-rules', version: '0.1.0' },
    };
  });
  connection.onInitialized(() => {
    // Workspace diagnostics in the background: one file per macrotask.
    if (roots.length) void index.start(roots, cache.options);
    if (folderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders(
        guard('workspaceFolders', undefined, (e) => {
          const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
          roots = [...roots.filter((r) => !removed.has(r)), ...e.added.map((f) => uriToPath(f.uri))];
          runs.forgetSamples();
          if (roots.length) void index.start(roots, cache.options);
        }),
      );
    }
  });
  // Rules changed on disk (checkout, another tool) while not open in the editor.
  connection.onDidChangeWatchedFiles(
    guard('watchedFiles', undefined, (p) => {
      for (const ch of p.changes) {
        if (!/\.(toml|eql)$/i.test(ch.uri)) continue;
        const path = uriToPath(ch.uri);
        const rule = ch.type !== FileChangeType.Deleted && index.refreshFile(path, cache.options);
        if (!rule && !documents.get(ch.uri)) void connection.sendDiagnostics({ uri: ch.uri, diagnostics: [] });
      }
    }),
  );
  connection.onDidChangeConfiguration(
    guard('configuration', undefined, (p) => {
      const s = (p.settings as { eqlRules?: unknown } | undefined)?.eqlRules;
      if (s === undefined) return;
      applySettings(s);
      reindex();
    }),
  );

  // --- language features ---------------------------------------------------------------------
  connection.onHover(onDocument('hover', null, (a, p: HoverParams) => hover(a, a.doc.offsetAt(p.position))));
  connection.onCompletion(onDocument('completion', null, (a, p: CompletionParams) => complete(a, a.doc.offsetAt(p.position), (path) => index.usage(path))));
  connection.onCompletionResolve(guard('completionResolve', null as never, resolveCompletion));
  connection.onCodeAction(onDocument('codeAction', [], (a, p: CodeActionParams) => codeActions(a, p.range)));
  connection.onDocumentSymbol(onDocument('documentSymbol', [], documentSymbols));
  connection.languages.semanticTokens.on(onDocument('semanticTokens', { data: [] }, semanticTokens));

  // --- runs ----------------------------------------------------------------------------------
  const runs = new Runs({
    settings: () => settings,
    roots: () => roots,
    progress: () => connection.window.createWorkDoneProgress(),
    refreshLenses: () => {
      if (lensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type);
    },
    log,
  });
  connection.onCodeLens(onDocument('codeLens', [], (a) => codeLenses(a, runs)));
  connection.onCodeLensResolve(guard('codeLensResolve', null as never, (lens) => resolveCodeLens(lens, runs)));
  const run = (arg: { uri: string; query?: number; files?: string[] }, token: CancellationToken) => {
    // A rule that is not open is read from disk.
    const doc = documents.get(arg.uri) ?? TextDocument.create(arg.uri, 'toml', 0, readFileSync(uriToPath(arg.uri), 'utf8'));
    return runs.run(cache.get(doc), arg.query ?? 0, arg.files, token);
  };

  connection.onExecuteCommand(async (p, token) => {
    try {
      if (p.command === 'eqlRules.server.run') return await run((p.arguments?.[0] ?? {}) as { uri: string; query?: number; files?: string[] }, token);
      if (p.command === 'eqlRules.server.reindex') {
        reindex();
        return await index.done;
      }
    } catch (e) {
      connection.console.error(`${p.command} failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
    return null;
  });
  connection.onRequest('eqlRules/results', guard('results', null, (p: { uri: string; query: number }) => runs.text(p.uri, p.query)));
  connection.onRequest('eqlRules/queryAt', guard('queryAt', null, (p: { uri: string; position: { line: number; character: number } }) => {
    const a = analyzed(p.uri);
    return a ? (queryAt(a, a.doc.offsetAt(p.position))?.index ?? null) : null;
  }));
  // Tests and the bench wait for the background index with this.
  connection.onRequest('eqlRules/indexed', () => index.done);

  documents.listen(connection);
  connection.listen();
}

if (!isMainThread && workerData?.eqlRulesRun) runWorkerMain();
else startServer();
