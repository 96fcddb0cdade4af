// Returns the garbage of a workspace indexing pass to the system. Analysing two thousand rules
// allocates far more than it keeps (about 40 MB live), and V8 keeps a grown heap until a major
// collection happens to run; the process's RSS is what users see in their task manager.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** A full collection, when the runtime allows exposing one; otherwise nothing. */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  try {
    gc?.();
  } catch {
    gc = null;
  }
}
