// Bundles the three entry points. The server and CLI never import `vscode`;
// the client marks it external because the editor provides it at run time.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  minify: !watch,
  logLevel: 'warning',
};
const entries = [
  { in: 'server/src/cli/main.ts', out: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { in: 'server/src/server.ts', out: 'dist/server.js' },
  { in: 'client/src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
];
await Promise.all(
  entries
    .filter((e) => existsSync(e.in))
    .map((e) =>
      build({ ...common, entryPoints: [e.in], outfile: e.out, external: e.external ?? [], banner: e.banner }),
    ),
);
