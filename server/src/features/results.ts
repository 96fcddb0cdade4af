// The readable results view of a run, as plain text: sequences grouped with their join keys,
// each event with its `file:line` (the client turns those into links).
import { basename } from 'node:path';
import { namedGetter } from '../engine/index';

export interface RunEvent {
  missing?: boolean;
  source?: Record<string, unknown>;
  file?: string;
  line?: number;
}

export interface RunMatch {
  type: string;
  events: RunEvent[];
  joinKeys?: unknown[];
}

export interface RunOutcome {
  matches: RunMatch[];
  events: number;
  files: string[];
  ms: number;
  truncated: boolean;
  skipped: number;
  error?: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function summary(r: RunOutcome): string {
  if (r.error) return `Run failed: ${r.error}`;
  const m = r.matches.length;
  return `${fmt(m)}${r.truncated ? '+' : ''} match${m === 1 ? '' : 'es'} in ${fmt(r.events)} event${r.events === 1 ? '' : 's'}, ${fmt(Math.round(r.ms))} ms`;
}

const get = (o: unknown, name: string): unknown => (o ? namedGetter(name)(o) : null);

const SHOWN = ['process.name', 'process.command_line', 'file.path', 'destination.ip', 'dns.question.name', 'registry.path', 'user.name', 'host.name'];

/** One event as a few lines: category and time, a few telling fields, then `file:line`. */
function eventLines(e: RunEvent, categoryField: string, timestampField: string, indent: string): string[] {
  if (e.missing) return ['(missing event: none occurred, as required)'];
  const cat = get(e.source, categoryField);
  const ts = get(e.source, timestampField);
  const facts = SHOWN.map((k) => [k, get(e.source, k)] as const)
    .filter(([, v]) => v !== undefined && v !== null)
    .slice(0, 3)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const out = [[Array.isArray(cat) ? cat.join('/') : String(cat ?? '?'), ts != null ? String(ts) : ''].filter(Boolean).join('  ')];
  if (facts.length) out.push(`${indent}${facts.join('  ')}`);
  if (e.file) out.push(`${indent}${e.file}:${e.line ?? 1}`);
  return out;
}

export function renderResults(title: string, r: RunOutcome, categoryField = 'event.category', timestampField = '@timestamp'): string {
  const out = [title, summary(r), `Event files (${r.files.length}): ${r.files.map((f) => basename(f)).join(', ') || 'none'}`];
  if (r.skipped) out.push(`Skipped ${fmt(r.skipped)} unreadable line(s).`);
  out.push('');
  if (r.error) return out.join('\n');
  r.matches.forEach((m, i) => {
    const keys = m.joinKeys?.length ? `  join keys: ${m.joinKeys.map((k) => JSON.stringify(k)).join(', ')}` : '';
    if (m.events.length === 1 && m.type === 'event') {
      const [head, ...rest] = eventLines(m.events[0], categoryField, timestampField, '   ');
      out.push(`${i + 1}. ${head}`, ...rest, '');
    } else {
      out.push(`${m.type === 'sample' ? 'Sample' : 'Sequence'} ${i + 1}${keys}`);
      m.events.forEach((e, j) => {
        const [head, ...rest] = eventLines(e, categoryField, timestampField, '      ');
        out.push(`   ${j + 1}. ${head}`, ...rest);
      });
      out.push('');
    }
  });
  if (!r.matches.length) out.push('No matches.');
  if (r.truncated) out.push('', `Stopped at ${fmt(r.matches.length)} matches (eqlRules.run.maxResults).`);
  return out.join('\n');
}
