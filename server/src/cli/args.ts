// Command-line options through Node's own `util.parseArgs`; its errors become usage messages.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positionals, each with the name of the option it follows (`--events a b` → b follows events). */
  positionals: { value: string; after: string | null }[];
}

export function parseCommandLine(argv: string[], options: Options): ParsedArgs | string {
  try {
    const { values, tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
    const positionals: ParsedArgs['positionals'] = [];
    let after: string | null = null;
    for (const t of tokens) {
      if (t.kind === 'option') after = t.name;
      else if (t.kind === 'positional') positionals.push({ value: t.value, after });
      else after = null;
    }
    return { values, positionals };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
