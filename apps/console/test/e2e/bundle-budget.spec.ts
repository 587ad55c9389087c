import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WORKSPACE_ROOT } from '../support/browser-harness';

/** The most JavaScript, gzipped, that opening /search may load: shell, editor, grid and all (console brief). */
const SEARCH_BUDGET_BYTES = 450 * 1024;

interface ManifestChunk {
  file: string;
  imports?: string[];
}

/** A chunk and everything it imports statically: what the browser loads for it. */
function closure(manifest: Record<string, ManifestChunk>, keys: string[], seen = new Set<string>()): Set<string> {
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    closure(manifest, manifest[key]?.imports ?? [], seen);
  }
  return seen;
}

describe('console bundle budget', () => {
  it(`loads at most ${SEARCH_BUDGET_BYTES / 1024} KB of gzipped JavaScript for the Search page`, () => {
    const out = mkdtempSync(join(tmpdir(), 'flux-console-build-'));
    try {
      const vite = join(WORKSPACE_ROOT, 'node_modules/vite/bin/vite.js');
      const build = spawnSync(process.execPath, [vite, 'build', '--config', join(WORKSPACE_ROOT, 'apps/console/vite.config.mts'), '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
        cwd: WORKSPACE_ROOT,
        encoding: 'utf8',
      });
      expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
      expect(manifest['src/pages/search/search-page.tsx'], 'the Search page is its own chunk').toBeDefined();
      const chunks = closure(manifest, ['index.html', 'src/pages/search/search-page.tsx']);
      const sizes = [...chunks].map((key) => ({ file: manifest[key].file, gzip: gzipSync(readFileSync(join(out, manifest[key].file))).length }));
      const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
      console.log(`Search page JS: ${(total / 1024).toFixed(0)} KB gzipped (${sizes.map((s) => `${s.file} ${(s.gzip / 1024).toFixed(0)} KB`).join(', ')})`);
      expect(total, 'gzipped JS of the Search page').toBeLessThanOrEqual(SEARCH_BUDGET_BYTES);
      // the other pages are not part of it
      expect(chunks.has('src/pages/streams/streams-page.tsx')).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
