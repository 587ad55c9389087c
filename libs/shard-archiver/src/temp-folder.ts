import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FluxError } from '@flux-capacitor/contracts';

const PREFIX = 'flux-archiver-';
const OWNER_FILE = 'owner.json';
/** DuckDB reads the spooled pages by path, and takes these characters in a path for a glob. */
const GLOB_CHARACTERS = /[*?[\]{}]/;
/** Folders this process made: the only ones with its pid in `owner.json` that are not stale. */
const own = new Set<string>();

interface Owner {
  host: string;
  pid: number;
}

/** Whether a process with this id runs here (one we may not signal still counts as running). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(folder: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(folder, OWNER_FILE), 'utf8')) as Partial<Owner>;
    return typeof owner.host === 'string' && Number.isInteger(owner.pid) ? (owner as Owner) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deletes the temp folders under `base` that archivers which no longer run left behind (killed, they leave their
 * buffered pages there: up to the spool budget's worth of JSON each), and returns their names. Only folders of this
 * host (a folder shared between machines or containers is left to its own host) whose process is gone, or is this
 * process without having made the folder (a restarted container gets its old pid again). Folders without an owner are
 * left alone.
 */
export function sweepStaleTempFolders(base: string): string[] {
  const swept: string[] = [];
  const host = hostname();
  for (const name of readdirSync(base)) {
    const folder = join(base, name);
    if (!name.startsWith(PREFIX) || own.has(folder)) continue;
    const owner = ownerOf(folder);
    if (!owner || owner.host !== host || (owner.pid !== process.pid && running(owner.pid))) continue;
    try {
      rmSync(folder, { recursive: true, force: true });
      swept.push(name);
    } catch {
      // not ours to insist on: the next start tries again
    }
  }
  return swept;
}

/** A new temp folder of this process under `base` (FLUX_ARCHIVER_TEMP_DIR), after sweeping the stale ones. */
export function createTempFolder(base: string): { path: string; swept: string[] } {
  if (GLOB_CHARACTERS.test(base)) {
    throw new FluxError('invalid-input', 'CONFIG_INVALID', `FLUX_ARCHIVER_TEMP_DIR=${base} has a character DuckDB reads as a glob (* ? [ ] { }): choose another folder`, {
      details: { key: 'FLUX_ARCHIVER_TEMP_DIR' },
    });
  }
  mkdirSync(base, { recursive: true });
  const swept = sweepStaleTempFolders(base);
  const path = mkdtempSync(join(base, PREFIX));
  own.add(path);
  const owner: Owner = { host: hostname(), pid: process.pid };
  writeFileSync(join(path, OWNER_FILE), JSON.stringify(owner));
  return { path, swept };
}
