import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticArchive, type SyntheticObject } from '@flux-capacitor/testing';
import { DuckDbEngine, unreadableObjectError, type ProbeBudget } from './duckdb-engine';
import { ArchiveObjectUnreadableError, QueryInvalidError } from './query.errors';
import type { ArchiveFile, StreamSource } from './stream-source';

let root: string;
let engine: DuckDbEngine;
let objects: SyntheticObject[];

const uriOf = (i: number) => `s3://flux-archive/orders/object-${i}.parquet`;
/** The synthetic objects as the planner hands them over: local copies (the cache) named by their archive URIs. */
function sources(damage?: { index: number; bytes: (original: Buffer) => Buffer }): StreamSource[] {
  const dir = mkdtempSync(join(root, 'cache-'));
  const archiveFiles: ArchiveFile[] = objects.map((o, i) => {
    const path = join(dir, `${i}.parquet`);
    if (damage?.index === i) writeFileSync(path, damage.bytes(readFileSync(o.path)));
    else copyFileSync(o.path, path);
    return { path, uri: uriOf(i), layout: o.layout, shards: o.shards };
  });
  return [{ name: 'orders', archiveFiles, live: [] }];
}
const run = async (src: StreamSource[]) => {
  const result = await engine.run({ sql: 'SELECT count(*) AS n, sum(octet_length(data)) AS b FROM orders', sources: src, maxRows: 10, timeoutMs: 20_000 });
  result.close();
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-qe-unreadable-'));
  mkdirSync(join(root, 'work'));
  objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: 'orders', shards: 2, recordsPerShardHour: 50, hours: 2, startMs: Date.UTC(2026, 0, 1) });
  engine = new DuckDbEngine({ workDir: join(root, 'work'), threads: 1, memoryLimit: '256MB' });
});

afterAll(() => {
  engine.close();
  rmSync(root, { recursive: true, force: true });
});

describe('DuckDbEngine: an unreadable archive object', () => {
  it.each([
    ['truncated to half', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['cut to its magic bytes', () => Buffer.from('PAR1')],
    ['with a corrupt footer', (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 200), Buffer.alloc(192, 0x13), b.subarray(b.length - 8)])],
  ])('fails the query naming the object by its archive URI when it is %s, and the next query works', async (_name, bytes) => {
    const err = await run(sources({ index: 2, bytes })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ArchiveObjectUnreadableError);
    const unreadable = err as ArchiveObjectUnreadableError;
    expect(unreadable.objectUri).toBe(uriOf(2));
    expect(unreadable.message).toContain(`archive object ${uriOf(2)} cannot be read`);
    expect(unreadable.message).not.toContain(root);
    expect(unreadable).toMatchObject({ kind: 'unavailable', code: 'ARCHIVE_OBJECT_UNREADABLE' });
    await expect(run(sources())).resolves.toBeUndefined();
  });

  it('names the object in a session (what a replay plans with) as well', async () => {
    const src = sources({ index: 1, bytes: (b) => b.subarray(0, 100) });
    const err = await engine.session({ sources: src, timeoutMs: 20_000 }, (s) => s.all('SELECT count(*) AS n FROM orders')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveObjectUnreadableError);
    expect((err as ArchiveObjectUnreadableError).objectUri).toBe(uriOf(1));
  });

  it.each([
    ["error('parquet')", 'parquet'],
    ["error('TProtocolException: Invalid data')", 'TProtocolException: Invalid data'],
  ])('answers the error a statement raises itself (%s) without searching the archive for a damaged object', async (call, text) => {
    // Pages overwritten, footer intact: only a scan of every page (the search) would find this object.
    const pagesDamaged = (b: Buffer) => {
      const footer = b.readUInt32LE(b.length - 8) + 8;
      return Buffer.concat([b.subarray(0, 4), Buffer.alloc(b.length - footer - 4, 0x7f), b.subarray(b.length - footer)]);
    };
    const src = sources({ index: 2, bytes: pagesDamaged });
    const err = await engine.run({ sql: `SELECT ${call} FROM orders`, sources: src, maxRows: 10, timeoutMs: 20_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryInvalidError);
    expect((err as Error).message).toBe(`Invalid Input Error: ${text}`);
  });

  describe('the search for an object the reader does not name', () => {
    const unnamed = new Error('Invalid Input Error: TProtocolException: Invalid data');
    const budget = (over: Partial<ProbeBudget> = {}): ProbeBudget => ({ deadline: Date.now() + 20_000, memoryLimit: '64MB', statements: ['SELECT * FROM orders'], ...over });
    const pagesDamaged = (b: Buffer) => {
      const footer = b.readUInt32LE(b.length - 8) + 8;
      return Buffer.concat([b.subarray(0, 4), Buffer.alloc(b.length - footer - 4, 0x7f), b.subarray(b.length - footer)]);
    };

    it('finds an object whose pages, not footer, are damaged', async () => {
      const found = await unreadableObjectError(unnamed, sources({ index: 3, bytes: pagesDamaged }), budget());
      expect(found?.objectUri).toBe(uriOf(3));
    });

    it('does not search when the statement calls error(), the message is not the reader\'s, or the query was cancelled or timed out', async () => {
      const src = sources({ index: 3, bytes: pagesDamaged });
      await expect(unreadableObjectError(unnamed, src, budget({ statements: ["SELECT ERROR ('x') FROM orders"] }))).resolves.toBeUndefined();
      await expect(unreadableObjectError(new Error('Invalid Input Error: parquet'), src, budget())).resolves.toBeUndefined();
      await expect(unreadableObjectError(new Error('Invalid Input Error: Malformed JSON: TProtocolException'), src, budget())).resolves.toBeUndefined();
      await expect(unreadableObjectError(unnamed, src, budget({ signal: AbortSignal.abort() }))).resolves.toBeUndefined();
      await expect(unreadableObjectError(unnamed, src, budget({ deadline: Date.now() - 1 }))).resolves.toBeUndefined();
    });
  });
});
