// Query runs as the editor sees them: which sample files a run reads, the run itself (on a worker,
// with progress and cancellation), and the last result per query for the lens and results view.
import { basename } from 'node:path';
import type { CancellationToken, WorkDoneProgressServerReporter } from 'vscode-languageserver';
import type { LensState } from './codeLens';
import type { Analyzed } from './documents';
import { findByGlobs } from './files';
import { renderResults, summary, type RunOutcome } from './results';
import { runOnWorker } from './run';
import type { Settings } from './settings';
import { eqlOptions } from '../rules/ruleFile';

export interface RunHost {
  settings(): Settings;
  roots(): string[];
  progress(): Promise<WorkDoneProgressServerReporter>;
  refreshLenses(): void;
  log(message: string): void;
}

export interface RunReply {
  summary: string;
  text: string;
  matches: number;
  events: number;
  files: string[];
  error: string | null;
}

const key = (uri: string, q: number) => `${uri}#${q}`;

export class Runs implements LensState {
  private samples: { at: number; files: string[] } | undefined;
  private readonly results = new Map<string, { outcome: RunOutcome; text: string }>();
  private readonly active = new Set<string>();

  constructor(private readonly host: RunHost) {}

  /** Cached briefly: every lens resolve asks, and a walk of a big workspace is not free. */
  sampleFiles(): string[] {
    if (!this.samples || Date.now() - this.samples.at > 3000) this.samples = { at: Date.now(), files: findByGlobs(this.host.roots(), this.host.settings().samples.globs) };
    return this.samples.files;
  }

  forgetSamples(): void {
    this.samples = undefined;
  }

  result(uri: string, q: number): RunOutcome | undefined {
    return this.results.get(key(uri, q))?.outcome;
  }

  running(uri: string, q: number): boolean {
    return this.active.has(key(uri, q));
  }

  text(uri: string, q: number): string | null {
    return this.results.get(key(uri, q))?.text ?? null;
  }

  async run(a: Analyzed, index: number, files: string[] | undefined, token: CancellationToken): Promise<RunReply | null> {
    const q = a.analysis.queries[index];
    if (!q || !q.ast) return null;
    const settings = this.host.settings();
    const paths = files?.length ? files : this.sampleFiles();
    // The rule's own EQL options win over the settings.
    const own = eqlOptions(a.analysis.rule);
    const categoryField = own.eventCategoryField ?? settings.eventCategoryField;
    const timestampField = own.timestampField ?? settings.timestampField;
    const k = key(a.doc.uri, index);
    this.active.add(k);
    this.host.refreshLenses();
    const progress = await this.host.progress();
    progress.begin('EQL: running query', 0, `${paths.length} event file(s)`, true);
    const t0 = Date.now();
    let outcome: RunOutcome;
    try {
      outcome = await runOnWorker(
        { query: q.region.text, files: paths, size: settings.run.maxResults, categoryField, timestampField, tiebreakerField: own.tiebreakerField ?? settings.tiebreakerField },
        (done, events) => progress.report(paths.length ? Math.round((100 * done) / paths.length) : 100, `${done}/${paths.length} files, ${events.toLocaleString('en-US')} events`),
        {
          // Either the request (a client's cancel) or the progress notification's cancel button.
          get isCancellationRequested() {
            return token.isCancellationRequested || progress.token.isCancellationRequested;
          },
          onCancellationRequested(cb: () => void) {
            token.onCancellationRequested(cb);
            progress.token.onCancellationRequested(cb);
          },
        },
      );
    } finally {
      progress.done();
      this.active.delete(k);
    }
    const ruleName = a.analysis.rule?.get('rule.name');
    const name = typeof ruleName === 'string' ? ruleName : basename(a.path);
    const title = `${name}${a.analysis.queries.length > 1 ? ` (query ${index + 1})` : ''}`;
    const text = renderResults(title, outcome, categoryField, timestampField);
    this.results.set(k, { outcome, text });
    this.host.log(`run ${title}: ${summary(outcome)} (${Date.now() - t0} ms wall)`);
    this.host.refreshLenses();
    return { summary: summary(outcome), text, matches: outcome.matches.length, events: outcome.events, files: outcome.files, error: outcome.error ?? null };
  }
}
