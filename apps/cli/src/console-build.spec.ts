import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleBuildReason } from './console-build';

describe('consoleBuildReason', () => {
  let root: string;
  let dist: string;
  const touch = (path: string, seconds: number) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'x');
    utimesSync(path, seconds, seconds);
  };

  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'console-build-'));
    root = join(dir, 'apps/console');
    dist = join(dir, 'dist');
    touch(join(root, 'src/pages/search/search-page.tsx'), 1000);
    touch(join(root, 'index.html'), 1000);
    for (const folder of [join(root, 'src'), join(root, 'src/pages'), join(root, 'src/pages/search'), root]) utimesSync(folder, 1000, 1000);
  });
  afterEach(() => rmSync(join(root, '../..'), { recursive: true, force: true }));

  it('asks for a build when there is none', () => {
    expect(consoleBuildReason(root, dist)).toBe('not built yet');
  });

  it('is satisfied by a build newer than every source, and rebuilds after a source changes', () => {
    touch(join(dist, 'index.html'), 2000);
    expect(consoleBuildReason(root, dist)).toBeNull();
    touch(join(root, 'src/pages/search/search-page.tsx'), 3000);
    expect(consoleBuildReason(root, dist)).toBe('apps/console/src changed since the last build');
  });
});
