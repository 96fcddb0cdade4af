// The worker-thread side of a run (see run.ts): compile the query once, stream the event files
// through the engine, post progress and the outcome. Never throws: failures become `error`.
import { parentPort, workerData } from 'node:worker_threads';
import { compileEql, runQuery } from '../engine';
import type { RunOutcome } from './results';
import type { RunRequest, WorkerMessage } from './run';

export async function execute(req: RunRequest, onProgress: (filesDone: number, events: number) => void): Promise<RunOutcome> {
  const t0 = performance.now();
  const base: RunOutcome = { matches: [], events: 0, files: req.files, ms: 0, truncated: false, skipped: 0 };
  try {
    const compiled = compileEql(req.query, { eventCategoryField: req.categoryField, timestampField: req.timestampField, tiebreakerField: req.tiebreakerField });
    if (!compiled.query) {
      const first = compiled.diagnostics.find((d) => d.severity === 'error');
      return { ...base, ms: performance.now() - t0, error: `the query does not compile: ${first?.message ?? 'unknown error'}` };
    }
    if (!req.files.length) return { ...base, ms: performance.now() - t0, error: 'no event files (see the eqlRules.samples.globs setting)' };
    let lastFile = '';
    let filesDone = 0;
    const r = await runQuery(compiled.query, req.files, {
      size: req.size,
      onProgress: (p) => {
        if (p.file !== lastFile) ((lastFile = p.file), filesDone++);
        onProgress(Math.max(0, filesDone - 1), p.eventsRead);
      },
    });
    return { ...base, matches: r.matches, events: r.stats.eventsRead, truncated: r.stats.truncated, skipped: r.stats.skippedLines, ms: performance.now() - t0 };
  } catch (e) {
    return { ...base, ms: performance.now() - t0, error: e instanceof Error ? e.message : String(e) };
  }
}

export function runWorkerMain(): void {
  const req = (workerData as { eqlRulesRun: RunRequest }).eqlRulesRun;
  const post = (m: WorkerMessage) => parentPort?.postMessage(m);
  let last = 0;
  void execute(req, (filesDone, events) => {
    // Progress at most every 100 ms: the editor needs no more.
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    post({ type: 'progress', filesDone, events });
  }).then((outcome) => post({ type: 'done', outcome }));
}
