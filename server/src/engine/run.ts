// Runs a compiled query over event sources and collects matches.
//
// Ordering strategy (memory bounded by query state, not by input size):
// - Event queries accept input in any order: matches go to a bounded top-K buffer
//   (K = head N, tail N or the size limit) and are sorted by timestamp, tiebreaker, input
//   position at the end.
// - Sequences need time order. Only events that match some term (or `until`) are kept;
//   each file's matching events pass through a sorted reorder window of REORDER events,
//   and files are merged by timestamp. An event later than that window is reported as skipped
//   ("out of time order"); in-order input never is. Pending state is one partial sequence per
//   stage and join key (Elasticsearch keeps only the latest), pruned by maxspan.
//   Events held by that state are kept as their JSON bytes, not as object trees.
// - Samples keep, per join key, the earliest few events of each term.
// - Events without a valid timestamp sort last in event queries and samples; sequences skip
//   them and report them.
// - Every line is parsed: skipping lines by their category text before JSON.parse would be
//   faster but would hide malformed lines, so it is not done.
import { scanEventFile, abortError, type SkippedLine, type Visit } from './reader';
import { keyOf, parseTimestamp, normalize, combinations, type Getter } from './values';
import type { CompiledQuery, CompiledTerm } from './compile';

export interface MatchedEvent {
  source: Record<string, unknown>;
  file: string;
  line: number;
}
export type MatchEvent = MatchedEvent | { missing: true };

export interface Match {
  type: 'event' | 'sequence' | 'sample';
  events: MatchEvent[];
  joinKeys: unknown[];
}

export interface RunStats {
  eventsRead: number;
  bytesRead: number;
  skippedLines: number;
  /** The first MAX_SKIPPED_LISTED skipped lines; skippedLines counts them all. */
  skipped: SkippedLine[];
  /** True when more matches existed than `size` allowed. */
  truncated: boolean;
  ms: number;
}

export interface RunResult {
  matches: Match[];
  stats: RunStats;
}

export interface Progress {
  eventsRead: number;
  bytesRead: number;
  file: string;
}

export interface RunOptions {
  /** Most matches returned (after head/tail). Default 1000. */
  size?: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** Events given directly (tests, the editor's in-memory documents). */
export type EventSource = string[] | Iterable<unknown> | AsyncIterable<unknown>;

const MAX_SKIPPED_LISTED = 100;
const REORDER = 5_000;

/** An event that passed a filter, with what ordering needs. */
interface Rec {
  /** The event, or null when only its JSON bytes are kept (`raw`). */
  src: Record<string, unknown> | null;
  /** Compact copy of the event's JSON: held instead of `src` by long-lived sequence state. */
  raw?: Buffer;
  file: number;
  line: number;
  ts: number;
  tb: unknown;
  seq: number;
}

function cmpTb(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Timestamp, then tiebreaker, then input position; events without a timestamp sort last. */
function cmpRec(a: Rec, b: Rec): number {
  if (a.ts !== b.ts) {
    if (Number.isNaN(a.ts)) return 1;
    if (Number.isNaN(b.ts)) return -1;
    return a.ts - b.ts;
  }
  return cmpTb(a.tb, b.tb) || a.seq - b.seq;
}

/** Keeps the K first (or last) items by `cmp`, in O(n log K) amortised. */
class TopK<T> {
  private items: T[] = [];
  seen = 0;
  constructor(
    private readonly k: number,
    private readonly cmp: (a: T, b: T) => number,
    private readonly last: boolean,
  ) {}
  push(x: T): void {
    this.seen++;
    if (this.k <= 0) return;
    this.items.push(x);
    if (this.items.length >= 2 * this.k + 1024) this.trim();
  }
  private trim(): void {
    this.items.sort(this.cmp);
    this.items = this.last ? this.items.slice(-this.k) : this.items.slice(0, this.k);
  }
  result(): T[] {
    this.trim();
    return this.items;
  }
}

/** Applies head/tail pipes, then the size limit, to ordered results. */
function applyPipes<T>(items: T[], pipes: CompiledQuery['pipes'], size: number): { items: T[]; truncated: boolean } {
  let out = items;
  for (const p of pipes) out = p.kind === 'head' ? out.slice(0, p.n) : p.n === 0 ? [] : out.slice(-p.n);
  return { items: out.slice(0, size), truncated: out.length > size };
}

/** How many ordered results must be kept, and from which end. */
function retention(pipes: CompiledQuery['pipes'], size: number): { k: number; last: boolean } {
  const first = pipes[0];
  if (!first) return { k: size + 1, last: false };
  if (first.kind === 'head') return { k: pipes.length === 1 ? Math.min(first.n, size + 1) : first.n, last: false };
  return { k: first.n, last: true };
}

/** Counts a skipped line; lists only the first MAX_SKIPPED_LISTED. */
function recordSkip(stats: RunStats, s: SkippedLine): void {
  stats.skippedLines++;
  if (stats.skipped.length < MAX_SKIPPED_LISTED) stats.skipped.push(s);
}

interface Input {
  files: string[];
  /** Streams one file (index into `files`) into `visit`, yielding after each chunk. */
  scan: (f: number, visit: Visit) => AsyncGenerator<number>;
}

/** Normalises the sources into per-file event scans. */
function inputs(sources: EventSource, stats: RunStats, opts: RunOptions): Input {
  const onSkip = (s: SkippedLine) => recordSkip(stats, s);
  if (Array.isArray(sources) && sources.length > 0 && sources.every((s) => typeof s === 'string')) {
    const files = sources as string[];
    const bytes = files.map(() => 0);
    return {
      files,
      scan: (f, visit) =>
        scanEventFile(files[f], visit, {
          signal: opts.signal,
          onSkip,
          onBytes: (b) => {
            stats.bytesRead += b - bytes[f];
            bytes[f] = b;
          },
        }),
    };
  }
  const name = '<input>';
  const one = (v: unknown, line: number, visit: Visit): boolean => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      onSkip({ file: name, line, reason: 'not a JSON object' });
      return false;
    }
    visit(v as Record<string, unknown>, line);
    return true;
  };
  if (Array.isArray(sources)) {
    // In-memory events: no await per event.
    return {
      files: [name],
      scan: async function* (_f, visit) {
        for (let i = 0; i < sources.length; i += 4096) {
          let n = 0;
          const end = Math.min(i + 4096, sources.length);
          for (let j = i; j < end; j++) if (one(sources[j], j + 1, visit)) n++;
          yield n;
        }
      },
    };
  }
  return {
    files: [name],
    scan: async function* (_f, visit) {
      let line = 0;
      let n = 0;
      for await (const v of sources as AsyncIterable<unknown>) {
        if (one(v, ++line, visit)) n++;
        if (line % 4096 === 0) {
          yield n;
          n = 0;
        }
      }
      yield n;
    },
  };
}

/** Scans one file into `visit`, counting events, reporting progress, honouring abort; yields after each chunk. */
async function* scanFile(input: Input, f: number, visit: Visit, stats: RunStats, opts: RunOptions, progress: (f: number) => void): AsyncGenerator<void> {
  for await (const n of input.scan(f, visit)) {
    if (opts.signal?.aborted) throw abortError();
    stats.eventsRead += n;
    progress(f);
    yield;
  }
}

/** Scans every file in turn into `visit`. */
async function scanAll(input: Input, stats: RunStats, opts: RunOptions, progress: (f: number) => void, visit: (f: number) => Visit): Promise<void> {
  for (let f = 0; f < input.files.length; f++) for await (const _ of scanFile(input, f, visit(f), stats, opts, progress));
}

/** Runs a compiled query. Rejects with an AbortError when `signal` aborts. */
export async function runQuery(q: CompiledQuery, sources: EventSource, opts: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  const size = opts.size ?? 1000;
  const stats: RunStats = { eventsRead: 0, bytesRead: 0, skippedLines: 0, skipped: [], truncated: false, ms: 0 };
  const input = inputs(sources, stats, opts);
  const progress = (file: number) => opts.onProgress?.({ eventsRead: stats.eventsRead, bytesRead: stats.bytesRead, file: input.files[file] });
  let matches: Match[];
  if (q.kind === 'event') matches = await runEvents(q, input, stats, size, opts, progress);
  else if (q.kind === 'sequence') matches = await runSequence(q, input, stats, size, opts, progress);
  else matches = await runSample(q, input, stats, size, opts, progress);
  stats.ms = performance.now() - t0;
  return { matches, stats };
}

function makeRec(q: CompiledQuery, src: Record<string, unknown>, file: number, line: number, seq: number): Rec {
  const ts = parseTimestamp(q.getTimestamp(src));
  return { src, file, line, ts: ts === null ? NaN : ts, tb: q.getTiebreaker ? normalize(q.getTiebreaker(src)) : null, seq };
}

const out = (files: string[], r: Rec): MatchedEvent => ({ source: r.src ?? (JSON.parse(r.raw!.toString('utf8')) as Record<string, unknown>), file: files[r.file], line: r.line });

async function runEvents(q: CompiledQuery, input: Input, stats: RunStats, size: number, opts: RunOptions, progress: (f: number) => void): Promise<Match[]> {
  const test = q.terms[0].test;
  const { k, last } = retention(q.pipes, size);
  const top = new TopK<Rec>(k, cmpRec, last);
  let seq = 0;
  await scanAll(input, stats, opts, progress, (file) => (src, line) => {
    seq++;
    if (test(src)) top.push(makeRec(q, src, file, line, seq));
  });
  const { items, truncated } = applyPipes(top.result(), q.pipes, size);
  stats.truncated = truncated || (q.pipes.length === 0 && top.seen > size);
  return items.map((r) => ({ type: 'event', events: [out(input.files, r)], joinKeys: [] }));
}

/** A matching event of a sequence/sample with the stages it matched and their keys. */
interface Hit extends Rec {
  /**
   * Per term (and `until` last): the join keys the event has for it, undefined when the term
   * does not match. Several when a key field is multi-valued: each value joins on its own.
   */
  keys: (string[] | undefined)[];
  keyVals: (unknown[][] | undefined)[];
}

const MAX_KEY_COMBINATIONS = 64;

/**
 * Which terms an event matches, with its join keys per matched term; null when none. As in
 * Elasticsearch, a null value of a join key field excludes the event from that term unless the
 * key is optional (`?field`), and each value of a multi-valued key is a key of its own.
 */
function classify(terms: CompiledTerm[], getCategory: Getter, src: Record<string, unknown>): { keys: (string[] | undefined)[]; keyVals: (unknown[][] | undefined)[] } | null {
  let keys: (string[] | undefined)[] | null = null;
  let keyVals: (unknown[][] | undefined)[] | null = null;
  // The category is read once for all terms.
  const cat = getCategory(src);
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t];
    const name = term.category;
    if (name !== null && cat !== name && !(Array.isArray(cat) && cat.includes(name))) continue;
    if (!term.where(src)) continue;
    const getters = term.keys;
    const vals: unknown[] = new Array(getters.length);
    let multi = false;
    let usable = true;
    for (let i = 0; i < getters.length; i++) {
      const v = normalize(getters[i](src));
      if (v === null && !term.optionalKeys[i]) {
        usable = false;
        break;
      }
      if (Array.isArray(v)) multi = true;
      vals[i] = v;
    }
    if (!usable) continue;
    const combos = multi ? combinations(vals.map((v) => (Array.isArray(v) ? new Set(v) : [v])), MAX_KEY_COMBINATIONS) : [vals];
    keys ??= new Array(terms.length);
    keyVals ??= new Array(terms.length);
    keys[t] = combos.map(keyOf);
    keyVals[t] = combos;
  }
  return keys ? { keys, keyVals: keyVals! } : null;
}

/**
 * Matching events of every file in timestamp order: each file through a reorder heap, files
 * merged k-way (read side by side). Yields batches to keep per-event async overhead away.
 */
async function* orderedHits(q: CompiledQuery, terms: CompiledTerm[], input: Input, stats: RunStats, opts: RunOptions, progress: (f: number) => void): AsyncGenerator<Hit[]> {
  let seq = 0;
  const skipped = (h: Rec, reason: string) => recordSkip(stats, { file: input.files[h.file], line: h.line, reason });
  const orderedFile = async function* (file: number): AsyncGenerator<Hit[]> {
    // Reorder window: the last REORDER matching events, kept sorted. In-order input only
    // appends (O(1)); an earlier event is inserted by binary search.
    let buf: Hit[] = [];
    let head = 0;
    let lastOut: Rec | null = null;
    let outBatch: Hit[] = [];
    const release = (h: Hit) => {
      if (lastOut && cmpRec(h, lastOut) < 0) return skipped(h, `out of time order by more than ${REORDER} matching events (sequences need time-ordered input)`);
      if (Number.isNaN(h.ts)) return skipped(h, `no valid timestamp in '${q.timestampField}'`);
      lastOut = h;
      outBatch.push(h);
    };
    const visit: Visit = (src, line, text, start, end) => {
      seq++;
      const c = classify(terms, q.getCategory, src);
      if (!c) return;
      const h = makeRec(q, src, file, line, seq) as Hit;
      if (text !== undefined) {
        // Pending sequences can live long: keep ~0.5 KB of bytes (outside the JS heap) rather
        // than dozens of objects the garbage collector must promote and trace.
        // (Own memory, not the shared pool: a pooled slice would pin its whole 8 KB slab.)
        const json = text.slice(start, end);
        const raw = Buffer.allocUnsafeSlow(Buffer.byteLength(json, 'utf8'));
        raw.write(json, 'utf8');
        h.raw = raw;
        h.src = null;
      }
      h.keys = c.keys;
      h.keyVals = c.keyVals;
      const len = buf.length;
      if (len === head || cmpRec(h, buf[len - 1]) >= 0) buf.push(h);
      else {
        let lo = head;
        let hi = len;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cmpRec(buf[mid], h) <= 0) lo = mid + 1;
          else hi = mid;
        }
        buf.splice(lo, 0, h);
      }
      if (buf.length - head > REORDER) release(buf[head++]);
      // Released events must not stay reachable from the window.
      if (head >= REORDER) {
        buf = buf.slice(head);
        head = 0;
      }
    };
    for await (const _ of scanFile(input, file, visit, stats, opts, progress)) {
      if (outBatch.length) {
        yield outBatch;
        outBatch = [];
      }
    }
    while (head < buf.length) release(buf[head++]);
    if (outBatch.length) yield outBatch;
  };
  if (input.files.length === 1) {
    yield* orderedFile(0);
    return;
  }
  const iters = input.files.map((_, f) => orderedFile(f));
  const queues: Hit[][] = input.files.map(() => []);
  const idx = input.files.map(() => 0);
  const ended = input.files.map(() => false);
  const fill = async (f: number) => {
    while (!ended[f] && idx[f] >= queues[f].length) {
      const r = await iters[f].next();
      if (r.done) ended[f] = true;
      else {
        queues[f] = r.value;
        idx[f] = 0;
      }
    }
  };
  for (let f = 0; f < iters.length; f++) await fill(f);
  let batch: Hit[] = [];
  for (;;) {
    let best = -1;
    for (let f = 0; f < queues.length; f++) {
      if (idx[f] >= queues[f].length) continue;
      if (best < 0 || cmpRec(queues[f][idx[f]], queues[best][idx[best]]) < 0) best = f;
    }
    if (best < 0) break;
    batch.push(queues[best][idx[best]++]);
    if (idx[best] >= queues[best].length) {
      if (batch.length) {
        yield batch;
        batch = [];
      }
      await fill(best);
    } else if (batch.length >= 4096) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

interface Partial {
  events: (Hit | null)[];
  start: Hit;
  last: Hit;
  key: string;
  joinKeys: unknown[];
}

async function runSequence(q: CompiledQuery, input: Input, stats: RunStats, size: number, opts: RunOptions, progress: (f: number) => void): Promise<Match[]> {
  const n = q.terms.length;
  const terms = q.until ? [...q.terms, q.until] : q.terms;
  const untilIdx = q.until ? n : -1;
  const missing = q.terms.map((t) => t.missing);
  const positives = q.terms.map((_, i) => i).filter((i) => !missing[i]);
  const firstPos = positives[0];
  const lastPos = positives[positives.length - 1];
  // The nearest regular (not missing) stage before / after each stage, -1 when none.
  const prevPos = q.terms.map((_, i) => positives.filter((j) => j < i).pop() ?? -1);
  const nextPos = q.terms.map((_, i) => positives.find((j) => j > i) ?? -1);
  const maxspan = q.maxspan;
  // pending[stage]: key -> the latest partial sequence whose last matched stage is `stage`.
  const pending: Map<string, Partial>[] = q.terms.map(() => new Map());
  // Missing-event stages: key -> recent occurrences (within maxspan of now).
  const missingSeen: Map<string, Hit[]>[] = q.terms.map(() => new Map());
  // Sequences whose trailing missing events can still occur.
  let awaiting: Partial[] = [];
  const { k, last } = retention(q.pipes, size);
  // Completed sequences come out in the order of their last event (as Elasticsearch returns them).
  const cmpLast = (a: Partial, b: Partial) => cmpRec(a.last, b.last) || cmpRec(a.start, b.start);
  const done = new TopK<Partial>(k, cmpLast, last);
  const hasMissing = missing.some(Boolean);
  let sinceTrim = 0;

  // Missing events follow Elasticsearch, by timestamp: a middle `![...]` must not occur strictly
  // between its neighbours; with L the latest leading missing event before the first event and
  // T the earliest trailing one after the last, a sequence stands unless L is within maxspan of
  // the last event (leading only), T within maxspan of the first (trailing only), or T within
  // maxspan of L (both).
  const leadingStages = q.terms.map((_, i) => i).filter((i) => missing[i] && i < firstPos);
  const trailingStages = q.terms.map((_, i) => i).filter((i) => missing[i] && i > lastPos);
  const middleStages = q.terms.map((_, i) => i).filter((i) => missing[i] && i > firstPos && i < lastPos);
  const hasLeading = leadingStages.length > 0;
  const hasTrailing = trailingStages.length > 0;
  const seen = (stage: number, key: string) => missingSeen[stage].get(key) ?? [];
  const awaitingL = new Map<Partial, number | null>();

  const decide = (p: Partial, L: number | null, T: number | null): boolean => {
    const span = maxspan!;
    if (L === null && T === null) return true;
    if (L === null && hasLeading) return true;
    if (T === null && hasTrailing) return true;
    if (hasLeading && hasTrailing) return T! - L! > span;
    if (hasLeading) return p.last.ts - L! > span;
    return T! - p.start.ts > span;
  };

  const complete = (p: Partial) => {
    if (hasMissing) {
      for (const m of middleStages) {
        const prev = p.events[prevPos[m]]!.ts;
        const next = p.events[nextPos[m]]!.ts;
        if (seen(m, p.key).some((x) => x.ts > prev && x.ts < next)) return;
      }
      let L: number | null = null;
      for (const m of leadingStages) for (const x of seen(m, p.key)) if (x.ts < p.start.ts && (L === null || x.ts > L)) L = x.ts;
      if (hasTrailing) {
        awaiting.push(p);
        awaitingL.set(p, L);
        return;
      }
      if (!decide(p, L, null)) return;
    }
    done.push(p);
  };

  /** Trailing missing events: decided at the first one, or once maxspan has passed. */
  const settleAwaiting = (now: number, final: boolean) => {
    if (!awaiting.length) return;
    const keep: Partial[] = [];
    for (const p of awaiting) {
      let T: number | null = null;
      for (const m of trailingStages) for (const x of seen(m, p.key)) if (x.ts > p.last.ts && (T === null || x.ts < T)) T = x.ts;
      if (T === null && !final && now <= p.start.ts + maxspan!) {
        keep.push(p);
        continue;
      }
      const L = awaitingL.get(p) ?? null;
      awaitingL.delete(p);
      if (decide(p, L, T)) done.push(p);
    }
    awaiting = keep;
  };

  for await (const hits of orderedHits(q, terms, input, stats, opts, progress)) {
    if (opts.signal?.aborted) throw abortError();
    for (const h of hits) {
      // Later stages first, so one event cannot both start and extend the same sequence.
      for (let s = n - 1; s >= 0; s--) {
        const ks = h.keys[s];
        if (ks === undefined) continue;
        for (let ki = 0; ki < ks.length; ki++) {
          const key = ks[ki];
          if (missing[s]) {
            let list = missingSeen[s].get(key);
            if (!list) missingSeen[s].set(key, (list = []));
            list.push(h);
            continue;
          }
          if (s === firstPos) {
            const events: (Hit | null)[] = new Array(n).fill(null);
            events[s] = h;
            const p: Partial = { events, start: h, last: h, key, joinKeys: h.keyVals[s]![ki] };
            if (s === lastPos) complete(p);
            else pending[s].set(key, p);
            continue;
          }
          const prev = prevPos[s];
          const p = pending[prev].get(key);
          if (!p) continue;
          pending[prev].delete(key);
          if (maxspan !== null && h.ts - p.start.ts > maxspan) continue;
          const events = p.events.slice();
          events[s] = h;
          const np: Partial = { events, start: p.start, last: h, key, joinKeys: p.joinKeys };
          if (s === lastPos) complete(np);
          else pending[s].set(key, np);
        }
      }
      // `until` drops the pending sequences of its key that it comes after.
      if (untilIdx >= 0) {
        for (const key of h.keys[untilIdx] ?? [])
          for (const m of pending) {
            const p = m.get(key);
            if (p && p.last !== h) m.delete(key);
          }
      }
      if (hasMissing) settleAwaiting(h.ts, false);
      // Drop state that maxspan has made useless, now and then.
      if (maxspan !== null && ++sinceTrim >= 4096) {
        sinceTrim = 0;
        const horizon = h.ts - maxspan;
        for (const m of pending) for (const [key, p] of m) if (p.start.ts < horizon) m.delete(key);
        for (const m of missingSeen)
          for (const [key, list] of m) {
            const kept = list.filter((x) => x.ts >= horizon - maxspan);
            if (kept.length) m.set(key, kept);
            else m.delete(key);
          }
      }
    }
  }
  settleAwaiting(Infinity, true);
  const { items, truncated } = applyPipes(done.result(), q.pipes, size);
  stats.truncated = truncated || (q.pipes.length === 0 && done.seen > size);
  return items.map((p) => ({
    type: 'sequence',
    events: p.events.map((e) => (e ? out(input.files, e) : { missing: true as const })),
    joinKeys: p.joinKeys,
  }));
}

/**
 * One distinct event per term, earliest first, backtracking when an event is the only choice
 * of a later term (as Elasticsearch picks sample members). null when impossible.
 */
function distinctPick(slots: Rec[][]): Rec[] | null {
  const chosen: Rec[] = [];
  const go = (t: number): boolean => {
    if (t === slots.length) return true;
    for (const r of slots[t]) {
      if (chosen.includes(r)) continue;
      chosen.push(r);
      if (go(t + 1)) return true;
      chosen.pop();
    }
    return false;
  };
  return go(0) ? chosen : null;
}

async function runSample(q: CompiledQuery, input: Input, stats: RunStats, size: number, opts: RunOptions, progress: (f: number) => void): Promise<Match[]> {
  const n = q.terms.length;
  // key -> per term, the earliest n events (enough to give every term a distinct event).
  const byKey = new Map<string, { vals: unknown[]; slots: Rec[][] }>();
  let seq = 0;
  await scanAll(input, stats, opts, progress, (file) => (src, line) => {
    seq++;
    const c = classify(q.terms, q.getCategory, src);
    if (!c) return;
    const r = makeRec(q, src, file, line, seq);
    for (let t = 0; t < n; t++) {
      const ks = c.keys[t];
      if (ks === undefined) continue;
      ks.forEach((key, ki) => {
        let entry = byKey.get(key);
        if (!entry) byKey.set(key, (entry = { vals: c.keyVals[t]![ki], slots: q.terms.map(() => []) }));
        const slot = entry.slots[t];
        slot.push(r);
        if (slot.length > n) {
          slot.sort(cmpRec);
          slot.length = n;
        }
      });
    }
  });
  const samples: { vals: unknown[]; events: Rec[] }[] = [];
  for (const { vals, slots } of byKey.values()) {
    for (const slot of slots) slot.sort(cmpRec);
    const events = distinctPick(slots);
    if (events) samples.push({ vals, events });
  }
  // Results in join-key order, as Elasticsearch's composite aggregation returns them.
  samples.sort((a, b) => {
    for (let i = 0; i < a.vals.length; i++) {
      const c = cmpTb(a.vals[i], b.vals[i]);
      if (c) return c;
    }
    return 0;
  });
  const { items, truncated } = applyPipes(samples, q.pipes, size);
  stats.truncated = truncated;
  return items.map((s) => ({ type: 'sample', events: s.events.map((r) => out(input.files, r)), joinKeys: s.vals }));
}
