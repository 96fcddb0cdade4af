// The schemas of a detection-rules checkout (`detection_rules/etc/`), read the way the upstream
// validator reads them. Every file is loaded at most once per process, lazily; a broken file
// yields one message and an empty layer, never an exception.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { layerFromEcsFlat } from './ecs';
import { layerFromTypes, type FieldInfo, type FieldLayer } from './fieldSet';

export interface StackEntry {
  stack: string;
  ecs?: string;
  beats?: string;
  endgame?: string;
}

/** Compares dotted versions numerically; a pre-release (`-rc1`) sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const [av, ap] = a.split('-', 2);
  const [bv, bp] = b.split('-', 2);
  const x = av.split('.').map((n) => parseInt(n, 10) || 0);
  const y = bv.split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  if (ap && !bp) return -1;
  if (bp && !ap) return 1;
  return (ap ?? '').localeCompare(bp ?? '');
}

/** Of `sorted` (oldest first): the newest not above `version`, else the oldest; the newest without a version. */
function newestNotAbove<T>(sorted: T[], version: string | undefined, versionOf: (t: T) => string): T | undefined {
  if (!version) return sorted[sorted.length - 1];
  let pick: T | undefined;
  for (const t of sorted) if (compareVersions(versionOf(t), version) <= 0) pick = t;
  return pick ?? sorted[0];
}

const checkoutCache = new Map<string, string | null>();

/** The `detection_rules/etc` folder of the nearest enclosing checkout of `path`, or null. */
export function findSchemaDir(path: string): string | null {
  let dir = path;
  if (/\.(toml|eql)$/i.test(path)) dir = dirname(path); // documents: no need to stat
  else {
    try {
      if (!statSync(path).isDirectory()) dir = dirname(path);
    } catch {
      dir = dirname(path);
    }
  }
  const visited: string[] = [];
  let found: string | null = null;
  for (;;) {
    const cached = checkoutCache.get(dir);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    visited.push(dir);
    const etc = join(dir, 'detection_rules', 'etc');
    if (existsSync(etc)) {
      found = etc;
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const v of visited) checkoutCache.set(v, found);
  return found;
}

function readJson(file: string): unknown {
  const buf = readFileSync(file);
  return JSON.parse((file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8'));
}

/** Flattens `{a: {b: "keyword"}}` and `{"a.b": "keyword"}` alike to `{"a.b": "keyword"}`. */
export function flattenTypes(obj: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return out;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out[name] = v;
    else flattenTypes(v, name, out);
  }
  return out;
}

interface BeatField {
  name?: string;
  type?: string;
  description?: string;
  fields?: BeatField[] | null;
}

/** Flattens a beats `fields.yml` tree: `group` entries prefix their children; type defaults to keyword. */
function flattenBeatFields(list: BeatField[] | null | undefined, prefix: string, out: Map<string, FieldInfo>, source: string): void {
  if (!Array.isArray(list)) return;
  for (const f of list) {
    if (!f || typeof f !== 'object') continue;
    if (f.type === 'group' && f.name) {
      let nested = `${prefix}${f.name}.`;
      // A lone group repeating its parent's prefix (zoom.zoom.*) nests at the parent, as upstream does.
      if (list.length === 1 && prefix && nested.startsWith(prefix + prefix)) nested = `${f.name}.`;
      flattenBeatFields(f.fields, nested, out, source);
    } else if (f.fields) {
      flattenBeatFields(f.fields, prefix, out, source);
    } else if (f.name) {
      const name = prefix + f.name;
      const info: FieldInfo = { name, type: f.type ?? 'keyword', source };
      if (typeof f.description === 'string') info.description = f.description.trim();
      out.set(name, info);
    }
  }
}

type Folder = { folders?: Record<string, Folder>; files?: Record<string, BeatField[]> };

function metaFields(dir: Folder | undefined, prefix: string, out: Map<string, FieldInfo>, source: string): void {
  const files = dir?.folders?._meta?.files ?? {};
  for (const name of ['fields.yml', 'fields.common.yml']) flattenBeatFields(files[name], prefix, out, source);
}

/** Per-package field types (union over every package version and data stream). */
export type IntegrationTypes = Record<string, Record<string, string>>;

export class WorkspaceSchemas {
  /** Messages about files that could not be read (each reported once). */
  readonly problems: string[] = [];
  private memo = new Map<string, unknown>();

  constructor(readonly etcDir: string) {}

  private once<T>(key: string, load: () => T, fallback: T, file?: string): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    let v: T;
    try {
      v = load();
    } catch (e) {
      this.problems.push(`schema file ${file ?? key} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      v = fallback;
    }
    this.memo.set(key, v);
    return v;
  }

  stackMap(): StackEntry[] {
    const file = join(this.etcDir, 'stack-schema-map.yaml');
    return this.once(
      'stack',
      () => {
        if (!existsSync(file)) return [];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const yaml = require('yaml') as typeof import('yaml');
        const doc = yaml.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>> | null;
        const out: StackEntry[] = [];
        for (const [stack, v] of Object.entries(doc ?? {})) {
          if (!v || typeof v !== 'object') continue;
          const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
          out.push({ stack, ecs: s('ecs'), beats: s('beats'), endgame: s('endgame') });
        }
        return out.sort((a, b) => compareVersions(a.stack, b.stack));
      },
      [],
      file,
    );
  }

  /** The stack entry for a rule's `min_stack_version` (see newestNotAbove). */
  stackFor(minStackVersion: string | undefined): StackEntry | undefined {
    return this.once(
      `stackFor:${minStackVersion ?? ''}`,
      () => newestNotAbove(this.stackMap(), minStackVersion, (e) => e.stack),
      undefined,
    );
  }

  /** Released ECS versions that have an ecs_flat file, oldest first. */
  ecsVersions(): string[] {
    const root = join(this.etcDir, 'ecs_schemas');
    return this.once('ecsVersions', () => readdirSync(root).filter((v) => !v.includes('-') && existsSync(join(root, v, 'ecs_flat.json.gz'))).sort(compareVersions), []);
  }

  /** ECS layer for a version (the nearest available one not above it), or null when none exists. */
  ecs(version: string | undefined): { version: string; layer: FieldLayer } | null {
    const pick = this.once(
      `ecsPick:${version ?? ''}`,
      () => newestNotAbove(this.ecsVersions(), version, (v) => v) ?? null,
      null,
    );
    if (!pick) return null;
    const file = join(this.etcDir, 'ecs_schemas', pick, 'ecs_flat.json.gz');
    const layer = this.once(`ecs:${pick}`, () => layerFromEcsFlat(readJson(file) as Record<string, never>, `ecs ${pick}`), new Map(), file);
    return { version: pick, layer };
  }

  /** `non-ecs-schema.json`: extra fields per index pattern (exact pattern match, as upstream). */
  nonEcs(indexPattern: string): FieldLayer | undefined {
    const file = join(this.etcDir, 'non-ecs-schema.json');
    const all = this.once(
      'nonEcs',
      () => {
        const m = new Map<string, FieldLayer>();
        if (!existsSync(file)) return m;
        const raw = readJson(file) as Record<string, unknown>;
        for (const [pattern, fields] of Object.entries(raw)) m.set(pattern, layerFromTypes(flattenTypes(fields), `non-ecs-schema.json (${pattern})`));
        return m;
      },
      new Map<string, FieldLayer>(),
      file,
    );
    return all.get(indexPattern);
  }

  /** `endpoint_schemas/*.json.gz`, merged (upstream adds them for multi-line endpoint fields). */
  endpoint(): FieldLayer {
    const dir = join(this.etcDir, 'endpoint_schemas');
    return this.once(
      'endpoint',
      () => {
        const types: Record<string, string> = {};
        if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (f.endsWith('.json.gz') || f.endsWith('.json')) Object.assign(types, flattenTypes(readJson(join(dir, f))));
        return layerFromTypes(types, 'endpoint schemas');
      },
      new Map(),
      dir,
    );
  }

  endgame(version: string | undefined): FieldLayer | undefined {
    const root = join(this.etcDir, 'endgame_schemas');
    const versions = this.once('endgameVersions', () => (existsSync(root) ? readdirSync(root).sort(compareVersions) : []), []);
    if (!versions.length) return undefined;
    const pick = version && versions.includes(version) ? version : versions[versions.length - 1];
    const file = join(root, pick, 'endgame_ecs_mapping.json.gz');
    return this.once(`endgame:${pick}`, () => layerFromTypes(flattenTypes(readJson(file)), `endgame ${pick}`), new Map(), file);
  }

  private beatsTree(version: string | undefined): Record<string, Folder> {
    const dir = join(this.etcDir, 'beats_schemas');
    const versions = this.once('beatsVersions', () => (existsSync(dir) ? readdirSync(dir).filter((f) => /^v.+\.json\.gz$/.test(f)).map((f) => f.slice(1, -8)).sort(compareVersions) : []), []);
    if (!versions.length) return {};
    const pick = version && versions.includes(version) ? version : versions[versions.length - 1];
    const file = join(dir, `v${pick}.json.gz`);
    return this.once(`beats:${pick}`, () => readJson(file) as Record<string, Folder>, {}, file);
  }

  /** A beat's root fields plus those of the modules / datasets the query names. */
  beats(version: string | undefined, beat: string, modules: string[], datasets: string[]): FieldLayer {
    const key = `beatsLayer:${version}:${beat}:${modules.join(',')}:${datasets.join(',')}`;
    return this.once(
      key,
      () => {
        const tree = this.beatsTree(version);
        const beatDir = tree[beat];
        const out = new Map<string, FieldInfo>();
        if (!beatDir) return out;
        const source = `${beat} ${version ?? ''}`.trim();
        metaFields(beatDir, '', out, source);
        const mods = new Set(modules);
        if (!mods.size) for (const d of datasets) if (d.includes('.')) mods.add(d.split('.')[0]);
        for (const mod of mods) {
          const modDir = beatDir.folders?.module?.folders?.[mod];
          if (!modDir) continue;
          const names = datasets.length ? datasets.map((d) => (d.startsWith(`${mod}.`) ? d.slice(mod.length + 1) : d)) : Object.keys(modDir.folders ?? {}).filter((d) => !d.startsWith('_'));
          for (const ds of names) metaFields(modDir.folders?.[ds], `${mod}.`, out, source);
        }
        return out;
      },
      new Map(),
    );
  }

  /**
   * Integration field types, per package, as the union over every version and data stream. The
   * 60 MB JSON inside integration-schemas.json.gz costs most of a second to parse, so the compact
   * union is cached on disk (keyed by the file's size and mtime) and reused by later processes.
   */
  integrations(): IntegrationTypes {
    const file = join(this.etcDir, 'integration-schemas.json.gz');
    return this.once(
      'integrations',
      () => {
        if (!existsSync(file)) return {};
        const st = statSync(file);
        const cacheDir = join(tmpdir(), 'eql-rules-cache');
        const cacheFile = join(cacheDir, `integrations-${createHash('sha1').update(resolve(file)).digest('hex').slice(0, 8)}-${st.size}-${Math.trunc(st.mtimeMs)}.json`);
        try {
          const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as unknown;
          if (cached && typeof cached === 'object' && !Array.isArray(cached)) return cached as IntegrationTypes;
        } catch {
          // no usable cache: build it
        }
        const raw = readJson(file) as Record<string, Record<string, Record<string, unknown>>>;
        const out: IntegrationTypes = {};
        for (const [pkg, versions] of Object.entries(raw)) {
          const types: Record<string, string> = (out[pkg] = {});
          for (const streams of Object.values(versions ?? {})) {
            for (const fields of Object.values(streams ?? {})) {
              if (!fields || typeof fields !== 'object' || Array.isArray(fields)) continue;
              for (const [name, t] of Object.entries(fields)) if (typeof t === 'string' && !(name in types)) types[name] = t;
            }
          }
        }
        try {
          mkdirSync(cacheDir, { recursive: true });
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify(out));
          renameSync(tmp, cacheFile);
        } catch {
          // a read-only temp dir only costs speed
        }
        return out;
      },
      {},
      file,
    );
  }

  integrationLayer(pkg: string): FieldLayer | undefined {
    const types = this.integrations()[pkg];
    if (!types) return undefined;
    return this.once(`integration:${pkg}`, () => layerFromTypes(types, `integration ${pkg}`), new Map());
  }
}

const workspaces = new Map<string, WorkspaceSchemas>();

/** One WorkspaceSchemas per `etc` folder per process. */
export function workspaceSchemas(etcDir: string): WorkspaceSchemas {
  let w = workspaces.get(etcDir);
  if (!w) workspaces.set(etcDir, (w = new WorkspaceSchemas(etcDir)));
  return w;
}

/** Extra schema files in the upstream custom format `{"index-pattern*": {"field.name": "keyword"}}`. */
const extraCache = new Map<string, { layers: Map<string, FieldLayer>; problem?: string }>();

export function extraSchema(file: string): { layers: Map<string, FieldLayer>; problem?: string } {
  let e = extraCache.get(file);
  if (!e) {
    try {
      const raw = readJson(file);
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('expected an object of index patterns');
      const layers = new Map<string, FieldLayer>();
      for (const [pattern, fields] of Object.entries(raw as Record<string, unknown>)) layers.set(pattern, layerFromTypes(flattenTypes(fields), `${file} (${pattern})`));
      e = { layers };
    } catch (err) {
      e = { layers: new Map(), problem: `schema file ${file} could not be read: ${err instanceof Error ? err.message : String(err)}` };
    }
    extraCache.set(file, e);
  }
  return e;
}
