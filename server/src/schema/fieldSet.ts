// The fields a query may use: one or more layers (ECS, beats, integrations, custom schemas...)
// looked up in order. Layers are shared, cached maps, so building a rule's FieldSet is cheap.

export interface AllowedValue {
  name: string;
  description?: string;
}

export interface FieldInfo {
  name: string;
  /** Elasticsearch mapping type as the schema says: keyword, long, ip, text, date, ... */
  type: string;
  description?: string;
  example?: string;
  allowedValues?: AllowedValue[];
  /** Where the definition comes from, e.g. `ecs 9.5.0`, `integration aws`, `non-ecs-schema.json`. */
  source: string;
}

export type FieldLayer = ReadonlyMap<string, FieldInfo>;

export class FieldSet {
  constructor(readonly layers: readonly FieldLayer[]) {}

  /** The first definition of a field (layers are in priority order). */
  get(name: string): FieldInfo | undefined {
    for (const l of this.layers) {
      const f = l.get(name);
      if (f) return f;
    }
    return undefined;
  }

  /** Every definition of a field: schemas may disagree on its type. */
  getAll(name: string): FieldInfo[] {
    const out: FieldInfo[] = [];
    for (const l of this.layers) {
      const f = l.get(name);
      if (f) out.push(f);
    }
    return out;
  }

  has(name: string): boolean {
    return this.layers.some((l) => l.has(name));
  }

  /** Each field once (its first definition), for completion and did-you-mean. */
  *[Symbol.iterator](): IterableIterator<FieldInfo> {
    const seen = new Set<string>();
    for (const l of this.layers) {
      for (const f of l.values()) {
        if (seen.has(f.name)) continue;
        seen.add(f.name);
        yield f;
      }
    }
  }

  /**
   * Definitions written with wildcards (integration schemas have `a.b.*.c` and `a.extra.*`)
   * that match a name; `*` matches one or more characters, dots included.
   */
  matchWildcard(name: string): FieldInfo[] {
    const out: FieldInfo[] = [];
    for (const l of this.layers) for (const w of wildcardsOf(l)) if (w.re.test(name)) out.push(w.info);
    return out;
  }

  /** Known through an ancestor typed `object` / `flattened` (e.g. `labels.anything`). */
  coveredByObject(name: string): FieldInfo | undefined {
    for (let i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) {
      const p = this.get(name.slice(0, i));
      if (p && (p.type === 'object' || p.type === 'flattened')) return p;
    }
    return undefined;
  }

  /**
   * The closest known field names (edit distance <= 2, or a case-only difference). Candidates
   * share the first or the last dotted segment with `name`, which keeps this fast on large
   * schemas and still catches a typo anywhere but in both ends at once.
   */
  suggest(name: string, max = 3): string[] {
    const limit = name.length <= 4 ? 1 : 2;
    const lower = name.toLowerCase();
    const first = lower.split('.', 1)[0];
    const last = lower.slice(lower.lastIndexOf('.') + 1);
    const seen = new Set<string>();
    const scored: [number, string][] = [];
    for (const l of this.layers) {
      const ix = segmentsOf(l);
      for (const group of [ix.first.get(first), ix.last.get(last)]) {
        for (const cand of group ?? []) {
          if (seen.has(cand) || Math.abs(cand.length - name.length) > limit) continue;
          seen.add(cand);
          const d = cand.toLowerCase() === lower ? 0 : editDistance(name, cand, limit);
          if (d <= limit) scored.push([d, cand]);
        }
      }
    }
    scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
    return scored.slice(0, max).map((s) => s[1]);
  }
}

const segmentIndex = new WeakMap<FieldLayer, { first: Map<string, string[]>; last: Map<string, string[]> }>();

/** Field names of a layer grouped by lower-cased first and last segment (built once per layer). */
function segmentsOf(l: FieldLayer): { first: Map<string, string[]>; last: Map<string, string[]> } {
  let ix = segmentIndex.get(l);
  if (!ix) {
    ix = { first: new Map(), last: new Map() };
    const add = (m: Map<string, string[]>, k: string, v: string) => {
      const a = m.get(k);
      if (a) a.push(v);
      else m.set(k, [v]);
    };
    for (const n of l.keys()) {
      const low = n.toLowerCase();
      add(ix.first, low.split('.', 1)[0], n);
      add(ix.last, low.slice(low.lastIndexOf('.') + 1), n);
    }
    segmentIndex.set(l, ix);
  }
  return ix;
}

const wildcardIndex = new WeakMap<FieldLayer, { re: RegExp; info: FieldInfo }[]>();

function wildcardsOf(l: FieldLayer): { re: RegExp; info: FieldInfo }[] {
  let w = wildcardIndex.get(l);
  if (!w) {
    w = [];
    for (const info of l.values()) {
      if (!info.name.includes('*')) continue;
      const body = info.name.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.+');
      // `a.extra.*` typed object also covers deeper names.
      w.push({ re: new RegExp(`^${body}${info.type === 'object' || info.type === 'flattened' ? '(\\..+)?' : ''}$`), info });
    }
    wildcardIndex.set(l, w);
  }
  return w;
}

export function layerFromTypes(types: Record<string, string>, source: string): FieldLayer {
  const m = new Map<string, FieldInfo>();
  for (const [name, type] of Object.entries(types)) m.set(name, { name, type, source });
  return m;
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (a === b) return 0;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > limit) return limit + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}
