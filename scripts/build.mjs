// Bundles the CLI, the built-in MCP server entry and the benchmark into dist/ with esbuild, then the web UI with Vite.
// Bundling matters for start-up: a bundled server spawns in about half the time of one that resolves
// hundreds of ESM files (DESIGN.md), and the host spawns six of them. Native and worker-based modules stay external.
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: 'linked',
  logLevel: 'warning',
  // The price registry and the tokenizer tables are large and loaded only when a run needs them: kept out of the bundle.
  // So are the cloud providers (Gemini, Vertex, Azure, Bedrock): imported only by a run that uses one, they would
  // otherwise add their parse time to every start.
  external: [
    'pg',
    'pino',
    'pino-pretty',
    '@pydantic/genai-prices',
    'gpt-tokenizer',
    '@ai-sdk/google',
    '@ai-sdk/google-vertex',
    '@ai-sdk/azure',
    '@ai-sdk/amazon-bedrock',
  ],
  plugins: [datePartsForPinoRoll()],
  // Bundled CommonJS dependencies still call require(); give them one.
  banner: { js: "import { createRequire as __deckhandCreateRequire } from 'node:module'; const require = __deckhandCreateRequire(import.meta.url);" },
};

/**
 * pino-roll (the log file's rotation, loaded by every command that logs) takes a few functions from
 * `require('date-fns')`, which in CommonJS is the whole library: 304 modules, 420 KB, 50-120 ms of every
 * `deckhand run` here. Give it a module of just the functions its `const { … } = require('date-fns')` names, each
 * from its own entry point (names read from the importing file, so a pino-roll that takes another one still gets it).
 */
function datePartsForPinoRoll() {
  return {
    name: 'date-fns-for-pino-roll',
    setup(builder) {
      builder.onResolve({ filter: /^date-fns$/ }, (args) =>
        /[\\/]pino-roll[\\/]/.test(args.importer)
          ? { path: relative(process.cwd(), args.importer), namespace: 'pino-roll-date-fns' }
          : undefined,
      );
      builder.onLoad({ filter: /.*/, namespace: 'pino-roll-date-fns' }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const source = await readFile(args.path, 'utf8');
        const names = /const\s*\{([^}]*)\}\s*=\s*require\(['"]date-fns['"]\)/.exec(source)?.[1]?.split(',').map((name) => name.trim()).filter(Boolean);
        if (!names?.length) throw new Error(`build: cannot tell which date-fns functions ${args.path} uses; update datePartsForPinoRoll.`);
        return {
          // Each loaded on its first call: the ones a daily, size-limited log without a date format in its name never calls
          // (format, parse) cost nothing.
          contents: names.map((name) => `exports.${name} = (...args) => require('date-fns/${name}').${name}(...args);`).join('\n'),
          loader: 'js',
          resolveDir: process.cwd(),
        };
      });
    },
  };
}

// Code splitting: each command of the CLI is a dynamic import, so `deckhand run` loads neither the HTTP server nor the
// MCP server SDK, and `deckhand --help` loads almost nothing; chunks shared by the entries go to dist/chunks/.
const bundles = await build({
  ...shared,
  entryPoints: { cli: 'src/cli/main.ts', 'server-main': 'src/servers/entry.ts', bench: 'scripts/bench.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
await removeStaleChunks(new Set(Object.keys(bundles.metafile.outputs)));

// The host spawns `node dist/server.js <name>` for every built-in server: a tiny launcher that turns on
// Node's compile cache before loading the bundle, so each spawn skips compiling it again.
await writeFile(
  'dist/server.js',
  "import { enableCompileCache } from 'node:module';\nenableCompileCache?.();\nawait import('./server-main.js');\n",
);

// The web UI (web/, React + Vite) goes to dist/web, which `deckhand serve` serves at `/`. Built only when its sources
// changed since the last build (the test setup runs this script every time), or always with --web.
await buildWebUi({ force: process.argv.includes('--web') });

/** Chunk names carry a content hash: drop those of earlier builds that this one no longer writes. */
async function removeStaleChunks(written) {
  const { readdir, rm } = await import('node:fs/promises');
  for (const name of await readdir('dist/chunks')) {
    const path = `dist/chunks/${name}`;
    if (!written.has(path)) await rm(path, { force: true });
  }
}

async function buildWebUi({ force }) {
  const { existsSync, readdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const newest = (path) => {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
  };
  const output = 'dist/web/index.html';
  const sources = ['web/src', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'];
  if (!force && existsSync(output) && statSync(output).mtimeMs >= Math.max(...sources.map(newest))) return;
  let vite;
  try {
    vite = await import('vite');
  } catch {
    process.stderr.write('build: vite is not installed (a production install); the web UI is not rebuilt.\n');
    return;
  }
  // The production build whatever the caller's NODE_ENV (vitest's global setup runs this with NODE_ENV=test, which
  // would select React's development JSX runtime).
  process.env.NODE_ENV = 'production';
  await vite.build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
}
