// Loads every EQL query of the detection-rules corpus in ../shared (relative to the repo root).
// Shared by the corpus test, the fuzz test and bench/parse-corpus.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as TomlParser from 'toml-eslint-parser' with { 'resolution-mode': 'import' };

export const RULES_DIR = resolve(__dirname, '../../../shared/corpus/detection-rules/rules');

export interface CorpusQuery {
  file: string;
  query: string;
}

function tomlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tomlFiles(p) : e.name.endsWith('.toml') ? [p] : [];
  });
}

/** null when the corpus is not checked out next to the repository. */
export function loadCorpusQueries(): CorpusQuery[] | null {
  if (!existsSync(RULES_DIR)) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const toml = require('toml-eslint-parser') as typeof TomlParser;
  const out: CorpusQuery[] = [];
  for (const file of tomlFiles(RULES_DIR).sort()) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('eql')) continue;
    const value = toml.getStaticTOMLValue(toml.parseTOML(text)) as { rule?: { language?: unknown; query?: unknown } };
    if (value.rule?.language === 'eql' && typeof value.rule.query === 'string') out.push({ file: file.slice(RULES_DIR.length + 1), query: value.rule.query });
  }
  return out;
}
