// Runs a query over event files on a worker thread (the bundled server file itself, started in
// worker mode), so diagnostics and requests keep flowing during a run. Cancellable: the worker
// is terminated. Results are kept per query for the lens and the results view.
import { Worker } from 'node:worker_threads';
import type { RunOutcome } from './results';

export interface RunRequest {
  query: string;
  files: string[];
  size: number;
  categoryField: string;
  timestampField: string;
  tiebreakerField: string | null;
}

export type WorkerMessage =
  | { type: 'progress'; filesDone: number; events: number }
  | { type: 'done'; outcome: RunOutcome };

export interface Cancel {
  isCancellationRequested: boolean;
  onCancellationRequested(cb: () => void): unknown;
}

export function runOnWorker(req: RunRequest, onProgress: (filesDone: number, events: number) => void, cancel: Cancel): Promise<RunOutcome> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const worker = new Worker(__filename, { workerData: { eqlRulesRun: req } });
    let finished = false;
    const finish = (o: RunOutcome) => {
      if (finished) return;
      finished = true;
      void worker.terminate();
      resolve(o);
    };
    const failed = (error: string): RunOutcome => ({ matches: [], events: 0, files: req.files, ms: Date.now() - t0, truncated: false, skipped: 0, error });
    cancel.onCancellationRequested(() => finish(failed('cancelled')));
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m.filesDone, m.events);
      else finish(m.outcome);
    });
    worker.on('error', (e) => finish(failed(e.message)));
    worker.on('exit', (code) => finish(failed(`worker exited with code ${code}`)));
  });
}
