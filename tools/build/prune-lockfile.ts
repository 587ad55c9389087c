/**
 * The production part of the root package-lock.json for one built app: the entries npm would install for the app's
 * generated package.json, copied from the root lock (same versions, integrity, platform fields), so the image runs
 * `npm ci --omit=dev` against exactly what the workspace was tested with.
 *
 * npm's own resolution is followed: a dependency of the package at `node_modules/a` is found at
 * `node_modules/a/node_modules/<dep>`, else one level up, up to the top `node_modules/<dep>`. Dependencies, optional
 * dependencies (DuckDB's per-platform bindings: all of them stay, npm picks the one for the image's platform) and
 * non-optional peer dependencies (npm 7+ installs those) are followed.
 */

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface PackageLock {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface AppPackage {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  [key: string]: unknown;
}

/** Where npm finds `dep` for the package installed at `from` ('' for the root), or undefined. */
function locate(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  for (let base = from; ; ) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    // `node_modules/a/node_modules/b` -> `node_modules/a`; `node_modules/@s/a` -> ''
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

export function pruneLockfile(root: PackageLock, app: AppPackage): PackageLock {
  if (root.lockfileVersion < 2) throw new Error(`package-lock.json has lockfileVersion ${root.lockfileVersion}; npm 7+ writes 2 or 3`);
  const problems: string[] = [];
  const kept = new Map<string, LockEntry>();
  const optionalOnly = new Set<string>();

  const visit = (from: string, dep: string, optional: boolean, via: string) => {
    const path = locate(root.packages, from, dep);
    if (!path) {
      // an optional dependency for another platform may be absent from a lock written elsewhere
      if (!optional) problems.push(`${dep} (required by ${via}) is not in package-lock.json`);
      return;
    }
    const entry = root.packages[path];
    if (entry.link) {
      problems.push(`${dep} (required by ${via}) is a workspace link, not a published package`);
      return;
    }
    if (kept.has(path)) {
      if (!optional) optionalOnly.delete(path);
      return;
    }
    kept.set(path, entry);
    if (optional) optionalOnly.add(path);
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional);
    for (const d of [...Object.keys(entry.dependencies ?? {}), ...peers]) visit(path, d, optional, path);
    for (const d of Object.keys(entry.optionalDependencies ?? {})) visit(path, d, true, path);
  };

  for (const [dep, version] of Object.entries(app.dependencies)) {
    const path = locate(root.packages, '', dep);
    if (path && root.packages[path].version !== version) problems.push(`${dep}: package.json asks for ${version}, package-lock.json has ${root.packages[path].version}`);
    visit('', dep, false, app.name);
  }
  if (problems.length > 0) throw new Error(`cannot derive the lockfile of ${app.name}:\n  ${problems.join('\n  ')}`);

  const packages: Record<string, LockEntry> = {
    '': { name: app.name, version: app.version, dependencies: app.dependencies, ...(app.engines ? { engines: app.engines } : {}) },
  };
  for (const [path, found] of [...kept].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Flags relative to this app: nothing here is a dev dependency; optional is what only optional edges reach.
    const { dev: _dev, devOptional: _devOptional, optional: _optional, peer: _peer, ...entry } = found;
    packages[path] = optionalOnly.has(path) ? { ...entry, optional: true } : entry;
  }
  return { name: app.name, version: app.version, lockfileVersion: root.lockfileVersion, requires: true, packages };
}
