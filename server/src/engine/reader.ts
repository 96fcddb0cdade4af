// Streams events out of files: NDJSON, JSON arrays, saved Elasticsearch search responses
// (`hits.hits[]._source`, EQL `hits.events[]._source` and `hits.sequences[].events[]._source`),
// gzipped or not (detected by magic bytes). NDJSON and arrays are streamed in large chunks;
// a response (or any single pretty-printed JSON object) is read whole, as Elasticsearch caps
// responses at 10,000 hits. Bad lines are reported with their line numbers, never fatal.
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface Batch {
  sources: unknown[];
  lines: number[];
}

/**
 * Receives each event as it is parsed (synchronously, so unwanted events die young). For
 * NDJSON and array elements, `text.slice(start, end)` is the event's own JSON, for callers that
 * would rather keep compact bytes than a tree of objects.
 */
export type Visit = (source: Record<string, unknown>, line: number, text?: string, start?: number, end?: number) => void;

export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  onSkip?: (s: SkippedLine) => void;
  /** Raw (on-disk) bytes consumed so far for this file. */
  onBytes?: (bytes: number) => void;
}

const CHUNK = 4 << 20;
/** Above this, a file that is not NDJSON or an array is refused rather than read whole. */
const MAX_WHOLE = 512 << 20;

export function abortError(): Error {
  const e = new Error('the run was cancelled');
  e.name = 'AbortError';
  return e;
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await fsp.open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The (decompressed) stream and a way to ask how many on-disk bytes were consumed. */
async function openStream(path: string): Promise<{ stream: Readable; rawBytes: () => number }> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  const rawBytes = () => raw.bytesRead;
  if (!gzip) return { stream: raw, rawBytes };
  const gz = createGunzip({ chunkSize: 1 << 20 });
  raw.on('error', (e) => gz.destroy(e));
  return { stream: raw.pipe(gz), rawBytes };
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Events of a saved response, or null when the object is not a search response. */
export function eventsOfResponse(doc: unknown): unknown[] | null {
  if (!isObject(doc)) return null;
  const hits = (doc as { hits?: unknown }).hits;
  if (!isObject(hits)) return null;
  const h = hits as { hits?: unknown; events?: unknown; sequences?: unknown };
  const out: unknown[] = [];
  const take = (arr: unknown) => {
    if (Array.isArray(arr)) for (const x of arr) if (isObject(x) && isObject((x as { _source?: unknown })._source)) out.push((x as { _source: unknown })._source);
  };
  if (!Array.isArray(h.hits) && !Array.isArray(h.events) && !Array.isArray(h.sequences)) return null;
  take(h.hits);
  take(h.events);
  if (Array.isArray(h.sequences)) for (const s of h.sequences) if (isObject(s)) take((s as { events?: unknown }).events);
  return out;
}

/** Reads one file as batches of parsed events with their 1-based line numbers. */
export async function* readEventFile(path: string, opts: ReadOptions = {}): AsyncGenerator<Batch> {
  let sources: unknown[] = [];
  let lines: number[] = [];
  const visit: Visit = (src, line) => {
    sources.push(src);
    lines.push(line);
  };
  for await (const _ of scanEventFile(path, visit, opts)) {
    if (sources.length) yield { sources, lines };
    sources = [];
    lines = [];
  }
}

/**
 * Streams one file into `visit`, yielding after each chunk (so callers can interleave files,
 * report progress and cancel) with the number of events visited in it.
 */
export async function* scanEventFile(path: string, visit: Visit, opts: ReadOptions = {}): AsyncGenerator<number> {
  const { stream, rawBytes } = await openStream(path);
  const skip = (line: number, reason: string) => opts.onSkip?.({ file: path, line, reason });
  let carry: Buffer | null = null;
  let lineNo = 0;
  let mode: 'unknown' | 'ndjson' | 'array' | 'whole' = 'unknown';
  let whole: Buffer[] = [];
  let wholeBytes = 0;
  const splitter = new ArraySplitter();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted) throw abortError();
      opts.onBytes?.(rawBytes());
      if (mode === 'unknown') {
        const text: string = (carry ? Buffer.concat([carry, chunk]) : chunk).toString('utf8', 0, Math.min(chunk.length + (carry?.length ?? 0), 1 << 16));
        const first = text.search(/\S/);
        if (first < 0) {
          carry = carry ? Buffer.concat([carry, chunk]) : chunk;
          continue;
        }
        if (text[first] === '[') mode = 'array';
        else {
          const nl = text.indexOf('\n', first);
          if (nl < 0 && chunk.length + (carry?.length ?? 0) < 1 << 16) {
            // The first line is not complete yet (or the file is a single line).
            carry = carry ? Buffer.concat([carry, chunk]) : chunk;
            continue;
          }
          mode = 'ndjson';
          let firstDoc: unknown = undefined;
          try {
            firstDoc = JSON.parse(text.slice(first, nl < 0 ? undefined : nl));
          } catch {
            // A pretty-printed document (a response or one event) spans lines: read it whole.
            mode = 'whole';
          }
          if (mode === 'ndjson' && eventsOfResponse(firstDoc) !== null) mode = 'whole';
        }
      }
      if (mode === 'whole') {
        if (carry) whole.push(carry);
        carry = null;
        whole.push(chunk);
        wholeBytes += chunk.length;
        if (wholeBytes > MAX_WHOLE) throw new Error(`${path}: not NDJSON or a JSON array, and too large to read whole`);
        continue;
      }
      if (mode === 'array') {
        const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
        carry = null;
        yield splitter.push(buf, visit, skip);
        continue;
      }
      // NDJSON: decode up to the last newline, split without copying each line. The line
      // cut by the previous chunk is joined from its own bytes, so the chunk is never copied.
      let n = 0;
      let from = 0;
      if (carry) {
        const firstNl = chunk.indexOf(10);
        if (firstNl < 0) {
          carry = Buffer.concat([carry, chunk]);
          continue;
        }
        const head = Buffer.concat([carry, chunk.subarray(0, firstNl)]).toString('utf8');
        lineNo++;
        if (head.length && parseLine(head, 0, head.length, lineNo, visit, skip)) n++;
        carry = null;
        from = firstNl + 1;
      }
      const last = chunk.lastIndexOf(10);
      if (last < from) {
        carry = from < chunk.length ? Buffer.from(chunk.subarray(from)) : null;
        yield n;
        continue;
      }
      const text = chunk.toString('utf8', from, last);
      carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : null;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        const end = nl < 0 ? text.length : nl;
        lineNo++;
        if (end > start && parseLine(text, start, end, lineNo, visit, skip)) n++;
        if (nl < 0) break;
        start = nl + 1;
      }
      yield n;
    }
    if (mode === 'whole' || (mode === 'unknown' && carry)) {
      const all = Buffer.concat(carry ? [...whole, carry] : whole);
      whole = [];
      yield wholeDocument(all.toString('utf8'), path, visit, skip);
      return;
    }
    if (mode === 'array') {
      yield splitter.end(visit, skip);
      return;
    }
    if (carry && carry.length) {
      const text = carry.toString('utf8');
      lineNo++;
      yield parseLine(text, 0, text.length, lineNo, visit, skip) ? 1 : 0;
    }
  } finally {
    stream.destroy();
  }
}

/** Parses one line (or array element) into `visit`; true when it was an event. */
function parseLine(text: string, start: number, end: number, lineNo: number, visit: Visit, skip: (line: number, reason: string) => void): boolean {
  const c = text.charCodeAt(start);
  // Blank lines (and a lone \r) are not events and not errors.
  if ((c === 32 || c === 9 || c === 13) && text.slice(start, end).trim() === '') return false;
  let v: unknown;
  try {
    v = JSON.parse(text.slice(start, end));
  } catch (e) {
    skip(lineNo, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    skip(lineNo, 'not a JSON object');
    return false;
  }
  visit(v as Record<string, unknown>, lineNo, text, start, end);
  return true;
}

/** A file read whole: a response, one event, or NDJSON whose first line is broken. */
function wholeDocument(text: string, path: string, visit: Visit, skip: (line: number, reason: string) => void): number {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    let n = 0;
    let count = 0;
    for (const line of text.split('\n')) {
      n++;
      if (line.trim() && parseLine(line, 0, line.length, n, visit, skip)) count++;
    }
    return count;
  }
  const events = eventsOfResponse(doc);
  if (events === null) {
    if (isObject(doc)) {
      visit(doc as Record<string, unknown>, 1);
      return 1;
    }
    skip(1, `${path}: not an event, array or search response`);
    return 0;
  }
  // Line of each hit: the k-th `"_source"` key in the text, when the counts agree.
  const starts: number[] = [];
  const re = /"_source"\s*:/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) starts.push(m.index);
  const lines = starts.length === events.length ? lineNumbers(text, starts) : events.map(() => 1);
  events.forEach((e, i) => visit(e as Record<string, unknown>, lines[i]));
  return events.length;
}

function lineNumbers(text: string, offsets: number[]): number[] {
  const out: number[] = [];
  let line = 1;
  let at = 0;
  for (const o of offsets) {
    for (; at < o; at++) if (text.charCodeAt(at) === 10) line++;
    out.push(line);
  }
  return out;
}

/**
 * Splits a top-level JSON array into elements as bytes arrive, tracking strings, nesting and
 * line numbers, and parses each element on its own.
 */
class ArraySplitter {
  private pending = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private started = false;
  private elemStart = -1;
  private elemLine = 1;
  private line = 1;
  private decoder = new TextDecoder('utf-8');
  private scanned = 0;

  push(buf: Buffer, visit: Visit, skip: (line: number, reason: string) => void): number {
    this.pending += this.decoder.decode(buf, { stream: true });
    return this.scan(visit, skip);
  }

  end(visit: Visit, skip: (line: number, reason: string) => void): number {
    this.pending += this.decoder.decode();
    const n = this.scan(visit, skip);
    if (this.elemStart >= 0 && this.pending.slice(this.elemStart).trim()) skip(this.elemLine, 'unterminated array element');
    return n;
  }

  private scan(visit: Visit, skip: (line: number, reason: string) => void): number {
    const s = this.pending;
    let count = 0;
    let i = this.scanned;
    const emit = (end: number) => {
      if (parseLine(s, this.elemStart, end, this.elemLine, visit, skip)) count++;
      this.elemStart = -1;
    };
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        continue;
      }
      if (!this.started) {
        if (c === 91) this.started = true;
        continue;
      }
      if (this.depth === 0) {
        if (c === 44 || c === 93) {
          if (this.elemStart >= 0) emit(i);
          continue;
        }
        if (this.elemStart < 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
          this.elemStart = i;
          this.elemLine = this.line;
        }
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) this.depth--;
    }
    // Keep only the unfinished element.
    const keepFrom = this.elemStart >= 0 ? this.elemStart : s.length;
    this.pending = s.slice(keepFrom);
    if (this.elemStart >= 0) this.elemStart = 0;
    this.scanned = this.pending.length;
    return count;
  }
}
