// The worker-thread side of a run (see run.ts): compile the query, stream the event files
// through the engine, post progress and the outcome.
import { parentPort, workerData } from 'node:worker_threads';
import type { RunRequest, WorkerMessage } from './run';
import type { RunOutcome } from './results';

export function runWorkerMain(): void {
  const req = (workerData as { eqlRulesRun: RunRequest }).eqlRulesRun;
  const post = (m: WorkerMessage) => parentPort?.postMessage(m);
  const t0 = performance.now();
  const outcome: RunOutcome = { matches: [], events: 0, files: req.files, ms: 0, truncated: false, skipped: 0, error: 'the engine has not landed yet' };
  outcome.ms = performance.now() - t0;
  post({ type: 'done', outcome });
}
