// The `eqlRules.*` settings as the server sees them, with defaults, and their translation into
// the analysis core's options.
import type { AnalyzeOptions } from '../analysis';

export interface Settings {
  samples: { globs: string[] };
  schemas: { extraFiles: string[]; directory: string | null };
  eventCategoryField: string;
  timestampField: string;
  tiebreakerField: string | null;
  fieldChecks: { severity: 'error' | 'warning' | 'information' | 'hint' | 'off' };
  run: { maxResults: number };
}

export const DEFAULT_SETTINGS: Settings = {
  samples: { globs: ['samples/**/*.{ndjson,jsonl,json}', '**/*.events.ndjson'] },
  schemas: { extraFiles: [], directory: null },
  eventCategoryField: 'event.category',
  timestampField: '@timestamp',
  tiebreakerField: null,
  fieldChecks: { severity: 'warning' },
  run: { maxResults: 1000 },
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown, d: string[]) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : d);
const str = (v: unknown, d: string) => (typeof v === 'string' && v.trim() ? v : d);
const strOrNull = (v: unknown) => (typeof v === 'string' && v ? v : null);

/** Merges whatever the client sent over the defaults; a bad value falls back to its default. */
export function readSettings(raw: unknown): Settings {
  const r = isObj(raw) ? raw : {};
  const samples = isObj(r.samples) ? r.samples : {};
  const schemas = isObj(r.schemas) ? r.schemas : {};
  const checks = isObj(r.fieldChecks) ? r.fieldChecks : {};
  const run = isObj(r.run) ? r.run : {};
  const sev = checks.severity;
  return {
    samples: { globs: strings(samples.globs, DEFAULT_SETTINGS.samples.globs) },
    schemas: { extraFiles: strings(schemas.extraFiles, DEFAULT_SETTINGS.schemas.extraFiles), directory: strOrNull(schemas.directory) },
    eventCategoryField: str(r.eventCategoryField, DEFAULT_SETTINGS.eventCategoryField),
    timestampField: str(r.timestampField, DEFAULT_SETTINGS.timestampField),
    tiebreakerField: strOrNull(r.tiebreakerField),
    fieldChecks: { severity: sev === 'error' || sev === 'information' || sev === 'hint' || sev === 'off' ? sev : 'warning' },
    run: { maxResults: typeof run.maxResults === 'number' && run.maxResults > 0 ? Math.floor(run.maxResults) : DEFAULT_SETTINGS.run.maxResults },
  };
}

/** Relative schema paths are resolved against the first workspace folder. */
export function analyzeOptions(s: Settings, root: string | undefined): AnalyzeOptions {
  const abs = (p: string) => (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || !root ? p : `${root}/${p}`);
  const sev = s.fieldChecks.severity;
  const opts: AnalyzeOptions = {};
  if (s.schemas.extraFiles.length) opts.extraSchemas = s.schemas.extraFiles.map(abs);
  if (s.schemas.directory) opts.schemaDir = abs(s.schemas.directory);
  opts.severities = { 'eql/unknown-field': sev === 'information' ? 'info' : sev };
  return opts;
}
