import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { ArchiveLocation } from '@flux-capacitor/config';
import { ArchiveObjectNotFoundError, type ArchiveObjectInfo, type ArchiveStore } from './archive-store';
import { filePathOf, keyOfUri, objectUri } from './object-key';

const TEMP_MARK = '.flux-tmp-';

/**
 * The archive in a local directory (`file://`). An object is written to a temporary file beside its final name,
 * fsynced, renamed into place and the directory fsynced: readers never see a partial object, and a crash after
 * `put` resolves cannot lose it. Temporary files left by a crash are ignored by `list`.
 */
export class FileArchiveStore implements ArchiveStore {
  constructor(readonly location: Extract<ArchiveLocation, { kind: 'file' }>) {}

  uri(key: string): string {
    return objectUri(this.location, key);
  }

  keyOf(uri: string): string | null {
    return keyOfUri(this.location, uri);
  }

  localPath(key: string): string {
    return this.path(key);
  }

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..' || part === '')) throw new Error(`invalid archive key "${key}"`);
    return filePathOf(this.location, key);
  }

  async put(key: string, localPath: string): Promise<ArchiveObjectInfo> {
    const target = this.path(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_MARK}${randomBytes(6).toString('hex')}`);
    try {
      await copyFile(localPath, temp);
      const fh = await open(temp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncDirectory(dir);
    const s = await stat(target);
    return { key, size: s.size, lastModified: s.mtime };
  }

  async head(key: string): Promise<ArchiveObjectInfo | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  async *list(prefix = ''): AsyncIterable<ArchiveObjectInfo> {
    // Walk only the folders the prefix can reach, in sorted order, so keys come out in key order like S3's.
    const root = this.location.directory;
    const walk = async function* (dir: string): AsyncIterable<ArchiveObjectInfo> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.name.startsWith(TEMP_MARK)) continue;
        const full = join(dir, entry.name);
        const key = relative(root, full).split(sep).join('/');
        if (entry.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk(full);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const s = await stat(full);
          yield { key, size: s.size, lastModified: s.mtime };
        }
      }
    };
    yield* walk(root);
  }

  async getStream(key: string): Promise<Readable> {
    if (!(await this.exists(key))) throw new ArchiveObjectNotFoundError(this.uri(key));
    return createReadStream(this.path(key));
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    if (!(await this.exists(key))) throw new ArchiveObjectNotFoundError(this.uri(key));
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(this.path(key), localPath);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
