import { Alert, Badge, Button, Code, Group, Modal, Paper, Progress, SimpleGrid, Stack, Table, Text, TextInput, Tooltip, UnstyledButton } from '@mantine/core';
import { Fragment, useState } from 'react';
import { ErrorAlert } from '../../components/error-alert';
import { formatBytes, formatCount, formatDuration, utcTime } from '../streams/streams-model';
import { useReplayAction, type ReplayAction } from './replays-api';
import { canCancel, canPause, canResume, percentDone, shardHistogram, STATE_COLOR, type PlanSummary, type ReplayState, type ReplayView } from './replays-model';

export function StateBadge({ state, dryRun }: { state: ReplayState; dryRun?: boolean }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Badge color={STATE_COLOR[state]} variant={state === 'running' || state === 'planning' ? 'dot' : 'filled'} aria-label={`state: ${state}`}>
        {state}
      </Badge>
      {dryRun && (
        <Badge color="gray" variant="outline">
          dry run
        </Badge>
      )}
    </Group>
  );
}

/** The replay's progress bar with records done of selected; animated while it runs. */
export function ReplayProgressBar({ replay, size = 'lg' }: { replay: ReplayView; size?: 'sm' | 'lg' }) {
  const pct = percentDone(replay);
  const { put, failed, selected } = replay.progress;
  const failedPart = selected > 0 ? (failed / selected) * 100 : 0;
  return (
    <Stack gap={2} miw={180}>
      <Progress.Root size={size} aria-label={`${replay.source} to ${replay.target}: ${Math.floor(pct)} % done`}>
        <Progress.Section value={Math.max(0, pct - failedPart)} color={replay.state === 'failed' ? 'red' : replay.state === 'completed' ? 'teal' : 'blue'} animated={replay.state === 'running'} striped={replay.state === 'running'} />
        {failedPart > 0 && <Progress.Section value={failedPart} color="red" />}
      </Progress.Root>
      <Text size="xs" c="dimmed">
        {replay.state === 'planning' ? 'planning…' : `${formatCount(put)} of ${formatCount(selected)} records (${Math.floor(pct)} %)${failed ? ` · ${formatCount(failed)} failed` : ''}`}
      </Text>
    </Stack>
  );
}

export const rateText = (r: ReplayView) => (r.state === 'running' ? `${formatCount(Math.round(r.progress.ratePerSecond))} records/s` : '–');
export const etaText = (r: ReplayView) =>
  r.state === 'completed' || r.state === 'cancelled' || r.state === 'failed' || r.state === 'planned' ? '–' : r.progress.etaSeconds === null ? 'estimating…' : formatDuration(r.progress.etaSeconds * 1000);

const ACTION_TEXT: Record<ReplayAction, { label: string; title: string; body: string; color: string }> = {
  pause: { label: 'Pause', title: 'Pause this replay?', body: 'It stops after the records in flight and keeps its checkpoint; Resume goes on from there.', color: 'yellow' },
  resume: { label: 'Resume', title: 'Resume this replay?', body: 'It goes on from its checkpoint; nothing already acknowledged is written again.', color: 'blue' },
  cancel: { label: 'Cancel', title: 'Cancel this replay?', body: 'It stops for good. Records already written stay in the target stream. This cannot be undone.', color: 'red' },
};

/** Pause / Resume / Cancel, as the state allows, each after a confirmation that says what it does. */
export function ReplayActions({ replay, size = 'xs' }: { replay: ReplayView; size?: 'xs' | 'sm' }) {
  const [pending, setPending] = useState<ReplayAction | null>(null);
  const action = useReplayAction();
  const allowed: ReplayAction[] = [...(canPause(replay.state) ? (['pause'] as const) : []), ...(canResume(replay.state) ? (['resume'] as const) : []), ...(canCancel(replay.state) ? (['cancel'] as const) : [])];
  if (allowed.length === 0) return null;
  const close = () => {
    setPending(null);
    action.reset();
  };
  return (
    <>
      <Group gap={6} wrap="nowrap">
        {allowed.map((a) => (
          <Button key={a} size={size} variant={a === 'cancel' ? 'light' : 'default'} color={a === 'cancel' ? 'red' : undefined} onClick={() => setPending(a)} aria-label={`${ACTION_TEXT[a].label} replay ${replay.source} to ${replay.target}`}>
            {ACTION_TEXT[a].label}
          </Button>
        ))}
      </Group>
      <Modal opened={pending !== null} onClose={close} title={pending ? ACTION_TEXT[pending].title : ''} centered>
        {pending && (
          <Stack>
            <Text size="sm">
              {replay.source} → {replay.target} ({replay.id.slice(0, 8)}). {ACTION_TEXT[pending].body}
            </Text>
            {action.isError && <ErrorAlert error={action.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Keep as is
              </Button>
              <Button color={ACTION_TEXT[pending].color} loading={action.isPending} data-autofocus onClick={() => action.mutate({ id: replay.id, action: pending }, { onSuccess: close })}>
                {ACTION_TEXT[pending].label} replay
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}

function Stat({ label, value, hint }: { label: string; value: React.ReactNode; hint?: string }) {
  return (
    <Paper withBorder p="sm" role="group" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600} size="lg">
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

/** A plan: what a dry run found (and what every replay keeps): counts, keys, per-shard histogram, sample, ETA. */
export function PlanView({ plan, compacted }: { plan: PlanSummary; compacted: boolean }) {
  const [open, setOpen] = useState<number | null>(null);
  const shards = shardHistogram(plan.perShard);
  return (
    <Stack gap="md" aria-label="replay plan">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Stat label="Records" value={formatCount(plan.records)} hint={`${formatBytes(plan.bytes)} of data`} />
        <Stat label={compacted ? 'Distinct keys (compacted)' : 'Distinct keys'} value={formatCount(plan.distinctKeys)} hint={`${formatCount(plan.deletes)} deletes`} />
        <Stat label="Estimated duration" value={formatDuration(plan.estimatedSeconds * 1000)} hint="at the chosen pace and the target's capacity" />
        <Stat
          label="Read"
          value={`${formatCount(plan.objects)} ${plan.objects === 1 ? "object" : "objects"}`}
          hint={`+ ${formatCount(plan.liveRecords)} live records not archived yet · planned in ${formatDuration(plan.planningMs)}`}
        />
      </SimpleGrid>
      <Text size="sm">
        Arrival times {plan.firstArrivalTime ? `${utcTime(plan.firstArrivalTime)} to ${utcTime(plan.lastArrivalTime ?? plan.firstArrivalTime)}` : '–'}
      </Text>
      <div>
        <Text fw={600} mb={4}>
          Records per source shard
        </Text>
        {shards.length === 0 ? (
          <Text size="sm" c="dimmed">
            No records match: widen the time bounds or the filter.
          </Text>
        ) : (
          <Table aria-label="records per shard" verticalSpacing={4}>
            <Table.Tbody>
              {shards.map((s) => (
                <Table.Tr key={s.shardId}>
                  <Table.Td w={220}>
                    <Code>{s.shardId}</Code>
                  </Table.Td>
                  <Table.Td w={110} ta="right">
                    {formatCount(s.records)}
                  </Table.Td>
                  <Table.Td>
                    <Progress value={s.share * 100} size="lg" aria-label={`${s.shardId}: ${s.records} records`} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </div>
      {plan.sample.length > 0 && (
        <div>
          <Text fw={600} mb={4}>
            Sample: the first {plan.sample.length} records in the order they will be written
          </Text>
          <Table.ScrollContainer minWidth={700}>
            <Table striped aria-label="sample records" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Arrival (UTC)</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Op</Table.Th>
                  <Table.Th>Shard</Table.Th>
                  <Table.Th>Payload</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plan.sample.map((r, i) => (
                  <Fragment key={`${r.shardId}/${r.sequenceNumber}`}>
                    <Table.Tr>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.arrivalTime.replace('T', ' ').slice(0, 23)}</Table.Td>
                      <Table.Td>{r.key}</Table.Td>
                      <Table.Td>
                        <Badge size="sm" color={r.op === 'delete' ? 'red' : 'gray'} variant="light">
                          {r.op}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Tooltip label={`sequence ${r.sequenceNumber}`}>
                          <span>{r.shardId.replace(/^shardId-0*(?=\d)/, '#')}</span>
                        </Tooltip>
                      </Table.Td>
                      <Table.Td>
                        <UnstyledButton onClick={() => setOpen(open === i ? null : i)} aria-expanded={open === i} aria-label={`sample record ${i + 1}`}>
                          <Code style={{ display: 'block', maxWidth: 560, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{JSON.stringify(r.payload)}</Code>
                        </UnstyledButton>
                      </Table.Td>
                    </Table.Tr>
                    {open === i && (
                      <Table.Tr>
                        <Table.Td colSpan={5}>
                          <Code block>{JSON.stringify(r.payload, null, 2)}</Code>
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </div>
      )}
    </Stack>
  );
}

/** A modal asking to confirm a replay; when it writes into its own source, the stream's name must be typed. */
export function ConfirmReplayModal({
  opened,
  onClose,
  onConfirm,
  source,
  target,
  records,
  until,
  untilWasEmpty,
  typed,
  loading,
  error,
}: {
  opened: boolean;
  onClose: () => void;
  onConfirm: () => void;
  source: string;
  target: string;
  records: number;
  /** the upper bound the started replay is pinned to (pinToPlan), and whether the form left Until empty */
  until: string | null;
  untilWasEmpty: boolean;
  typed: boolean;
  loading: boolean;
  error: unknown;
}) {
  const [name, setName] = useState('');
  const ok = !typed || name.trim() === target;
  return (
    <Modal opened={opened} onClose={onClose} title="Start this replay?" centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) onConfirm();
        }}
      >
        <Stack>
          <Text size="sm">
            Writes the {formatCount(records)} records of this plan from <b>{source}</b> into <b>{target}</b>: the same window, up to the last record
            of each shard the preview read{untilWasEmpty && until ? ` (until ${utcTime(until)})` : ''}, so records arriving from now on are left out.
          </Text>
          <Text size="xs" c="dimmed">
            The coordinator reads this window again when it starts. The count can only differ if some of its records are gone from both the stream and the
            archive by then (retention); records Kinesis refuses are listed on the replay&apos;s page.
          </Text>
          {typed && (
            <>
              <Alert color="orange" title="The target is the source stream">
                Every consumer of {target} will receive these records again (as replay envelopes).
              </Alert>
              <TextInput label={`Type ${target} to confirm`} value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus autoComplete="off" />
            </>
          )}
          {Boolean(error) && <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Back
            </Button>
            <Button type="submit" disabled={!ok} loading={loading} data-autofocus={!typed || undefined}>
              Start replay
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
