import type { WireRecord } from '@flux-capacitor/kinesis';
import { hourRuns, objectBytesFor, SORTED_OBJECT_BYTES } from './stream-writer';

const at = (iso: string, seq = 0): WireRecord => ({ SequenceNumber: String(seq), ApproximateArrivalTimestamp: Date.parse(iso) / 1000, Data: '', PartitionKey: 'k' });
const hourOf = (iso: string) => Math.floor(Date.parse(iso) / 3_600_000);

describe('hourRuns', () => {
  it('keeps a page of one hour whole', () => {
    const page = [at('2026-12-01T10:00:00Z'), at('2026-12-01T10:59:59.999Z')];
    expect(hourRuns(page)).toEqual([{ hour: hourOf('2026-12-01T10:00:00Z'), start: 0, end: 2 }]);
  });

  it('cuts a page where the hour turns, and keeps a late stamp in the hour before it', () => {
    const page = [at('2026-12-01T10:59:59Z'), at('2026-12-01T11:00:00Z'), at('2026-12-01T10:59:58Z'), at('2026-12-01T12:00:01Z')];
    expect(hourRuns(page)).toEqual([
      { hour: hourOf('2026-12-01T10:00:00Z'), start: 0, end: 1 },
      { hour: hourOf('2026-12-01T11:00:00Z'), start: 1, end: 3 },
      { hour: hourOf('2026-12-01T12:00:00Z'), start: 3, end: 4 },
    ]);
  });

  it('never goes back before the hour of the shard current buffer', () => {
    const page = [at('2026-12-01T10:59:59Z'), at('2026-12-01T11:30:00Z')];
    expect(hourRuns(page, hourOf('2026-12-01T11:00:00Z'))).toEqual([{ hour: hourOf('2026-12-01T11:00:00Z'), start: 0, end: 2 }]);
    expect(hourRuns([])).toEqual([]);
  });
});

describe('objectBytesFor', () => {
  const MiB = 1024 * 1024;
  it('writes objects at the size hint in sequence order', () => {
    expect(objectBytesFor({ bufferSizeBytes: 64 * MiB, rowOrder: 'sequence' })).toBe(64 * MiB);
  });

  it('cuts objects sorted by partition key at 24 MiB (the sort\'s copy grows past DuckDB\'s limit beyond), a smaller hint kept', () => {
    expect(SORTED_OBJECT_BYTES).toBe(24 * MiB);
    expect(objectBytesFor({ bufferSizeBytes: 64 * MiB, rowOrder: 'partition_key' })).toBe(24 * MiB);
    expect(objectBytesFor({ bufferSizeBytes: 8 * MiB, rowOrder: 'partition_key' })).toBe(8 * MiB);
  });
});
