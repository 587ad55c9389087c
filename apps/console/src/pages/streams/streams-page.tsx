import { Alert, Anchor, Code, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { errorMessage } from '../../api/api-error';
import { ServiceBanner } from '../../components/service-banner';
import { useArchiverStreams, useCatalogStreams } from './streams-api';
import { formatBytes, formatCount, mergeStreams } from './streams-model';
import { Ago, HealthBadge, LagText, RetentionMeter, useNow } from './stream-health';

/** `/streams`: every stream the catalog or the archiver knows, riskiest first. */
export default function StreamsPage() {
  const catalog = useCatalogStreams();
  const archiver = useArchiverStreams();
  const now = useNow();
  const rows = mergeStreams(catalog.data ?? [], archiver.data ?? [], archiver.isSuccess);
  const loading = catalog.isPending && archiver.isPending;

  return (
    <Stack gap="md">
      <ServiceBanner services={['catalog', 'archiver']} />
      <Group justify="space-between" align="baseline">
        <Title order={2}>Streams</Title>
        <Text size="sm" c="dimmed">
          Riskiest first · refreshed every 5 s · times in UTC
        </Text>
      </Group>
      {catalog.isError && (
        <Alert color="red" title="Catalog unavailable">
          {errorMessage(catalog.error)}. Archive totals and schemas are missing below.
        </Alert>
      )}
      {archiver.isError && (
        <Alert color="orange" title="Archiver unavailable">
          {errorMessage(archiver.error)}. Lag, shards and retention are unknown until it answers.
        </Alert>
      )}
      {loading ? (
        <Loader aria-label="loading streams" />
      ) : rows.length === 0 ? (
        <Paper withBorder p="lg">
          <Title order={4}>No streams yet</Title>
          <Text mt="xs">Streams appear here once the archiver reads one or the catalog has archived objects. Write some records into a Kinesis stream:</Text>
          <Code block mt="xs">
            npx fluxcap produce --stream orders --count 1000
          </Code>
          <Text mt="xs" size="sm" c="dimmed">
            The archiver archives the streams named in FLUX_ARCHIVER_STREAMS (in `fluxcap dev`: orders).
          </Text>
        </Paper>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover aria-label="streams">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Stream</Table.Th>
                <Table.Th>Health</Table.Th>
                <Table.Th>Shards</Table.Th>
                <Table.Th>Lag</Table.Th>
                <Table.Th>Oldest unarchived vs retention</Table.Th>
                <Table.Th>Archived records</Table.Th>
                <Table.Th>Size</Table.Th>
                <Table.Th>Archived through</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.name}>
                  <Table.Td>
                    <Anchor component={Link} to={`/streams/${encodeURIComponent(r.name)}`} fw={600}>
                      {r.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <HealthBadge health={r.health} />
                  </Table.Td>
                  <Table.Td>{r.archiver?.shardCount ?? '–'}</Table.Td>
                  <Table.Td>
                    <LagText ms={r.archiver?.maxMillisBehindLatest ?? null} />
                  </Table.Td>
                  <Table.Td>
                    {r.archiver ? (
                      <RetentionMeter ageMs={r.archiver.oldestUnarchivedAgeMs} retentionHours={r.archiver.retentionHours} share={r.retentionShare} atRisk={r.archiver.atRisk} />
                    ) : (
                      <Text size="sm" c="dimmed">
                        {archiver.isSuccess ? 'no archiver reports it' : 'unknown'}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{formatCount(r.catalog?.recordCount)}</Table.Td>
                  <Table.Td>{formatBytes(r.catalog?.bytes)}</Table.Td>
                  <Table.Td>
                    <Ago at={r.catalog?.lastArrivalTime ?? null} now={now} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
