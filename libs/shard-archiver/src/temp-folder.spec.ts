import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempFolder, sweepStaleTempFolders } from './temp-folder';

describe('archiver temp folders', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'flux-temp-folders-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const folder = (name: string, pid?: number) => {
    mkdirSync(join(base, name, 'spool-x'), { recursive: true });
    writeFileSync(join(base, name, 'spool-x', 'page.json'), '{}');
    if (pid !== undefined) writeFileSync(join(base, name, 'owner.pid'), String(pid));
  };

  it('deletes the folders of archivers that no longer run, and keeps those of running ones, unowned ones and others', () => {
    // A process that has exited: its pid names no running process (pids are not reused this fast).
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    folder('flux-archiver-dead', dead);
    folder('flux-archiver-live', process.pid);
    folder('flux-archiver-unowned');
    folder('other-dead', dead);
    expect(sweepStaleTempFolders(base)).toEqual(['flux-archiver-dead']);
    expect(readdirSync(base).sort()).toEqual(['flux-archiver-live', 'flux-archiver-unowned', 'other-dead']);
  });

  it('creates a folder owned by this process after sweeping', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    folder('flux-archiver-dead', dead);
    const { path, swept } = createTempFolder(join(base));
    expect(swept).toEqual(['flux-archiver-dead']);
    expect(readFileSync(join(path, 'owner.pid'), 'utf8')).toBe(String(process.pid));
    expect(existsSync(join(base, 'flux-archiver-dead'))).toBe(false);
    // A second archiver in this process does not take the first one's folder for stale.
    expect(createTempFolder(base).swept).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });
});
