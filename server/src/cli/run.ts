// `eql-rules run`: runs rules (or one --query) over local event files with the engine and
// prints the matches. Exit 0 whether or not anything matched, 1 when a query is invalid,
// 2 on usage errors or unreadable files.
//
// --format json prints one object. One rule or --query:
//   {"version":1,"matches":[{"type","events":[...sources, {"missing":true}],"join_keys":[...]}],
//    "stats":{"events_read","skipped_lines","ms"}}
// Several rules (more than one file, or a folder): the same per rule under
//   {"version":1,"rules":[{"path","name","matches","stats"} | {"path","name","error"}]}
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { compileEql, namedGetter, runQuery, type EngineOptions, type Match, type RunResult } from '../engine/index';
import { eqlOptions, parseRuleFile } from '../rules/ruleFile';
import type { Diagnostic } from '../core/diagnostic';
import type { Command } from './main';
import { parseCommandLine } from './args';
import { collectFiles } from '../core/files';

const USAGE =
  'eql-rules run (RULE.toml|DIR)... | --query "EQL"  --events PATH... [--event-category-field F] [--timestamp-field F] [--tiebreaker-field F] [--size N] [--format text|json]';

interface Args {
  rules: string[];
  query?: string;
  events: string[];
  format: 'text' | 'json';
  size: number;
  options: EngineOptions;
}

function parseArgs(argv: string[]): Args | string {
  const p = parseCommandLine(argv, {
    events: { type: 'string', multiple: true, default: [] },
    query: { type: 'string' },
    format: { type: 'string', default: 'text' },
    size: { type: 'string', default: '1000' },
    'event-category-field': { type: 'string' },
    'timestamp-field': { type: 'string' },
    'tiebreaker-field': { type: 'string' },
  });
  if (typeof p === 'string') return p;
  const v = p.values as Record<string, string | undefined>;
  const a: Args = { rules: [], events: [...(p.values.events as string[])], format: 'text', size: Number(v.size), options: {} };
  // `--events a b c`: paths right after --events are event files too, except rule files.
  for (const { value, after } of p.positionals) (after === 'events' && !value.endsWith('.toml') ? a.events : a.rules).push(value);
  if (v.format !== 'text' && v.format !== 'json') return '--format must be text or json';
  a.format = v.format;
  if (!Number.isInteger(a.size) || a.size < 1) return '--size must be a positive integer';
  for (const [flag, key] of [['event-category-field', 'eventCategoryField'], ['timestamp-field', 'timestampField'], ['tiebreaker-field', 'tiebreakerField']] as const) {
    if (v[flag] === '') return `--${flag} needs a field name`;
    if (v[flag] !== undefined) a.options[key] = v[flag];
  }
  if (v.query !== undefined) a.query = v.query;
  if (a.query !== undefined && a.rules.length) return 'give rule files or --query, not both';
  if (a.query === undefined && !a.rules.length) return 'give rule files (or a folder) or --query';
  if (!a.events.length) return '--events needs at least one file or folder';
  return a;
}

const isEventFile = (n: string) => /\.(ndjson|jsonl|json|gz)$/i.test(n);

interface Job {
  path: string;
  name: string;
  query: string;
  options: EngineOptions;
}

interface Outcome {
  job: Job;
  result?: RunResult;
  diagnostics?: Diagnostic[];
  error?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);

/** A rule's query and EQL options; a string when it cannot be run (not EQL, broken file). */
function ruleJob(path: string, defaults: EngineOptions): Job | string {
  const rf = parseRuleFile(readFileSync(path, 'utf8'));
  if (rf.diagnostics.some((d) => d.severity === 'error') && !rf.queries.length) return 'the TOML does not parse';
  const r = rf.rule;
  const region = rf.queries[0];
  if (!region) return 'no rule.query';
  if (region.language !== 'eql') return `not an EQL rule (language ${region.language || 'unknown'})`;
  return {
    path,
    name: str(r.name) ?? basename(path),
    query: region.text,
    options: { ...defaults, ...eqlOptions(rf) },
  };
}

const SHOWN = ['process.name', 'process.args', 'process.command_line', 'process.parent.name', 'file.path', 'source.ip', 'destination.ip', 'destination.port', 'dns.question.name', 'user.name', 'host.name'];

const pick = (o: unknown, name: string): unknown => namedGetter(name)(o);

/** Long values (command lines, tokens) are cut so each event stays on one readable line. */
const clip = (s: string) => (s.length > 72 ? s.slice(0, 69) + '...' : s);

function eventLine(e: Match['events'][number], opts: EngineOptions): string {
  if ('missing' in e) return '    (missing event: none occurred, as required)';
  const ts = pick(e.source, opts.timestampField || '@timestamp');
  const cat = pick(e.source, opts.eventCategoryField || 'event.category');
  const facts = SHOWN.map((k) => [k, pick(e.source, k)] as const)
    .filter(([, v]) => v !== undefined && v !== null)
    .slice(0, 4)
    .map(([k, v]) => `${k}=${clip(JSON.stringify(v))}`);
  return `    ${e.file}:${e.line}  ${ts == null ? '-' : String(ts)}  ${Array.isArray(cat) ? cat.join('/') : String(cat ?? '-')}  ${facts.join(' ')}`.trimEnd();
}

function printText(o: Outcome, many: boolean, files: number): string {
  const lines: string[] = [];
  if (many) lines.push(`== ${o.job.name} (${o.job.path})`);
  if (o.error) {
    lines.push(`  skipped: ${o.error}`, '');
    return lines.join('\n');
  }
  if (o.diagnostics) {
    for (const d of o.diagnostics) lines.push(`  invalid query: ${d.message} (at ${d.span.start}) [${d.code}]`);
    lines.push('');
    return lines.join('\n');
  }
  const r = o.result!;
  const s = r.stats;
  lines.push(`${r.matches.length}${s.truncated ? '+' : ''} match${r.matches.length === 1 ? '' : 'es'} in ${s.eventsRead} events from ${files} file${files === 1 ? '' : 's'} (${Math.round(s.ms)} ms)`);
  r.matches.forEach((m, i) => {
    const keys = m.joinKeys.length ? `  by ${m.joinKeys.map((k) => JSON.stringify(k)).join(', ')}` : '';
    lines.push('', `[${i + 1}] ${m.type}${keys}`);
    for (const e of m.events) lines.push(eventLine(e, o.job.options));
  });
  if (s.skippedLines) {
    lines.push('', `skipped ${s.skippedLines} line${s.skippedLines === 1 ? '' : 's'}:`);
    for (const k of s.skipped.slice(0, 10)) lines.push(`    ${k.file}:${k.line}: ${k.reason}`);
    if (s.skippedLines > 10) lines.push(`    ... and ${s.skippedLines - 10} more`);
  }
  lines.push('');
  return lines.join('\n');
}

function jsonOf(r: RunResult) {
  return {
    matches: r.matches.map((m) => ({ type: m.type, events: m.events.map((e) => ('missing' in e ? { missing: true } : e.source)), join_keys: m.joinKeys })),
    stats: { events_read: r.stats.eventsRead, skipped_lines: r.stats.skippedLines, ms: Math.round(r.stats.ms) },
  };
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`eql-rules run: ${args}\nusage: ${USAGE}\n`);
    return 2;
  }
  const events: string[] = [];
  const jobs: (Job | { path: string; error: string })[] = [];
  try {
    for (const p of args.events) events.push(...collectFiles(p, isEventFile));
    if (args.query !== undefined) jobs.push({ path: '--query', name: '--query', query: args.query, options: args.options });
    for (const p of args.rules) {
      for (const f of collectFiles(p, (n) => n.endsWith('.toml'))) {
        const j = ruleJob(f, args.options);
        jobs.push(typeof j === 'string' ? { path: f, error: j } : j);
      }
    }
  } catch (e) {
    process.stderr.write(`eql-rules run: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (!events.length) {
    process.stderr.write('eql-rules run: no event files (.ndjson, .jsonl, .json, .gz) found\n');
    return 2;
  }
  const many = args.query === undefined && (args.rules.length > 1 || jobs.length > 1 || statSync(args.rules[0]).isDirectory());
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let invalid = false;
  const outcomes: Outcome[] = [];
  try {
    for (const j of jobs) {
      if ('error' in j) {
        outcomes.push({ job: { path: j.path, name: basename(j.path), query: '', options: {} }, error: j.error });
        continue;
      }
      const c = compileEql(j.query, j.options);
      if (!c.query) {
        invalid = true;
        outcomes.push({ job: j, diagnostics: c.diagnostics.filter((d) => d.severity === 'error') });
        continue;
      }
      const result = await runQuery(c.query, events, { size: args.size, signal: controller.signal });
      outcomes.push({ job: j, result });
      if (args.format === 'text') process.stdout.write(printText(outcomes[outcomes.length - 1], many, events.length) + '\n');
    }
  } catch (e) {
    process.stderr.write(`eql-rules run: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (args.format === 'text') {
    for (const o of outcomes) if (!o.result) process.stdout.write(printText(o, many, events.length) + '\n');
  } else if (!many) {
    const o = outcomes[0];
    if (o.result) process.stdout.write(JSON.stringify({ version: 1, ...jsonOf(o.result) }) + '\n');
    else process.stderr.write(`eql-rules run: ${o.error ?? o.diagnostics?.map((d) => d.message).join('; ')}\n`);
  } else {
    const rules = outcomes.map((o) =>
      o.result
        ? { path: o.job.path, name: o.job.name, ...jsonOf(o.result) }
        : { path: o.job.path, name: o.job.name, error: o.error ?? `invalid query: ${o.diagnostics?.map((d) => d.message).join('; ')}` },
    );
    process.stdout.write(JSON.stringify({ version: 1, rules }) + '\n');
  }
  // Skipped lines go to stderr in JSON mode so stdout stays one object.
  if (args.format === 'json') {
    for (const o of outcomes) for (const k of o.result?.stats.skipped.slice(0, 10) ?? []) process.stderr.write(`warning: ${k.file}:${k.line}: ${k.reason}\n`);
  }
  if (!many && outcomes[0]?.error) return 2;
  return invalid ? 1 : 0;
}

export const command: Command = {
  summary: 'Run rules (or one EQL query) over local event files (NDJSON, JSON arrays, search responses; gzip ok) and print the matches.',
  usage: USAGE,
  run,
};
