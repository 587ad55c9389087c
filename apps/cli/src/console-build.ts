// `fluxcap dev` serves the web console from the query gateway: build it when its output is missing or older than
// its sources, so a newcomer needs only `npm ci && npm start`.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError } from './cli-error';
import { WORKSPACE_ROOT } from './workspace';

export const CONSOLE_ROOT = join(WORKSPACE_ROOT, 'apps/console');
/** Where `vite build` writes (apps/console/vite.config.mts) and the gateway reads by default (FLUX_CONSOLE_DIR). */
export const CONSOLE_DIST = join(WORKSPACE_ROOT, 'dist/apps/console');
/** What the build reads of the console itself: a change to any of them makes the build stale. */
const CONSOLE_SOURCES = ['src', 'public', 'index.html', 'vite.config.mts', 'tsconfig.json'];
/** What else the build reads: the aliases (tsconfig.base.json) and the installed dependencies (package-lock.json). */
const WORKSPACE_SOURCES = ['tsconfig.base.json', 'package-lock.json'];
const ALIAS_IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"](@flux-capacitor\/[\w-]+)['"]/g;

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|tsx|mts)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/**
 * The folders of the workspace libs the console bundles (relative to `workspace`): those its sources import through
 * a tsconfig.base.json alias (Vite resolves them to the lib's sources), and those these libs import in turn.
 */
export function bundledLibFolders(workspace: string): string[] {
  let paths: Record<string, string[]> = {};
  try {
    paths = (JSON.parse(readFileSync(join(workspace, 'tsconfig.base.json'), 'utf8')) as { compilerOptions?: { paths?: Record<string, string[]> } }).compilerOptions?.paths ?? {};
  } catch {
    // no (readable) tsconfig.base.json: the build would fail anyway, and say why
  }
  const folders: string[] = [];
  const queue = [join(workspace, 'apps/console/src')];
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    for (const file of sourceFiles(dir)) {
      for (const [, alias] of readFileSync(file, 'utf8').matchAll(ALIAS_IMPORT)) {
        const target = paths[alias]?.[0];
        if (!target) continue;
        const folder = dirname(target);
        if (folders.includes(folder)) continue;
        folders.push(folder);
        queue.push(join(workspace, folder));
      }
    }
  }
  return folders;
}

/**
 * Whether dist/apps/console is missing or older than the newest of what the build reads (and why, for the log): the
 * console's sources, the libs it bundles, the aliases and package-lock.json.
 */
export function consoleBuildReason(workspace = WORKSPACE_ROOT, dist = CONSOLE_DIST): string | null {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return 'not built yet';
  const built = statSync(index).mtimeMs;
  const sources = [...CONSOLE_SOURCES.map((s) => `apps/console/${s}`), ...bundledLibFolders(workspace), ...WORKSPACE_SOURCES];
  const changed = sources.find((s) => newestMtime(join(workspace, s)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** Builds the console with Vite unless it is up to date; throws a CliError with the build's output when it fails. */
export function ensureConsoleBuilt(log: (line: string) => void): void {
  const reason = consoleBuildReason();
  if (!reason) return;
  log(`building the web console (${reason})`);
  const started = Date.now();
  const vite = join(WORKSPACE_ROOT, 'node_modules/vite/bin/vite.js');
  // Built beside the output and swapped in, so two `fluxcap dev` starting at once never serve a half-written build.
  const tmp = `${CONSOLE_DIST}.tmp-${process.pid}`;
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(CONSOLE_ROOT, 'vite.config.mts'), '--logLevel', 'warn', '--outDir', tmp, '--emptyOutDir'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new CliError(`building the web console failed (npx nx build console):\n${output || r.error?.message}`);
  }
  rmSync(CONSOLE_DIST, { recursive: true, force: true });
  try {
    renameSync(tmp, CONSOLE_DIST);
  } catch {
    // another fluxcap dev swapped its build in first: the same sources, so keep that one
    rmSync(tmp, { recursive: true, force: true });
  }
  log(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
