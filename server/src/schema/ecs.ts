// ECS definitions as field layers: the built-in copy from the @elastic/ecs package (the default
// outside a detection-rules checkout) and the `ecs_flat` shape shared by the workspace files.

import type { FieldInfo, FieldLayer } from './fieldSet';

interface EcsFlatEntry {
  type?: string;
  description?: string;
  short?: string;
  example?: unknown;
  allowed_values?: { name: string; description?: string }[];
  multi_fields?: { flat_name?: string; name: string; type: string }[];
}

/** Converts an `ecs_flat` object (field -> definition) to a layer, multi-fields included. */
export function layerFromEcsFlat(flat: Record<string, EcsFlatEntry>, source: string): FieldLayer {
  const m = new Map<string, FieldInfo>();
  for (const [name, def] of Object.entries(flat)) {
    if (!def || typeof def !== 'object') continue;
    const info: FieldInfo = { name, type: String(def.type ?? 'keyword'), source };
    if (def.description) info.description = def.description;
    if (def.example !== undefined && def.example !== null) info.example = String(def.example);
    if (Array.isArray(def.allowed_values)) info.allowedValues = def.allowed_values.map((v) => (v.description ? { name: v.name, description: v.description } : { name: v.name }));
    m.set(name, info);
    for (const mf of def.multi_fields ?? []) {
      const sub = mf.flat_name ?? `${name}.${mf.name}`;
      m.set(sub, { name: sub, type: mf.type, description: `Multi-field of \`${name}\` (${mf.type}).`, source });
    }
  }
  return m;
}

let builtin: { version: string; layer: FieldLayer } | undefined;

/** The ECS definitions bundled with @elastic/ecs, loaded on first use. */
export function builtinEcs(): { version: string; layer: FieldLayer } {
  if (!builtin) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ecs = require('@elastic/ecs') as { EcsVersion: string; EcsFlat: Record<string, EcsFlatEntry> };
    builtin = { version: ecs.EcsVersion, layer: layerFromEcsFlat(ecs.EcsFlat, `ecs ${ecs.EcsVersion} (built-in)`) };
  }
  return builtin;
}
