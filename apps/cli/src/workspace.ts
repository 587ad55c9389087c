import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (fluxcap runs from the source tree) and its local state folder. */
export const WORKSPACE_ROOT = resolve(__dirname, '../../..');
export const FLUX_DIR = join(WORKSPACE_ROOT, '.flux');

const shellQuote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** Writes `export KEY='value'` lines, so that `source .flux/dev.env` works in any POSIX shell. */
export function writeEnvFile(path: string, env: Record<string, string>): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  const body = Object.entries(env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
  writeFileSync(path, `# Written by fluxcap; source it to reach the local stack.\n${body}\n`, { mode: 0o600 });
}
