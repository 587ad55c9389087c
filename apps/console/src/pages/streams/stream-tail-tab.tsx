import { Alert, Badge, Button, Code, Group, ScrollArea, SegmentedControl, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { unwrap } from '@flux-capacitor/api-client';
import { parse, stringify } from 'lossless-json';
import { Fragment, memo, useEffect, useRef, useState } from 'react';
import { useApi } from '../../api/api-context';
import { errorMessage } from '../../api/api-error';
import { utcTime } from './streams-model';

export interface TailRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: string;
  data: string;
  payload: unknown;
}

/** Records kept on screen; older ones drop off the end. */
const KEEP = 200;
const LIMIT = 100;
const POLL_MS = 2000;

/**
 * The newest records still in Kinesis, from the query gateway's tail (polled with its cursor). Payloads are parsed
 * with lossless-json, so large numbers stay exact. Pausing keeps the cursor: resuming shows what arrived meanwhile.
 */
// memo: the stream page re-renders every second for its "ago" texts; this tab does not need to.
export const StreamTailTab = memo(function StreamTailTab({ stream }: { stream: string }) {
  const { client } = useApi();
  const [from, setFrom] = useState<'latest' | 'earliest'>('latest');
  const [paused, setPaused] = useState(false);
  const [records, setRecords] = useState<TailRecord[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [lastPoll, setLastPoll] = useState<number | null>(null);
  const cursor = useRef<string | null>(null);

  // A new start point (or stream) starts over.
  useEffect(() => {
    cursor.current = null;
    setRecords([]);
  }, [stream, from]);

  useEffect(() => {
    if (paused) return;
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      let full = false;
      try {
        const text = await unwrap(
          client.query.GET('/v1/streams/{stream}/tail', {
            params: { path: { stream }, query: cursor.current ? { cursor: cursor.current, limit: LIMIT } : { from, limit: LIMIT } },
            parseAs: 'text',
            signal: ctrl.signal,
          }),
        );
        const r = parse(text as string) as { records: TailRecord[]; cursor: string };
        cursor.current = r.cursor;
        full = r.records.length >= LIMIT;
        if (r.records.length > 0) setRecords((prev) => [...r.records].sort(newestFirst).concat(prev).slice(0, KEEP));
        setError(null);
        setLastPoll(Date.now());
      } catch (err) {
        if (ctrl.signal.aborted) return;
        setError(err);
      }
      // A full page means more is waiting: fetch it at once.
      timer = setTimeout(() => void poll(), full ? 0 : POLL_MS);
    };
    void poll();
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, [client, stream, from, paused]);

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Group gap="sm">
          <Button onClick={() => setPaused((p) => !p)} variant={paused ? 'filled' : 'default'} aria-pressed={paused}>
            {paused ? 'Resume' : 'Pause'}
          </Button>
          <SegmentedControl
            value={from}
            onChange={(v) => setFrom(v as 'latest' | 'earliest')}
            data={[
              { value: 'latest', label: 'New records' },
              { value: 'earliest', label: 'From the oldest in Kinesis' },
            ]}
            aria-label="start from"
          />
        </Group>
        <Text size="sm" c="dimmed" aria-live="polite">
          {paused ? 'Paused' : 'Following'} · {records.length} records shown (newest first, at most {KEEP})
          {lastPoll ? ` · checked ${utcTime(new Date(lastPoll).toISOString())}` : ''}
        </Text>
      </Group>
      {Boolean(error) && (
        <Alert color="red" title="Live tail failed">
          {errorMessage(error)} {paused ? '' : '(retrying every 2 s)'}
        </Alert>
      )}
      {records.length === 0 ? (
        <Text c="dimmed">
          {from === 'latest' ? 'Waiting for new records… Write some with ' : 'No records in Kinesis yet. Write some with '}
          <Code>npx fluxcap produce --stream {stream} --count 100</Code>
        </Text>
      ) : (
        <ScrollArea.Autosize mah={560}>
          <Table striped aria-label="live records" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Arrival (UTC)</Table.Th>
                <Table.Th>Shard</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Payload</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {records.map((r) => {
                const id = `${r.shardId}/${r.sequenceNumber}`;
                const expanded = open === id;
                return (
                  <Fragment key={id}>
                    <Table.Tr>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.arrivalTime.slice(11, 23)}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" tt="none">
                          {r.shardId.replace(/^shardId-0*(?=\d)/, '#')}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{r.partitionKey}</Table.Td>
                      <Table.Td>
                        <UnstyledButton onClick={() => setOpen(expanded ? null : id)} aria-expanded={expanded} aria-label={`record ${r.sequenceNumber} of ${r.shardId}`}>
                          <Code style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', display: 'block', maxWidth: 640 }}>{preview(r)}</Code>
                        </UnstyledButton>
                      </Table.Td>
                    </Table.Tr>
                    {expanded && (
                      <Table.Tr>
                        <Table.Td colSpan={4}>
                          <Text size="xs" c="dimmed">
                            {r.shardId} · sequence {r.sequenceNumber} · {utcTime(r.arrivalTime)}
                          </Text>
                          <Code block>{r.payload === null ? `(not JSON) base64: ${r.data}` : stringify(r.payload, null, 2)}</Code>
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
});

const newestFirst = (a: TailRecord, b: TailRecord) => b.arrivalTime.localeCompare(a.arrivalTime) || (BigInt(b.sequenceNumber) > BigInt(a.sequenceNumber) ? 1 : -1);

function preview(r: TailRecord): string {
  const text = r.payload === null ? `base64 ${r.data}` : (stringify(r.payload) ?? '');
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
