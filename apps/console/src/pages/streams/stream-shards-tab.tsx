import { Alert, Code, Table, Text, Tooltip } from '@mantine/core';
import { errorMessage } from '../../api/api-error';
import { useShards } from './streams-api';
import { formatDuration, shardRows, utcTime } from './streams-model';
import { Ago, HealthBadge, LagText, RetentionMeter } from './stream-health';

/** Per shard: owner, lag, oldest unarchived age against retention, and how fresh its status is. */
export function StreamShardsTab({ stream, now }: { stream: string; now: number }) {
  const shards = useShards(stream);
  if (shards.isPending) return <Text c="dimmed">Loading shards…</Text>;
  if (shards.isError) {
    const notArchived = (shards.error as { code?: string }).code === 'STREAM_NOT_ARCHIVED';
    return (
      <Alert color={notArchived ? 'gray' : 'red'} title={notArchived ? 'No archiver reads this stream' : 'Shards unavailable'}>
        {notArchived ? (
          <>
            Add it to FLUX_ARCHIVER_STREAMS of an archiver to archive it; until then only its archived history (if any) and its live tail are shown.
          </>
        ) : (
          errorMessage(shards.error)
        )}
      </Alert>
    );
  }
  const rows = shardRows(shards.data.shards, shards.data.retentionHours, now);
  if (rows.length === 0) return <Text c="dimmed">The archiver has not claimed any shard of {stream} yet; it looks for shards every lease heartbeat (10 s by default).</Text>;
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped aria-label="shards">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Shard</Table.Th>
            <Table.Th>Health</Table.Th>
            <Table.Th>Owner</Table.Th>
            <Table.Th>Lag</Table.Th>
            <Table.Th>Oldest unarchived vs retention</Table.Th>
            <Table.Th>Checkpoint</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((s) => (
            <Table.Tr key={s.shardId}>
              <Table.Td>
                <Code>{s.shardId}</Code>
              </Table.Td>
              <Table.Td>
                <HealthBadge health={s.health} />
              </Table.Td>
              <Table.Td>{s.owner ?? <Text span c="dimmed">unowned</Text>}</Table.Td>
              <Table.Td>
                <LagText ms={s.millisBehindLatest} />
              </Table.Td>
              <Table.Td>
                <RetentionMeter ageMs={s.oldestUnarchivedAgeMs} retentionHours={shards.data.retentionHours} share={s.retentionShare} atRisk={s.atRisk} />
              </Table.Td>
              <Table.Td>
                {s.checkpointSequence ? (
                  <Tooltip label={s.checkpointSequence}>
                    <Code>…{s.checkpointSequence.slice(-12)}</Code>
                  </Tooltip>
                ) : (
                  <Text span c="dimmed">none yet</Text>
                )}
              </Table.Td>
              <Table.Td>
                {s.health === 'stale' || s.silentSince !== null ? (
                  <Text span size="sm" c="orange" fw={600}>
                    {s.silentSince ? (
                      `no heartbeat since ${utcTime(s.silentSince)} (${formatDuration(now - Date.parse(s.silentSince))} ago)`
                    ) : (
                      'no heartbeat yet'
                    )}
                  </Text>
                ) : (
                  <Text span size="sm">
                    updated <Ago at={s.statusUpdatedAt} now={now} />
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
