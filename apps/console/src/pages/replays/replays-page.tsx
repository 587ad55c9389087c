import { Anchor, Button, Checkbox, Code, Group, Loader, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../components/error-alert';
import { ServiceBanner } from '../../components/service-banner';
import { formatDuration } from '../streams/streams-model';
import { useReplays } from './replays-api';
import { etaText, rateText, ReplayActions, ReplayProgressBar, StateBadge } from './replay-parts';
import type { ReplayState } from './replays-model';

const STATES: ReplayState[] = ['planning', 'running', 'paused', 'completed', 'failed', 'cancelled', 'planned'];

/** `/replays`: newest first, live progress, rate and ETA, with pause / resume / cancel. Filters are in the URL. */
export default function ReplaysPage() {
  const [params, setParams] = useSearchParams();
  const state = STATES.includes(params.get('state') as ReplayState) ? (params.get('state') as ReplayState) : null;
  const showDryRuns = params.get('dryRuns') !== '0';
  const replays = useReplays(state);
  const items = (replays.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => showDryRuns || !r.dryRun);
  const now = Date.now();

  return (
    <Stack gap="md">
      <ServiceBanner services={['replay']} />
      <Group justify="space-between">
        <Title order={2}>Replays</Title>
        <Button component={Link} to="/replays/new">
          New replay
        </Button>
      </Group>
      <Group gap="md" align="end">
        <Select
          label="State"
          w={180}
          value={state ?? 'all'}
          data={[{ value: 'all', label: 'All states' }, ...STATES.map((s) => ({ value: s, label: s === 'planned' ? 'planned (dry runs)' : s }))]}
          onChange={(v) => setParams((p) => (v && v !== 'all' ? p.set('state', v) : p.delete('state'), p), { replace: true })}
          allowDeselect={false}
        />
        <Checkbox mb={8} label="Show dry runs" checked={showDryRuns} onChange={(e) => setParams((p) => (e.currentTarget.checked ? p.delete('dryRuns') : p.set('dryRuns', '0'), p), { replace: true })} />
      </Group>
      {replays.isError && <ErrorAlert error={replays.error} onRetry={() => void replays.refetch()} />}
      {replays.isPending ? (
        <Loader aria-label="loading replays" />
      ) : items.length === 0 && !replays.isError ? (
        <Paper withBorder p="lg">
          <Title order={4}>{state ? `No ${state} replays` : 'No replays yet'}</Title>
          <Text mt="xs">
            A replay writes archived records back into a stream: filtered, compacted to the latest record per key, paced. Start with a dry run to see what it would write.
          </Text>
          <Group mt="md">
            <Button component={Link} to="/replays/new">
              New replay
            </Button>
            <Text size="sm" c="dimmed">
              or from the command line: <Code>npx fluxcap replay start --source orders --target orders-replay --dry-run</Code>
            </Text>
          </Group>
        </Paper>
      ) : (
        <Table.ScrollContainer minWidth={1000}>
          <Table striped highlightOnHover aria-label="replays" verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>State</Table.Th>
                <Table.Th>Replay</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Progress</Table.Th>
                <Table.Th>Rate</Table.Th>
                <Table.Th>ETA</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <StateBadge state={r.state} dryRun={r.dryRun} />
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/replays/${r.id}`} fw={600}>
                      {r.source} → {r.target}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {r.id.slice(0, 8)}
                      {r.spec.compact ? ' · compacted' : ''}
                      {r.spec.where ? ' · filtered' : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDuration(now - Date.parse(r.createdAt))} ago</Text>
                    <Text size="xs" c="dimmed">
                      by {r.createdBy}
                    </Text>
                  </Table.Td>
                  <Table.Td>{r.dryRun ? <Text size="sm">{r.plan ? `${r.plan.records.toLocaleString('en-US')} records planned` : 'planning…'}</Text> : <ReplayProgressBar replay={r} size="sm" />}</Table.Td>
                  <Table.Td>{rateText(r)}</Table.Td>
                  <Table.Td>{etaText(r)}</Table.Td>
                  <Table.Td>
                    <ReplayActions replay={r} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {replays.hasNextPage && (
        <Button variant="default" onClick={() => void replays.fetchNextPage()} loading={replays.isFetchingNextPage} w="fit-content">
          Load older replays
        </Button>
      )}
    </Stack>
  );
}
