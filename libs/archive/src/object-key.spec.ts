import { archiveObjectKey, keyOfUri, objectUri, parseArchiveObjectKey, partitionOf } from './object-key';

describe('archive object keys', () => {
  const name = {
    stream: 'orders-eu.v2',
    dt: '2026-11-25',
    hour: 7,
    shardId: 'shardId-000000000003',
    firstSequenceNumber: '49590338271490256608559692538361571095921575989136588898',
    lastSequenceNumber: '49590338271490256608559692540925702759324208523137515618',
  };

  it('names an object by stream, UTC hour partition, shard and sequence range', () => {
    expect(archiveObjectKey(name)).toBe(
      'orders-eu.v2/dt=2026-11-25/hour=07/shardId-000000000003-49590338271490256608559692538361571095921575989136588898-49590338271490256608559692540925702759324208523137515618.parquet',
    );
  });

  it('parses the partition and range back from a key, with or without a prefix', () => {
    const key = archiveObjectKey(name);
    expect(parseArchiveObjectKey(key)).toEqual(name);
    expect(parseArchiveObjectKey(`some/prefix/${key}`)).toEqual(name);
  });

  it('returns null for keys that are not archive objects', () => {
    expect(parseArchiveObjectKey('orders/dt=2026-11-25/hour=07/notes.txt')).toBeNull();
    expect(parseArchiveObjectKey('orders/dt=2026-11-25/hour=24/s-1-2.parquet')).toBeNull();
    expect(parseArchiveObjectKey('orders/2026/s-1-2.parquet')).toBeNull();
  });

  it('rejects names that would break the layout', () => {
    expect(() => archiveObjectKey({ ...name, stream: 'a/b' })).toThrow(/stream/);
    expect(() => archiveObjectKey({ ...name, firstSequenceNumber: '12x' })).toThrow(/sequence/);
    expect(() => archiveObjectKey({ ...name, hour: 24 })).toThrow(/partition/);
  });

  it('puts a record in the UTC date and hour of its arrival', () => {
    expect(partitionOf(Date.UTC(2026, 0, 31, 23, 59, 59, 999))).toEqual({ dt: '2026-01-31', hour: 23 });
    expect(partitionOf(Date.UTC(2026, 1, 1, 0, 0, 0, 0))).toEqual({ dt: '2026-02-01', hour: 0 });
  });

  it('builds s3:// and file:// URIs and maps them back to keys', () => {
    const s3 = { kind: 's3' as const, uri: 's3://bkt/arch/v1', bucket: 'bkt', prefix: 'arch/v1' };
    const file = { kind: 'file' as const, uri: 'file:///data/archive', directory: '/data/archive' };
    expect(objectUri(s3, 'x/dt=2026-01-01/hour=00/a-1-2.parquet')).toBe('s3://bkt/arch/v1/x/dt=2026-01-01/hour=00/a-1-2.parquet');
    expect(objectUri(file, 'x/dt=2026-01-01/hour=00/a-1-2.parquet')).toBe('file:///data/archive/x/dt=2026-01-01/hour=00/a-1-2.parquet');
    expect(objectUri({ ...s3, prefix: '' }, 'k')).toBe('s3://bkt/k');
    expect(keyOfUri(s3, 's3://bkt/arch/v1/x/a.parquet')).toBe('x/a.parquet');
    expect(keyOfUri(file, 'file:///data/archive/x/a.parquet')).toBe('x/a.parquet');
    expect(keyOfUri(s3, 's3://other/arch/v1/x/a.parquet')).toBeNull();
  });

  it('refuses URIs whose key could leave the archive through dot or empty segments', () => {
    const s3 = { kind: 's3' as const, uri: 's3://bkt/arch', bucket: 'bkt', prefix: 'arch' };
    const file = { kind: 'file' as const, uri: 'file:///data/archive', directory: '/data/archive' };
    for (const uri of ['s3://bkt/arch/../other/x.parquet', 's3://bkt/arch/x/./a.parquet', 's3://bkt/arch//x.parquet', 's3://bkt/arch/']) {
      expect(keyOfUri(s3, uri), uri).toBeNull();
    }
    expect(keyOfUri(file, 'file:///data/archive/../../etc/passwd')).toBeNull();
    expect(keyOfUri(file, 'file:///data/archive/x/..')).toBeNull();
  });
});
