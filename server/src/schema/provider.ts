// Chooses the fields a rule's query may use, as the upstream validator does, but as a union:
// upstream accepts a query when it validates against the stack schemas (ECS of the rule's
// stack version + beats for beat indexes + non-ECS fields per index + endgame) OR against its
// integration schemas, so a field known to any of them is known.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtinEcs } from './ecs';
import { FieldSet, type FieldLayer } from './fieldSet';
import { extraSchema, findSchemaDir, workspaceSchemas } from './workspace';

export interface SchemaOptions {
  /**
   * The `detection_rules/etc` folder (or a checkout root) to read schemas from. Default: the
   * nearest enclosing checkout of the document. `false`: built-in ECS only.
   */
  schemaDir?: string | false;
  /** Extra schema files, format `{"index-pattern*": {"field.name": "keyword"}}`. */
  extraSchemas?: string[];
}

/** What a rule tells us about its data. */
export interface SchemaHints {
  /** `metadata.min_stack_version`. */
  minStackVersion?: string;
  /** `rule.index` patterns. */
  indexes?: string[];
  /** `metadata.integration`. */
  integrations?: string[];
  /** String values compared to `event.module` / `event.dataset` in the query. */
  modules?: string[];
  datasets?: string[];
}

export interface SchemaChoice {
  fields: FieldSet;
  /** The ECS layer alone (the EQL options of a rule are checked against ECS upstream). */
  ecs: FieldSet;
  /** Human-readable list of the schemas used, for hover / debugging. */
  sources: string[];
  /** Schema files that could not be read. */
  problems: string[];
}

const explicitDirs = new Map<string, string>();

/** Resolves the `etc` folder for a document. */
export function resolveSchemaDir(docPath: string, options: SchemaOptions): string | null {
  if (options.schemaDir === false) return null;
  if (typeof options.schemaDir === 'string') {
    let dir = explicitDirs.get(options.schemaDir);
    if (!dir) {
      const nested = join(options.schemaDir, 'detection_rules', 'etc');
      explicitDirs.set(options.schemaDir, (dir = existsSync(nested) ? nested : options.schemaDir));
    }
    return dir;
  }
  return docPath ? findSchemaDir(docPath) : null;
}

const choiceCache = new Map<string, SchemaChoice>();

export function chooseFields(docPath: string, hints: SchemaHints, options: SchemaOptions = {}): SchemaChoice {
  const etc = resolveSchemaDir(docPath, options);
  const key = JSON.stringify([etc, options.extraSchemas ?? [], hints.minStackVersion, hints.indexes, hints.integrations, hints.modules, hints.datasets]);
  const hit = choiceCache.get(key);
  if (hit) return hit;

  const layers: FieldLayer[] = [];
  const sources: string[] = [];
  const problems: string[] = [];
  const indexes = hints.indexes ?? [];
  let ecsLayer: FieldLayer;

  if (etc) {
    const ws = workspaceSchemas(etc);
    const stack = ws.stackFor(hints.minStackVersion);
    const ecs = ws.ecs(stack?.ecs);
    if (ecs) {
      ecsLayer = ecs.layer;
      sources.push(`ecs ${ecs.version}`);
    } else {
      ecsLayer = builtinEcs().layer;
      sources.push(`ecs ${builtinEcs().version} (built-in)`);
    }
    layers.push(ecsLayer);
    for (const ix of indexes) {
      const l = ws.nonEcs(ix);
      if (l) {
        layers.push(l);
        sources.push(`non-ecs-schema.json: ${ix}`);
      }
    }
    layers.push(ws.endpoint());
    const beats = [...new Set(indexes.filter((ix) => ix.includes('beat-*')).map((ix) => ix.split('-')[0]))];
    for (const beat of beats) {
      layers.push(ws.beats(stack?.beats, beat, hints.modules ?? [], hints.datasets ?? []));
      sources.push(`${beat} ${stack?.beats ?? ''}`.trim());
    }
    if (indexes.includes('endgame-*')) {
      const l = ws.endgame(stack?.endgame);
      if (l) {
        layers.push(l);
        sources.push(`endgame ${stack?.endgame ?? ''}`.trim());
      }
    }
    // Integrations: by event.dataset values first (package = text before the dot), else metadata.integration.
    const known = ws.integrations();
    let packages = [...new Set((hints.datasets ?? []).map((d) => d.split('.')[0]).filter((p) => p in known))];
    if (!packages.length) packages = (hints.integrations ?? []).filter((p) => p in known);
    for (const p of packages) {
      const l = ws.integrationLayer(p);
      if (l) {
        layers.push(l);
        sources.push(`integration ${p}`);
      }
    }
    problems.push(...ws.problems);
  } else {
    ecsLayer = builtinEcs().layer;
    layers.push(ecsLayer);
    sources.push(`ecs ${builtinEcs().version} (built-in)`);
  }

  for (const file of options.extraSchemas ?? []) {
    const ex = extraSchema(file);
    if (ex.problem) problems.push(ex.problem);
    for (const [pattern, layer] of ex.layers) {
      // A pattern applies when the rule lists it, or always for queries without an index (.eql files).
      if (!indexes.length || indexes.includes(pattern) || pattern === '*') {
        layers.push(layer);
        sources.push(`${file}: ${pattern}`);
      }
    }
  }

  const choice: SchemaChoice = { fields: new FieldSet(layers), ecs: new FieldSet([ecsLayer]), sources, problems: [...new Set(problems)] };
  if (choiceCache.size > 1000) choiceCache.clear(); // an editing session must not grow it forever
  choiceCache.set(key, choice);
  return choice;
}
