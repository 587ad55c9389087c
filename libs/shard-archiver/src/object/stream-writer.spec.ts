import type { WireRecord } from '@flux-capacitor/kinesis';
import { hourRuns } from './stream-writer';

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
