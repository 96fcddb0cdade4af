// Per-document debounce of diagnostics: typing waits DEBOUNCE_MS after the last change, open and
// save publish at once.
export const DEBOUNCE_MS = 150;

export class Debouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly fire: (uri: string) => void, private readonly ms = DEBOUNCE_MS) {}

  schedule(uri: string): void {
    this.cancel(uri);
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      this.fire(uri);
    }, this.ms));
  }

  now(uri: string): void {
    this.cancel(uri);
    this.fire(uri);
  }

  cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
  }
}
