// Bundles the CLI, the built-in MCP server entry and the benchmark into dist/ with esbuild.
// Bundling matters for start-up: a bundled server spawns in about half the time of one that resolves
// hundreds of ESM files (DESIGN.md), and the host spawns six of them. Native and worker-based modules stay external.
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['better-sqlite3', 'pg', 'pino', 'pino-pretty'],
  // Bundled CommonJS dependencies still call require(); give them one.
  banner: { js: "import { createRequire as __deckhandCreateRequire } from 'node:module'; const require = __deckhandCreateRequire(import.meta.url);" },
};

await build({
  ...shared,
  entryPoints: { cli: 'src/cli/main.ts', server: 'src/servers/entry.ts', bench: 'scripts/bench.ts' },
  outdir: 'dist',
});
