import { Alert, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { memo, useMemo, useState } from 'react';
import { errorMessage } from '../../api/api-error';
import { ActivityChart } from './activity-chart';
import { usePartitions } from './streams-api';
import { activitySeries, formatBytes, formatCount } from './streams-model';

const RANGES = { '24 h': 24, '48 h': 48, '7 d': 168 } as const;

/** Records and bytes archived per hour, from the catalog's partitions. */
// memo: the stream page re-renders every second for its "ago" texts; this tab does not need to.
export const StreamActivityTab = memo(function StreamActivityTab({ stream }: { stream: string }) {
  const [range, setRange] = useState<keyof typeof RANGES>('48 h');
  const hours = RANGES[range];
  // Rounded to the hour so the query key (and the request) stays the same between renders.
  const from = useMemo(() => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - (hours - 1) * 3_600_000).toISOString(), [hours]);
  const partitions = usePartitions(stream, from);
  const points = useMemo(() => activitySeries(partitions.data ?? [], Date.now(), hours), [partitions.data, hours]);
  const records = points.reduce((n, p) => n + p.records, 0);
  const bytes = points.reduce((n, p) => n + p.bytes, 0);

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" aria-live="polite">
          Last {range}: <b>{formatCount(records)}</b> records, <b>{formatBytes(bytes)}</b> archived
        </Text>
        <SegmentedControl size="xs" value={range} onChange={(v) => setRange(v as keyof typeof RANGES)} data={Object.keys(RANGES)} aria-label="time range" />
      </Group>
      {partitions.isError ? (
        <Alert color={(partitions.error as { code?: string }).code === 'STREAM_NOT_FOUND' ? 'gray' : 'red'}>
          {(partitions.error as { code?: string }).code === 'STREAM_NOT_FOUND' ? 'Nothing archived yet: the catalog has no objects of this stream.' : errorMessage(partitions.error)}
        </Alert>
      ) : (
        <figure style={{ margin: 0 }} aria-label={`records and bytes archived per hour, last ${range}`}>
          <ActivityChart points={points} />
          {records === 0 && !partitions.isPending && (
            <Text size="sm" c="dimmed">
              Nothing was archived in this range. The archiver writes an object per shard every FLUX_BUFFER_INTERVAL_SECONDS when records arrive.
            </Text>
          )}
        </figure>
      )}
    </Stack>
  );
});
