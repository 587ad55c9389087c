import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempFolder, sweepStaleTempFolders } from './temp-folder';

describe('archiver temp folders', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'flux-temp-folders-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const folder = (name: string, owner?: { host: string; pid: number }) => {
    mkdirSync(join(base, name, 'spool-x'), { recursive: true });
    writeFileSync(join(base, name, 'spool-x', 'page.json'), '{}');
    if (owner) writeFileSync(join(base, name, 'owner.json'), JSON.stringify(owner));
  };
  // A process that has exited: its pid names no running process (pids are not reused this fast).
  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

  it('deletes the folders of archivers of this host that no longer run, and keeps the others', () => {
    const dead = deadPid();
    folder('flux-archiver-dead', { host: hostname(), pid: dead });
    folder('flux-archiver-live', { host: hostname(), pid: process.ppid });
    folder('flux-archiver-other-host', { host: `not-${hostname()}`, pid: dead });
    folder('flux-archiver-unowned');
    folder('other-dead', { host: hostname(), pid: dead });
    expect(sweepStaleTempFolders(base)).toEqual(['flux-archiver-dead']);
    expect(readdirSync(base).sort()).toEqual(['flux-archiver-live', 'flux-archiver-other-host', 'flux-archiver-unowned', 'other-dead']);
  });

  it('takes a folder with this process id that this process did not make for stale: a restarted container has its old pid', () => {
    folder('flux-archiver-before-restart', { host: hostname(), pid: process.pid });
    const { path, swept } = createTempFolder(base);
    expect(swept).toEqual(['flux-archiver-before-restart']);
    expect(JSON.parse(readFileSync(join(path, 'owner.json'), 'utf8'))).toEqual({ host: hostname(), pid: process.pid });
    // A second archiver in this process keeps the first one's folder.
    expect(createTempFolder(base).swept).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });

  it('refuses a temp folder whose path DuckDB would read as a glob, naming the setting', () => {
    expect(() => createTempFolder(join(base, 'a[1]'))).toThrow(/FLUX_ARCHIVER_TEMP_DIR.*glob/);
  });
});
