import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledLibFolders, consoleBuildReason } from './console-build';

describe('consoleBuildReason', () => {
  let workspace: string;
  let dist: string;
  const write = (path: string, text = 'x') => {
    mkdirSync(join(workspace, path, '..'), { recursive: true });
    writeFileSync(join(workspace, path), text);
  };
  const touch = (path: string, seconds: number) => {
    write(path);
    utimesSync(join(workspace, path), seconds, seconds);
  };
  /** Every file and folder of the fixture as of `seconds`: the state right after a build at a later time. */
  const age = (path: string, seconds: number) => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) age(join(path, name), seconds);
    utimesSync(path, seconds, seconds);
  };

  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'console-build-'));
    dist = join(workspace, 'dist/apps/console');
    write(
      'tsconfig.base.json',
      JSON.stringify({
        compilerOptions: {
          paths: {
            '@flux-capacitor/api-client': ['libs/api-client/src/index.ts'],
            '@flux-capacitor/contracts': ['libs/contracts/src/index.ts'],
            '@flux-capacitor/persistence': ['libs/persistence/src/index.ts'],
          },
        },
      }),
    );
    write('package-lock.json', '{}');
    write('apps/console/index.html', '<div id="root"></div>');
    write('apps/console/src/pages/search/search-page.tsx', "import { createFluxClient } from '@flux-capacitor/api-client';\n");
    // the console bundles api-client, which bundles contracts; persistence is a server-side lib it never imports
    write('libs/api-client/src/index.ts', "export type { Problem } from '@flux-capacitor/contracts';\n");
    write('libs/contracts/src/index.ts', 'export type Problem = object;\n');
    write('libs/persistence/src/index.ts', 'export {};\n');
    age(workspace, 1000);
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it('asks for a build when there is none', () => {
    expect(consoleBuildReason(workspace, dist)).toBe('not built yet');
  });

  it('is satisfied by a build newer than every source, and rebuilds after a source changes', () => {
    touch('dist/apps/console/index.html', 2000);
    expect(consoleBuildReason(workspace, dist)).toBeNull();
    touch('apps/console/src/pages/search/search-page.tsx', 3000);
    expect(consoleBuildReason(workspace, dist)).toBe('apps/console/src changed since the last build');
  });

  it('finds the libs the console bundles through the workspace aliases, and what they import in turn', () => {
    expect(bundledLibFolders(workspace)).toEqual(['libs/api-client/src', 'libs/contracts/src']);
  });

  it.each([
    ['libs/api-client/src/query.ts', 'libs/api-client/src'],
    ['libs/contracts/src/index.ts', 'libs/contracts/src'],
    ['package-lock.json', 'package-lock.json'],
    ['tsconfig.base.json', 'tsconfig.base.json'],
  ])('rebuilds after %s changes', (changed, named) => {
    touch('dist/apps/console/index.html', 2000);
    touch(changed, 3000);
    expect(consoleBuildReason(workspace, dist)).toBe(`${named} changed since the last build`);
  });

  it('does not rebuild for a lib the console does not bundle', () => {
    touch('dist/apps/console/index.html', 2000);
    touch('libs/persistence/src/index.ts', 3000);
    expect(consoleBuildReason(workspace, dist)).toBeNull();
  });
});
