import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'flux-archiver-';
const OWNER_FILE = 'owner.pid';

/** Whether a process with this id runs on this machine (one we may not signal still counts as running). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the temp folders under `base` that archivers which no longer run left behind (killed, they leave their
 * buffered pages there: up to the memory budget's worth of JSON each), and returns their names. A folder is another
 * instance's while the process named in its `owner.pid` runs; one without that file is left alone.
 */
export function sweepStaleTempFolders(base: string): string[] {
  const swept: string[] = [];
  for (const name of readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    let pid: number;
    try {
      pid = Number(readFileSync(join(base, name, OWNER_FILE), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 0 || running(pid)) continue;
    rmSync(join(base, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

/** A new temp folder of this process under `base`, after sweeping the stale ones. */
export function createTempFolder(base: string): { path: string; swept: string[] } {
  mkdirSync(base, { recursive: true });
  const swept = sweepStaleTempFolders(base);
  const path = mkdtempSync(join(base, PREFIX));
  writeFileSync(join(path, OWNER_FILE), String(process.pid));
  return { path, swept };
}
