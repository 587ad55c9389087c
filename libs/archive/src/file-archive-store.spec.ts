import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArchiveUri, type ArchiveLocation } from '@flux-capacitor/config';
import { ArchiveObjectNotFoundError, readAll } from './archive-store';
import { createArchiveStore } from './create-archive-store';
import { FileArchiveStore } from './file-archive-store';

describe('FileArchiveStore', () => {
  let root: string;
  let work: string;
  let store: FileArchiveStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flux-archive-'));
    work = mkdtempSync(join(tmpdir(), 'flux-work-'));
    store = createArchiveStore(parseArchiveUri(`file://${root}`) as ArchiveLocation) as FileArchiveStore;
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const local = (name: string, content: string | Buffer) => {
    const p = join(work, name);
    writeFileSync(p, content);
    return p;
  };

  it('puts, heads, reads back and deletes an object', async () => {
    const key = 's/dt=2026-11-25/hour=07/shardId-0-1-2.parquet';
    const info = await store.put(key, local('a', Buffer.from([0, 1, 2, 255])));
    expect(info.size).toBe(4);
    expect(await store.exists(key)).toBe(true);
    expect((await store.head(key))?.size).toBe(4);
    expect([...(await readAll(await store.getStream(key)))]).toEqual([0, 1, 2, 255]);
    expect(store.uri(key)).toBe(`file://${root}/${key}`);
    expect(store.keyOf(store.uri(key))).toBe(key);
    expect(store.keyOf(`file:///elsewhere/${key}`)).toBeNull();
    expect(readFileSync(store.localPath(key))).toEqual(Buffer.from([0, 1, 2, 255]));
    await store.getToFile(key, join(work, 'copy/of/it'));
    expect(readFileSync(join(work, 'copy/of/it'))).toEqual(Buffer.from([0, 1, 2, 255]));
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await expect(store.getStream(key)).rejects.toBeInstanceOf(ArchiveObjectNotFoundError);
  });

  it('replaces an object put twice under the same key and leaves no temporary files', async () => {
    const key = 's/dt=2026-11-25/hour=07/x-1-2.parquet';
    await store.put(key, local('a', 'first'));
    await store.put(key, local('b', 'second'));
    expect((await readAll(await store.getStream(key))).toString()).toBe('second');
    expect(readdirSync(join(root, 's/dt=2026-11-25/hour=07'))).toEqual(['x-1-2.parquet']);
  });

  it('lists objects under a prefix in key order, ignoring leftovers of interrupted writes', async () => {
    await store.put('s/dt=2026-11-25/hour=08/b-1-2.parquet', local('1', 'x'));
    await store.put('s/dt=2026-11-25/hour=07/a-1-2.parquet', local('2', 'x'));
    await store.put('t/dt=2026-11-25/hour=07/a-1-2.parquet', local('3', 'x'));
    writeFileSync(join(root, 's/dt=2026-11-25/hour=07/.flux-tmp-abc'), 'partial');
    const keys = async (prefix?: string) => {
      const out: string[] = [];
      for await (const o of store.list(prefix)) out.push(o.key);
      return out;
    };
    expect(await keys('s/')).toEqual(['s/dt=2026-11-25/hour=07/a-1-2.parquet', 's/dt=2026-11-25/hour=08/b-1-2.parquet']);
    expect(await keys('s/dt=2026-11-25/hour=08')).toEqual(['s/dt=2026-11-25/hour=08/b-1-2.parquet']);
    expect(await keys()).toHaveLength(3);
    expect(await keys('nothing/')).toEqual([]);
  });

  it('refuses keys that escape the archive directory', async () => {
    await expect(store.put('../escape.parquet', local('e', 'x'))).rejects.toThrow(/invalid archive key/);
  });
});
