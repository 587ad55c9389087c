// `fluxcap dev` serves the web console from the query gateway: build it when its output is missing or older than
// its sources, so a newcomer needs only `npm ci && npm start`.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './cli-error';
import { WORKSPACE_ROOT } from './workspace';

export const CONSOLE_ROOT = join(WORKSPACE_ROOT, 'apps/console');
/** Where `vite build` writes (apps/console/vite.config.mts) and the gateway reads by default (FLUX_CONSOLE_DIR). */
export const CONSOLE_DIST = join(WORKSPACE_ROOT, 'dist/apps/console');
/** What the build reads: a change to any of them makes the build stale. */
const SOURCES = ['src', 'public', 'index.html', 'vite.config.mts', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Whether dist/apps/console is missing or older than the newest console source (and why, for the log). */
export function consoleBuildReason(root = CONSOLE_ROOT, dist = CONSOLE_DIST): string | null {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return 'not built yet';
  const built = statSync(index).mtimeMs;
  const changed = SOURCES.find((s) => newestMtime(join(root, s)) > built);
  return changed ? `apps/console/${changed} changed since the last build` : null;
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
