import { Alert, Anchor, Autocomplete, Button, Divider, Group, Kbd, Loader, NumberInput, Paper, SegmentedControl, SimpleGrid, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/api-error';
import { ErrorAlert } from '../../components/error-alert';
import { ServiceBanner } from '../../components/service-banner';
import { useArchiverStreams, useCatalogStreams } from '../streams/streams-api';
import { useCreateReplay, useReplay } from './replays-api';
import { ConfirmReplayModal, PlanView, StateBadge } from './replay-parts';
import { EMPTY_FORM, fieldErrorsOf, needsTypedConfirmation, pinToPlan, specToForm, toReplayRequest, type FieldErrors, type ReplayFormValues } from './replays-model';

const HOUR = 3_600_000;
const toLocal = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/**
 * `/replays/new?source=&target=&where=&from=&until=&like=<replay id>`: the replay form. It always runs the dry run
 * first and shows its plan; only a plan of exactly the form as it stands can be started, after a confirmation (typing
 * the stream's name when the replay writes into its own source).
 */
export default function NewReplayPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const like = useReplay(params.get('like'));
  const [values, setValues] = useState<ReplayFormValues>(() => ({
    ...EMPTY_FORM,
    source: params.get('source') ?? '',
    target: params.get('target') ?? '',
    where: params.get('where') ?? '',
    from: params.get('from') ?? '',
    until: params.get('until') ?? '',
  }));
  const filledFromLike = useRef(false);
  useEffect(() => {
    if (like.data && !filledFromLike.current) {
      filledFromLike.current = true;
      setValues(specToForm(like.data.spec));
    }
  }, [like.data]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [dryRunId, setDryRunId] = useState<string | null>(null);
  const [plannedFor, setPlannedFor] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const create = useCreateReplay();
  const start = useCreateReplay();
  const dryRun = useReplay(dryRunId);
  const catalog = useCatalogStreams();
  const archiver = useArchiverStreams();
  const streamNames = useMemo(() => [...new Set([...(catalog.data ?? []).map((s) => s.name), ...(archiver.data ?? []).map((s) => s.stream)])].sort(), [catalog.data, archiver.data]);

  const request = toReplayRequest(values, false);
  const currentKey = 'body' in request ? JSON.stringify(request.body) : null;
  const plan = dryRun.data?.state === 'planned' ? dryRun.data.plan : null;
  const planIsCurrent = plan !== null && plannedFor === currentKey;
  const target = values.target.trim() || values.source.trim();

  const set = <K extends keyof ReplayFormValues>(key: K, value: ReplayFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined, form: undefined }));
  };

  const showApiError = (err: unknown) => {
    if (err instanceof ApiError && err.status >= 400 && err.status < 500) setErrors(fieldErrorsOf({ code: err.code, detail: err.detail, status: err.status }));
    else setErrors({ form: err instanceof Error ? err.message : String(err) });
  };

  const preview = () => {
    const dry = toReplayRequest(values, true);
    if ('errors' in dry) {
      setErrors(dry.errors);
      return;
    }
    setErrors({});
    create.mutate(dry.body, {
      onSuccess: (view) => {
        setDryRunId(view.id);
        setPlannedFor(currentKey);
      },
      onError: showApiError,
    });
  };

  // Starting plans again at the coordinator: the request is pinned to the previewed plan's bounds, so it writes what
  // the plan showed and not also what arrived since.
  const startBody = 'body' in request && planIsCurrent && dryRun.data ? pinToPlan(request.body, dryRun.data) : null;

  const confirm = () => {
    if (!startBody) return;
    start.mutate(startBody, { onSuccess: (view) => void navigate(`/replays/${view.id}`), onError: (err) => (err instanceof ApiError && err.status === 400 ? (setConfirming(false), showApiError(err)) : undefined) });
  };

  const preset = (hours: number | null) => {
    set('from', hours === null ? '' : toLocal(Date.now() - hours * HOUR));
    set('until', '');
  };

  return (
    <Stack gap="md" maw={1100}>
      <ServiceBanner services={['replay']} />
      <Group justify="space-between">
        <Title order={2}>New replay</Title>
        <Anchor component={Link} to="/replays">
          All replays
        </Anchor>
      </Group>
      <form
        aria-label="replay"
        onSubmit={(e) => {
          e.preventDefault();
          preview();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
            e.preventDefault();
            preview();
          }
        }}
      >
        <Stack gap="md">
          <Paper withBorder p="md">
            <Text fw={600} mb="xs">
              1. What to replay
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Autocomplete
                label="Source stream"
                description="Its archive plus the live records not archived yet"
                data={streamNames}
                value={values.source}
                onChange={(v) => set('source', v)}
                error={errors.source}
                required
                data-autofocus
              />
              <Autocomplete
                label="Target stream"
                description="Where the records are written; empty = the source itself"
                placeholder={values.source || 'same as source'}
                data={streamNames}
                value={values.target}
                onChange={(v) => set('target', v)}
                error={errors.target}
              />
              <TextInput type="datetime-local" label="From (UTC)" description="Arrival time, inclusive; empty = the oldest archived" value={values.from} onChange={(e) => set('from', e.currentTarget.value)} error={errors.from} />
              <TextInput type="datetime-local" label="Until (UTC)" description="Inclusive; empty = up to when the replay starts" value={values.until} onChange={(e) => set('until', e.currentTarget.value)} error={errors.until} />
            </SimpleGrid>
            <Group gap="xs" mt="xs">
              <Text size="sm" c="dimmed">
                Quick range:
              </Text>
              <Button size="compact-xs" variant="default" onClick={() => preset(1)}>
                Last hour
              </Button>
              <Button size="compact-xs" variant="default" onClick={() => preset(24)}>
                Last 24 h
              </Button>
              <Button size="compact-xs" variant="default" onClick={() => preset(null)}>
                Everything
              </Button>
            </Group>
            <Textarea
              mt="sm"
              label="Filter (SQL condition)"
              description="Over the stream table's columns: partition_key, shard_id, arrival_time, data, payload (JSON: payload->>'field')"
              placeholder="(payload->>'type') = 'order.paid'"
              autosize
              minRows={2}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              value={values.where}
              onChange={(e) => set('where', e.currentTarget.value)}
              error={errors.where}
            />
            <Group mt="sm" align="end" gap="md">
              <Switch label="Key compaction: only the latest record per key" checked={values.compact} onChange={(e) => set('compact', e.currentTarget.checked)} />
              {values.compact && (
                <>
                  <TextInput
                    label="Compaction key"
                    description="A column or expression, e.g. payload->>'orderId'"
                    value={values.compactKey}
                    onChange={(e) => set('compactKey', e.currentTarget.value)}
                    error={errors.compactKey}
                    styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                    w={320}
                  />
                  <TextInput
                    label="Delete condition"
                    description="SQL condition marking a record as a delete; empty = empty data"
                    placeholder="(payload->>'type') = 'order.deleted'"
                    value={values.tombstone}
                    onChange={(e) => set('tombstone', e.currentTarget.value)}
                    error={errors.tombstone}
                    styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                    w={360}
                  />
                  <div>
                    <Text size="sm" fw={500} id="deletes-label">
                      Deletes
                    </Text>
                    <SegmentedControl
                      aria-labelledby="deletes-label"
                      value={values.deletes}
                      onChange={(v) => set('deletes', v as 'replay' | 'drop')}
                      data={[
                        { value: 'replay', label: 'Replay them' },
                        { value: 'drop', label: 'Leave them out' },
                      ]}
                    />
                  </div>
                </>
              )}
            </Group>
          </Paper>
          <Paper withBorder p="md">
            <Text fw={600} mb="xs">
              2. How to write it
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <Stack gap={6}>
                <Text size="sm" fw={500} id="pace-label">
                  Pace
                </Text>
                <SegmentedControl
                  aria-labelledby="pace-label"
                  value={values.paceMode}
                  onChange={(v) => set('paceMode', v as ReplayFormValues['paceMode'])}
                  data={[
                    { value: 'max', label: 'As fast as the target allows' },
                    { value: 'rate', label: 'Fixed rate' },
                    { value: 'original', label: 'Original spacing' },
                  ]}
                />
                {values.paceMode === 'max' && (
                  <NumberInput
                    label="Capacity left to live producers (%)"
                    placeholder="default (FLUX_REPLAY_RESERVE_SHARE)"
                    min={0}
                    max={95}
                    value={values.reservePercent}
                    onChange={(v) => set('reservePercent', String(v))}
                    error={errors.reservePercent ?? errors.paceMode}
                  />
                )}
                {values.paceMode === 'rate' && (
                  <NumberInput label="Records per second" min={1} value={values.recordsPerSecond} onChange={(v) => set('recordsPerSecond', String(v))} error={errors.recordsPerSecond ?? errors.paceMode} />
                )}
                {values.paceMode === 'original' && (
                  <NumberInput label="Speed-up factor" description="1 = as they arrived, 10 = ten times faster" min={0.001} value={values.factor} onChange={(v) => set('factor', String(v))} error={errors.factor ?? errors.paceMode} />
                )}
              </Stack>
              <Stack gap={6}>
                <Textarea
                  label="Annotations"
                  description="key=value, one a line; carried in every record's envelope (forceOverwrite=true is understood by the SDK)"
                  placeholder={'forceOverwrite=true\nticket=OPS-123'}
                  autosize
                  minRows={2}
                  value={values.annotations}
                  onChange={(e) => set('annotations', e.currentTarget.value)}
                  error={errors.annotations}
                />
                <div>
                  <Text size="sm" fw={500} id="format-label">
                    Format
                  </Text>
                  <SegmentedControl
                    aria-labelledby="format-label"
                    value={values.format}
                    onChange={(v) => set('format', v as 'envelope' | 'raw')}
                    data={[
                      { value: 'envelope', label: 'Envelope (provenance, annotations)' },
                      { value: 'raw', label: 'Raw bytes' },
                    ]}
                  />
                  {errors.format && (
                    <Text size="xs" c="red" mt={4}>
                      {errors.format}
                    </Text>
                  )}
                </div>
              </Stack>
            </SimpleGrid>
          </Paper>
          {errors.form && <ErrorAlert error={errors.form} title="The replay coordinator refused the request" />}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Preview plan (dry run)
            </Button>
            <Text size="sm" c="dimmed">
              <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> · nothing is written until you start the replay
            </Text>
          </Group>
        </Stack>
      </form>

      {dryRunId && (
        <Paper withBorder p="md" aria-live="polite">
          <Group justify="space-between" mb="sm">
            <Group gap="sm">
              <Title order={3}>3. Plan</Title>
              {dryRun.data && <StateBadge state={dryRun.data.state} dryRun />}
            </Group>
            {planIsCurrent && (
              <Button onClick={() => setConfirming(true)} color="teal">
                Start replay…
              </Button>
            )}
          </Group>
          {dryRun.isError && <ErrorAlert error={dryRun.error} onRetry={() => void dryRun.refetch()} />}
          {dryRun.data?.state === 'planning' && (
            <Group gap="sm">
              <Loader size="sm" />
              <Text size="sm">Planning: reading the archive and the live tail…</Text>
            </Group>
          )}
          {dryRun.data?.error && (
            <Alert color={dryRun.data.state === 'failed' ? 'red' : 'yellow'} title={dryRun.data.state === 'failed' ? 'The plan failed' : 'Planning is waiting'} mt="sm">
              {dryRun.data.error.message} ({dryRun.data.error.code})
            </Alert>
          )}
          {plan && !planIsCurrent && (
            <Alert color="yellow" mb="sm" title="The form changed since this plan">
              Preview again to see what the replay would write now; only a current plan can be started.
            </Alert>
          )}
          {plan && dryRun.data && <PlanView plan={plan} compacted={dryRun.data.spec.compact !== null} />}
          {plan && planIsCurrent && plan.records === 0 && (
            <Alert color="gray" mt="sm">
              Nothing to replay: no record matches. Widen the time bounds or loosen the filter.
            </Alert>
          )}
          <Divider my="sm" />
          <Text size="xs" c="dimmed">
            Dry run {dryRunId.slice(0, 8)} · <Anchor component={Link} to={`/replays/${dryRunId}`} size="xs">details</Anchor>
          </Text>
        </Paper>
      )}
      {plan && (
        <ConfirmReplayModal
          opened={confirming}
          onClose={() => {
            setConfirming(false);
            start.reset();
          }}
          onConfirm={confirm}
          source={values.source.trim()}
          target={target}
          records={plan.records}
          until={typeof startBody?.until === 'string' ? startBody.until : null}
          untilWasEmpty={!values.until.trim()}
          typed={needsTypedConfirmation(values.source, values.target)}
          loading={start.isPending}
          error={start.error}
        />
      )}
    </Stack>
  );
}
