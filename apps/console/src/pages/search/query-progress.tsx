import { Badge, Group, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { isFinished, type QueryStatus } from '../../api/query-api';
import { formatSize } from './record-bytes';
import { STATE_COLORS } from './query-history';

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;

/** State, elapsed time and what the query has scanned so far (archive objects, rows, bytes, live records). */
export function QueryProgressLine({ status }: { status: QueryStatus }) {
  const [now, setNow] = useState(() => Date.now());
  const running = !isFinished(status.state);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [running]);
  const start = Date.parse(status.submittedAt);
  const end = status.finishedAt ? Date.parse(status.finishedAt) : now;
  const p = status.progress;
  const parts = [
    p.objectsTotal > 0 ? `${p.objectsScanned}/${p.objectsTotal} objects` : null,
    p.rowsScanned > 0 ? `${p.rowsScanned.toLocaleString()} rows scanned` : null,
    p.bytesScanned > 0 ? formatSize(p.bytesScanned) : null,
    p.liveRecords > 0 ? `${p.liveRecords.toLocaleString()} live records` : null,
    status.state === 'succeeded' && status.rowCount !== undefined ? `${status.rowCount.toLocaleString()} result rows` : null,
  ].filter(Boolean);
  return (
    <Group gap="xs" wrap="nowrap" role="status" aria-live="polite" aria-label="Query status">
      <Badge color={STATE_COLORS[status.state]} variant="light">
        {status.state}
      </Badge>
      <Text size="sm" c="dimmed">
        {seconds(end - start)}
        {parts.length ? ` · ${parts.join(' · ')}` : ''}
      </Text>
    </Group>
  );
}
