// Builds the web UI into dist/web, which `deckhand serve` serves at `/` (see src/http/web-ui.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  // Always the production build (scripts/build.mjs also sets NODE_ENV=production for the React plugin).
  mode: 'production',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // Under the server's Content-Security-Policy (script-src 'self'): no inline scripts, no eval.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1_200,
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8787', '/ws': { target: 'ws://127.0.0.1:8787', ws: true } } },
});
