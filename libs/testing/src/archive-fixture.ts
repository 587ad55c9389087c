import { upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveObjectKey, partitionOf, type ArchiveStore, type ParquetEngine } from '@flux-capacitor/archive';
import type { ArchiveObjectWritten, ArchiveRecord } from '@flux-capacitor/contracts';

const enc = new TextEncoder();

/** Records of one shard: JSON objects (or raw strings) arriving one second apart from `start`. */
export function records(stream: string, shardId: string, firstSeq: bigint, start: string, bodies: (object | string)[]): ArchiveRecord[] {
  return bodies.map((b, i) => ({
    stream,
    shardId,
    sequenceNumber: (firstSeq + BigInt(i)).toString(),
    subSequenceNumber: 0,
    partitionKey: `pk-${i}`,
    explicitHashKey: null,
    arrivalTime: Date.parse(start) + i * 1000,
    data: enc.encode(typeof b === 'string' ? b : JSON.stringify(b)),
  }));
}

/** Writes records as one archive object the way the archiver does; returns the message it would publish. */
export async function writeArchiveObject(store: ArchiveStore, engine: ParquetEngine, rs: ArchiveRecord[]): Promise<ArchiveObjectWritten> {
  const first = rs[0];
  const last = rs[rs.length - 1];
  const partition = partitionOf(first.arrivalTime);
  const key = archiveObjectKey({
    stream: first.stream,
    shardId: first.shardId,
    firstSequenceNumber: first.sequenceNumber,
    lastSequenceNumber: last.sequenceNumber,
    ...partition,
  });
  const dir = await mkdtemp(join(tmpdir(), 'flux-catalog-fixture-'));
  try {
    const path = join(dir, 'o.parquet');
    await engine.write(rs, path);
    const info = await store.put(key, path);
    return upgradeArchiveObjectWritten({
      objectUri: store.uri(key),
      stream: first.stream,
      shardId: first.shardId,
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: last.sequenceNumber,
      firstArrivalTime: new Date(first.arrivalTime).toISOString(),
      lastArrivalTime: new Date(last.arrivalTime).toISOString(),
      dt: partition.dt,
      hour: partition.hour,
      recordCount: rs.length,
      bytes: info.size,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
