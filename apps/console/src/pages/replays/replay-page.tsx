import { Alert, Anchor, Breadcrumbs, Button, Code, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../../components/error-alert';
import { ServiceBanner } from '../../components/service-banner';
import { formatBytes, formatCount, formatDuration, searchSqlFor, utcTime } from '../streams/streams-model';
import { useReplay, useReplayAudit } from './replays-api';
import { etaText, PlanView, rateText, ReplayActions, ReplayProgressBar, StateBadge } from './replay-parts';
import { percentDone, shardHistogram, type ReplayView } from './replays-model';

/** `/replays/:id`: a replay's state, progress, plan, spec, failures and audit trail, polled while it is active. */
export default function ReplayPage() {
  const id = useParams().id ?? '';
  const replay = useReplay(id);
  const audit = useReplayAudit(id, replay.data?.state);
  const r = replay.data;

  return (
    <Stack gap="md">
      <ServiceBanner services={['replay']} />
      <Breadcrumbs>
        <Anchor component={Link} to="/replays">
          Replays
        </Anchor>
        <Text>{id.slice(0, 8)}</Text>
      </Breadcrumbs>
      {replay.isError && <ErrorAlert error={replay.error} title={(replay.error as { code?: string }).code === 'REPLAY_NOT_FOUND' ? 'No such replay' : undefined} onRetry={() => void replay.refetch()} />}
      {r && (
        <>
          <Group justify="space-between">
            <Group gap="sm">
              <Title order={2}>
                {r.source} → {r.target}
              </Title>
              <StateBadge state={r.state} dryRun={r.dryRun} />
            </Group>
            <Group gap="xs">
              <ReplayActions replay={r} size="sm" />
              <Button component={Link} to={`/replays/new?like=${r.id}`} variant="default" size="sm">
                {r.dryRun ? 'Edit and run' : 'Replay again…'}
              </Button>
              <Button component={Link} to={`/search?${new URLSearchParams({ stream: r.target, sql: searchSqlFor(r.target) })}`} variant="default" size="sm">
                Search the target
              </Button>
            </Group>
          </Group>
          {r.error && (
            <Alert color={r.state === 'failed' ? 'red' : 'yellow'} title={r.state === 'failed' ? 'The replay failed' : 'Waiting'}>
              <Text size="sm">{r.error.message}</Text>
              <Text size="xs" c="dimmed">
                {r.error.code}
                {r.state === 'failed' ? ' · records already written stay written; Replay again starts a new replay with the same spec' : ''}
              </Text>
            </Alert>
          )}
          {!r.dryRun && <ProgressSection r={r} />}
          {r.plan ? (
            <Paper withBorder p="md">
              <Title order={4} mb="sm">
                Plan
              </Title>
              <PlanView plan={r.plan} compacted={r.spec.compact !== null} />
            </Paper>
          ) : (
            r.state === 'planning' && <Text c="dimmed">Planning: reading the archive and the live tail…</Text>
          )}
          <SpecSection r={r} />
          {r.failures.length > 0 && (
            <Paper withBorder p="md">
              <Title order={4} mb="sm">
                Records Kinesis refused ({r.failures.length})
              </Title>
              <Table aria-label="failed records">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>Key</Table.Th>
                    <Table.Th>Error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.failures.map((f) => (
                    <Table.Tr key={f.ordinal}>
                      <Table.Td>{f.ordinal}</Table.Td>
                      <Table.Td>{f.partitionKey}</Table.Td>
                      <Table.Td>
                        {f.errorCode}: {f.message}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          )}
          <Paper withBorder p="md">
            <Title order={4} mb="sm">
              Audit trail
            </Title>
            {audit.isError && <ErrorAlert error={audit.error} />}
            <Table aria-label="audit trail" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When (UTC)</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(audit.data ?? []).map((e, i) => (
                  <Table.Tr key={i}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{typeof e.at === 'string' ? utcTime(e.at) : ''}</Table.Td>
                    <Table.Td>{String(e.actor ?? '')}</Table.Td>
                    <Table.Td>
                      <Text fw={600} size="sm">
                        {String(e.action ?? '')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <AuditDetail detail={e.detail} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        </>
      )}
    </Stack>
  );
}

function ProgressSection({ r }: { r: ReplayView }) {
  const shards = r.plan ? shardHistogram(r.plan.perShard) : [];
  const done = percentDone(r);
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        Progress
      </Title>
      <ReplayProgressBar replay={r} />
      <SimpleGrid cols={{ base: 2, md: 5 }} mt="sm" spacing="sm">
        <Fact label="Written" value={`${formatCount(r.progress.put)} records`} hint={formatBytes(r.progress.bytesPut)} />
        <Fact label="Failed" value={formatCount(r.progress.failed)} />
        <Fact label="Rate" value={rateText(r)} />
        <Fact label="ETA" value={etaText(r)} />
        <Fact
          label={r.finishedAt ? 'Took' : 'Running for'}
          value={r.startedAt ? formatDuration((r.finishedAt ? Date.parse(r.finishedAt) : Date.now()) - Date.parse(r.startedAt)) : '–'}
          hint={r.startedAt ? `started ${utcTime(r.startedAt)}` : `created ${utcTime(r.createdAt)} by ${r.createdBy}`}
        />
      </SimpleGrid>
      {shards.length > 0 && (
        <>
          <Text fw={600} mt="md" mb={4}>
            Per source shard
          </Text>
          <Text size="xs" c="dimmed" mb={4}>
            The coordinator reports progress for the whole replay; records are written in arrival order across shards, so each shard's part is estimated from it (≈).
          </Text>
          <Table aria-label="progress per shard" verticalSpacing={4}>
            <Table.Tbody>
              {shards.map((s) => {
                const written = Math.round((s.records * done) / 100);
                return (
                  <Table.Tr key={s.shardId}>
                    <Table.Td w={220}>
                      <Code>{s.shardId}</Code>
                    </Table.Td>
                    <Table.Td w={200}>
                      ≈ {formatCount(written)} of {formatCount(s.records)}
                    </Table.Td>
                    <Table.Td>
                      <Progress value={done} color={r.state === 'completed' ? 'teal' : 'blue'} aria-label={`${s.shardId}: about ${Math.floor(done)} % written`} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Paper>
  );
}

function Fact({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
}

function SpecSection({ r }: { r: ReplayView }) {
  const s = r.spec;
  const pace = s.pace.mode === 'max' ? `as fast as the target allows${s.pace.reserve !== undefined ? `, leaving ${Math.round(s.pace.reserve * 100)} % to live producers` : ''}` : s.pace.mode === 'rate' ? `${s.pace.recordsPerSecond} records/s` : `original spacing × ${s.pace.factor}`;
  const rows: [string, React.ReactNode][] = [
    ['Source', <Anchor key="s" component={Link} to={`/streams/${encodeURIComponent(s.source)}`}>{s.source}</Anchor>],
    ['Target', <Anchor key="t" component={Link} to={`/streams/${encodeURIComponent(s.target)}`}>{s.target}</Anchor>],
    [
      'Arrival times',
      `${s.from ? utcTime(s.from) : 'the oldest archived'} to ${s.until ? utcTime(s.until) : 'when it started'}${s.untilSequence && Object.keys(s.untilSequence).length ? `; in ${Object.keys(s.untilSequence).length} shards up to the last record its preview saw` : ''}`,
    ],
    ['Filter', s.where ? <Code key="w">{s.where}</Code> : 'none'],
    ['Compaction', s.compact ? <span key="c">latest per <Code>{s.compact.key}</Code>; deletes {s.compact.deletes === 'drop' ? 'left out' : 'replayed'} (tombstone <Code>{s.compact.tombstone}</Code>)</span> : 'none'],
    ['Annotations', Object.keys(s.annotations).length ? Object.entries(s.annotations).map(([k, v]) => `${k}=${v}`).join(', ') : 'none'],
    ['Pace', pace],
    ['Format', s.format],
  ];
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        Spec
      </Title>
      <Table aria-label="replay spec" verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th w={160}>{k}</Table.Th>
              <Table.Td>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function AuditDetail({ detail }: { detail: unknown }) {
  if (!detail || typeof detail !== 'object' || Object.keys(detail).length === 0) return null;
  const text = JSON.stringify(detail);
  return (
    <details>
      <summary style={{ cursor: 'pointer' }}>
        <Text span size="xs" ff="monospace">
          {text.length > 100 ? `${text.slice(0, 100)}…` : text}
        </Text>
      </summary>
      <Code block>{JSON.stringify(detail, null, 2)}</Code>
    </details>
  );
}
