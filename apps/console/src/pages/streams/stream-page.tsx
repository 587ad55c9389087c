import { Alert, Anchor, Breadcrumbs, Button, Group, Paper, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router';
import { errorMessage } from '../../api/api-error';
import { ServiceBanner } from '../../components/service-banner';
import { useArchiverStreams, useCatalogStreams } from './streams-api';
import { formatBytes, formatCount, mergeStreams, searchSqlFor } from './streams-model';
import { Ago, HealthBadge, LagText, RetentionMeter, useNow } from './stream-health';
import { StreamActivityTab } from './stream-activity-tab';
import { StreamPartitionsTab } from './stream-partitions-tab';
import { StreamSchemaTab } from './stream-schema-tab';
import { StreamShardsTab } from './stream-shards-tab';
import { StreamTailTab } from './stream-tail-tab';

const TABS = ['shards', 'activity', 'partitions', 'schema', 'tail'] as const;
type Tab = (typeof TABS)[number];

/** `/streams/:name?tab=`: one stream's health, archive activity, partitions, schema and live tail; the tab is in the URL. */
export default function StreamPage() {
  const name = useParams().name ?? '';
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'shards';
  const catalog = useCatalogStreams();
  const archiver = useArchiverStreams();
  const now = useNow();
  const row = mergeStreams(catalog.data ?? [], archiver.data ?? [], archiver.isSuccess).find((r) => r.name === name);
  // Only when both answered can we say neither knows it (a stream may be in Kinesis but not archived yet).
  const known = !(catalog.isSuccess && archiver.isSuccess) || row !== undefined;
  const searchHref = `/search?${new URLSearchParams({ stream: name, sql: searchSqlFor(name) })}`;

  return (
    <Stack gap="md">
      <ServiceBanner services={['catalog', 'archiver', 'query']} />
      <Breadcrumbs>
        <Anchor component={Link} to="/streams">
          Streams
        </Anchor>
        <Text>{name}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="center">
        <Group gap="sm">
          <Title order={2}>{name}</Title>
          {row && <HealthBadge health={row.health} />}
        </Group>
        <Group gap="xs">
          <Button component={Link} to={searchHref} variant="default">
            Search
          </Button>
          <Button component={Link} to={`/replays/new?${new URLSearchParams({ source: name })}`}>Replay</Button>
        </Group>
      </Group>
      {!known && (
        <Alert color="yellow" title="Not archived">
          Neither the catalog nor the archiver knows a stream named {name}; its live tail still shows what is in Kinesis.{' '}
          <Anchor component={Link} to="/streams" inherit>
            See all streams
          </Anchor>
        </Alert>
      )}
      {(catalog.isError || archiver.isError) && (
        <Alert color="orange">
          {[catalog.isError && `Catalog: ${errorMessage(catalog.error)}`, archiver.isError && `Archiver: ${errorMessage(archiver.error)}`].filter(Boolean).join(' · ')}
        </Alert>
      )}
      {row && (
        <SimpleGrid cols={{ base: 2, md: 5 }} spacing="sm">
          <Stat label="Shards">{row.archiver?.shardCount ?? '–'}</Stat>
          <Stat label="Lag (slowest shard)">
            <LagText ms={row.archiver?.maxMillisBehindLatest ?? null} />
          </Stat>
          <Stat label="Oldest unarchived">
            {row.archiver ? (
              <RetentionMeter ageMs={row.archiver.oldestUnarchivedAgeMs} retentionHours={row.archiver.retentionHours} share={row.retentionShare} atRisk={row.archiver.atRisk} />
            ) : (
              '–'
            )}
          </Stat>
          <Stat label="Archived">
            {formatCount(row.catalog?.recordCount)} records · {formatBytes(row.catalog?.bytes)}
          </Stat>
          <Stat label="Archived through">
            <Ago at={row.catalog?.lastArrivalTime ?? null} now={now} />
          </Stat>
        </SimpleGrid>
      )}
      <Tabs value={tab} onChange={(t) => setParams((p) => (p.set('tab', t ?? 'shards'), p), { replace: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="shards">Shards</Tabs.Tab>
          <Tabs.Tab value="activity">Activity</Tabs.Tab>
          <Tabs.Tab value="partitions">Partitions</Tabs.Tab>
          <Tabs.Tab value="schema">Schema</Tabs.Tab>
          <Tabs.Tab value="tail">Live tail</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="shards" pt="md">
          <StreamShardsTab stream={name} now={now} />
        </Tabs.Panel>
        <Tabs.Panel value="activity" pt="md">
          <StreamActivityTab stream={name} />
        </Tabs.Panel>
        <Tabs.Panel value="partitions" pt="md">
          <StreamPartitionsTab stream={name} />
        </Tabs.Panel>
        <Tabs.Panel value="schema" pt="md">
          <StreamSchemaTab stream={name} />
        </Tabs.Panel>
        <Tabs.Panel value="tail" pt="md">
          <StreamTailTab stream={name} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <div>{children}</div>
    </Paper>
  );
}
