import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
const root = join(import.meta.dirname, '../..');
const tsconfigBase = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };

// The web console: a static SPA the query gateway serves at `/` (FLUX_CONSOLE_DIR, default dist/apps/console).
// Nothing comes from a CDN: every asset is in the build output. `npx nx serve console` runs Vite's dev server, which
// forwards the gateway's paths to FLUX_QUERY_URL (default the dev port 7103).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  resolve: {
    // The workspace aliases (tsconfig.base.json), for browser-safe libs such as @flux-capacitor/api-client.
    alias: Object.fromEntries(Object.entries(tsconfigBase.compilerOptions.paths).map(([name, [path]]) => [name, join(root, path)])),
  },
  build: {
    outDir: join(root, 'dist/apps/console'),
    emptyOutDir: true,
    sourcemap: true,
    // The budget test (test/e2e/bundle-budget.spec.ts) reads this to know which files a page loads.
    manifest: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/console-config.json', '/docs', '/health'].map((path) => [path, { target: process.env.FLUX_QUERY_URL ?? 'http://127.0.0.1:7103', changeOrigin: true }]),
    ),
  },
});
