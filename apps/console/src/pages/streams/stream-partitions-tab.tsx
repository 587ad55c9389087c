import { Alert, Code, Group, Pagination, Stack, Table, Text } from '@mantine/core';
import { memo, useState } from 'react';
import { errorMessage } from '../../api/api-error';
import { usePartitions } from './streams-api';
import { formatBytes, formatCount } from './streams-model';

const PAGE = 50;

/** The stream's dt/hour partitions, newest first. */
// memo: the stream page re-renders every second for its "ago" texts; this tab does not need to.
export const StreamPartitionsTab = memo(function StreamPartitionsTab({ stream }: { stream: string }) {
  const partitions = usePartitions(stream);
  const [page, setPage] = useState(1);
  if (partitions.isPending) return <Text c="dimmed">Loading partitions…</Text>;
  if (partitions.isError) {
    const none = (partitions.error as { code?: string }).code === 'STREAM_NOT_FOUND';
    return <Alert color={none ? 'gray' : 'red'}>{none ? 'No partitions yet: nothing of this stream has been archived.' : errorMessage(partitions.error)}</Alert>;
  }
  const rows = [...partitions.data].reverse();
  if (rows.length === 0) return <Text c="dimmed">No partitions yet: nothing of this stream has been archived.</Text>;
  const pages = Math.ceil(rows.length / PAGE);
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={700}>
        <Table striped aria-label="partitions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Hour (UTC)</Table.Th>
              <Table.Th>Objects</Table.Th>
              <Table.Th>Records</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Location</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice((page - 1) * PAGE, page * PAGE).map((p) => (
              <Table.Tr key={`${p.location}`}>
                <Table.Td>
                  {p.dt} {String(p.hour).padStart(2, '0')}:00
                </Table.Td>
                <Table.Td>{formatCount(p.objectCount)}</Table.Td>
                <Table.Td>{formatCount(p.recordCount)}</Table.Td>
                <Table.Td>{formatBytes(p.bytes)}</Table.Td>
                <Table.Td>
                  <Code>{p.location}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {rows.length} partitions
        </Text>
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} size="sm" />}
      </Group>
    </Stack>
  );
});
