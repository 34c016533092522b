// ESLint flat config: the recommended JavaScript and typescript-eslint rules (syntax-based, so linting stays
// fast and needs no type information), plus the few house rules STYLE.md states.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './eslint/import-layers.js';

/**
 * What each layer (top folder of src/) may import besides itself; docs/architecture.md explains the picture.
 * Front ends (cli, http) → app → agent → models/mcp/store → contracts; servers never import the host.
 */
const LAYERS = {
  contracts: [],
  shared: [],
  telemetry: ['contracts', 'shared'],
  models: ['contracts', 'shared'],
  // The host's store prepares the built-in servers' tables once (each server's migrations live in its folder).
  store: ['contracts', 'shared', 'models', 'servers'],
  config: ['contracts', 'shared', 'models', 'servers'],
  mcp: ['contracts', 'shared', 'config', 'telemetry'],
  servers: ['contracts', 'shared', 'config', 'models', 'telemetry'],
  agent: ['contracts', 'shared', 'config', 'models', 'mcp', 'store', 'telemetry'],
  app: ['contracts', 'shared', 'config', 'models', 'mcp', 'store', 'telemetry', 'agent'],
  // The run queue on PostgreSQL (pg-boss), the event feed and store followers: below app, beside agent.
  queue: ['contracts', 'shared', 'store'],
  http: ['contracts', 'shared', 'config', 'app', 'queue'],
  // The CLI is also the entry of `deckhand serve` (http) and of the built-in servers' processes (servers).
  cli: ['contracts', 'shared', 'config', 'app', 'http', 'servers', 'queue'],
};

/**
 * Known crossings, each with its reason. Empty: every layer keeps to the map. Shrink it back to empty; never add to
 * it without a reason and what would remove it.
 */
const LAYER_EXCEPTIONS = [];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Use explicit named exports (STYLE.md).' }],
    },
  },
  {
    // Tests may assemble layers freely; everything else keeps to the layer map.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    plugins: { layers },
    rules: { 'layers/import-layers': ['error', { root: 'src', layers: LAYERS, allow: LAYER_EXCEPTIONS }] },
  },
  {
    // The web UI runs in the browser.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
