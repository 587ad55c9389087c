import { Alert, Button, Code, Group, Kbd, Menu, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { catalogApi } from '../../api/catalog-api';
import { isFinished, queryApi, type DownloadFormat, type QueryHistoryItem } from '../../api/query-api';
import { ErrorAlert } from '../../components/error-alert';
import { ServiceBanner } from '../../components/service-banner';
import { QueryHistory } from './query-history';
import { QueryProgressLine } from './query-progress';
import { RecordDrawer } from './record-drawer';
import { ResultsGrid } from './results-grid';
import { SqlEditor } from './sql-editor';
import type { StreamFields } from './sql-completion';
import { useQueryRun } from './use-query-run';

const defaultSql = (stream: string | undefined) => `SELECT *\nFROM "${stream ?? 'orders'}"\nORDER BY arrival_time DESC\nLIMIT 100`;

/** "at line 2, column 7" for an error's 0-based character offset in the SQL. */
function positionText(sql: string, position: unknown): string {
  if (typeof position !== 'number' || position < 0) return '';
  const before = sql.slice(0, position).split('\n');
  return ` (at line ${before.length}, column ${before[before.length - 1].length + 1})`;
}

function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Search: SQL over every stream (archive and live tail) through the gateway's asynchronous queries. The SQL and the
 * query id are in the URL (`/search?sql=...&id=...`), so a query is a link to share.
 */
export default function SearchPage() {
  const api = useApi();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const [draft, setDraft] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [historyOpen, setHistoryOpen] = useState(false);

  const streams = useQuery({ queryKey: ['streams'], queryFn: ({ signal }) => catalogApi.streams(api, signal), staleTime: 30_000 });
  const names = useMemo(() => streams.data?.streams.map((s) => s.name) ?? [], [streams.data]);
  const schemaQueries = useQueries({
    queries: names.slice(0, 20).map((stream) => ({
      queryKey: ['schema', stream],
      queryFn: ({ signal }: { signal: AbortSignal }) => catalogApi.schema(api, stream, undefined, signal),
      staleTime: 60_000,
    })),
  });
  const schemas: StreamFields[] = schemaQueries.flatMap((q) => (q.data ? [{ stream: q.data.stream, fields: q.data.fields }] : []));

  const sql = draft ?? params.get('sql') ?? defaultSql(names[0]);
  const { status, results, cancel } = useQueryRun(id);
  const running = !!status.data && !isFinished(status.data.state);

  const submit = useMutation({
    mutationFn: (text: string) => queryApi.submit(api, text),
    onSuccess: (started, text) => {
      client.setQueryData(['query', started.id], started);
      setSelected(null);
      setParams({ sql: text, id: started.id });
    },
  });

  const run = useCallback(() => {
    if (!sql.trim() || submit.isPending) return;
    submit.mutate(sql);
  }, [sql, submit]);
  const stop = useCallback(() => {
    if (running && !cancel.isPending) cancel.mutate();
  }, [running, cancel]);

  // Esc cancels a running query from anywhere on the page, unless it closes a drawer or menu first.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('[role="dialog"]')) stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [stop]);

  const download = useMutation({
    mutationFn: async (format: DownloadFormat) => saveBlob(await queryApi.download(api, id as string, format), `query-${id}.${format}`),
  });

  const pick = (item: QueryHistoryItem) => {
    setHistoryOpen(false);
    setSelected(null);
    setDraft(item.sql);
    submit.reset();
    setParams({ sql: item.sql, id: item.id });
  };

  const rows = useMemo(() => results.data?.pages.flatMap((p) => p.rows) ?? [], [results.data]);
  const columns = results.data?.pages[0]?.columns ?? status.data?.columns ?? [];
  const failed = status.data?.state === 'failed' ? status.data.error : undefined;
  const queryError = submit.error ?? (failed ? new ApiError(0, failed.code, failed.message, { code: failed.code, detail: failed.message, details: failed.details }) : null);
  // a query the gateway no longer keeps (results expire after FLUX_QUERY_RESULT_TTL_SECONDS): offer to run it again
  const gone = (err: unknown) => err instanceof ApiError && (err.code === 'QUERY_NOT_FOUND' || err.code === 'QUERY_RESULT_RELEASED');
  const errorSql = submit.error ? sql : (status.data?.sql ?? sql);
  const position = queryError instanceof ApiError ? positionText(errorSql, queryError.problem.details?.position) : '';
  const loadMore = useCallback(() => void results.fetchNextPage(), [results]);

  return (
    <Stack gap="sm">
      <ServiceBanner services={['query', 'catalog']} />
      <Group justify="space-between">
        <Title order={1} size="h2">Search</Title>
        <Button variant="default" size="xs" onClick={() => setHistoryOpen(true)}>
          History
        </Button>
      </Group>

      {streams.isSuccess && names.length === 0 && (
        <Alert color="blue" title="No streams are archived yet">
          Nothing to search until a stream has records. With <Code>npm start</Code> running, put sample events into the demo stream with{' '}
          <Code>npx fluxcap produce --stream orders --count 100</Code>: they are queryable at once (live tail) and archived within seconds. To archive your own
          streams, set <Code>FLUX_ARCHIVER_STREAMS</Code> (docs/archiver.md).
        </Alert>
      )}
      {streams.isError && !(streams.error instanceof ApiError && streams.error.code === 'SERVICE_NOT_CONFIGURED') && (
        <Text size="xs" c="dimmed">
          Completion of streams and fields is off: {streams.error.message}
        </Text>
      )}

      <SqlEditor value={sql} onChange={setDraft} onRun={run} streams={names} schemas={schemas} />
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Button onClick={run} loading={submit.isPending} disabled={running}>
            Run
          </Button>
          <Button variant="default" color="red" onClick={stop} disabled={!running} loading={cancel.isPending}>
            Cancel
          </Button>
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Ctrl</Kbd>+<Kbd size="xs">Enter</Kbd> runs, <Kbd size="xs">Esc</Kbd> cancels
          </Text>
        </Group>
        <Group gap="xs" wrap="nowrap">
          {status.data && <QueryProgressLine status={status.data} />}
          <Menu position="bottom-end">
            <Menu.Target>
              <Button variant="default" size="xs" disabled={status.data?.state !== 'succeeded'} loading={download.isPending}>
                Download
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => download.mutate('csv')}>CSV</Menu.Item>
              <Menu.Item onClick={() => download.mutate('ndjson')}>NDJSON</Menu.Item>
              <Menu.Item onClick={() => download.mutate('parquet')}>Parquet</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>

      {queryError && <ErrorAlert error={queryError} title={`The query failed${position}`} />}
      {cancel.error && <ErrorAlert error={cancel.error} title="Cancel failed" />}
      {download.error && <ErrorAlert error={download.error} title="Download failed" />}
      {status.data?.state === 'cancelled' && <Alert color="orange" title="Query cancelled">Run it again with Ctrl+Enter.</Alert>}
      {status.data?.truncated && (
        <Alert color="yellow" title="Result truncated">
          The query returned more rows than the gateway keeps (FLUX_QUERY_MAX_ROWS); add a LIMIT or a narrower WHERE.
        </Alert>
      )}
      {status.data?.warnings.map((w) => (
        <Alert key={w} color="yellow">
          {w}
        </Alert>
      ))}
      {status.isError && !submit.error && (
        <ErrorAlert error={status.error} title={gone(status.error) ? 'This query is no longer kept' : 'Could not get the query status'} onRetry={gone(status.error) ? run : () => void status.refetch()} retryLabel={gone(status.error) ? 'Run again' : 'Retry'} />
      )}
      {results.isError && (
        <ErrorAlert error={results.error} title={gone(results.error) ? 'The results are no longer kept' : 'Could not load the results'} onRetry={gone(results.error) ? run : () => void results.refetch()} retryLabel={gone(results.error) ? 'Run again' : 'Retry'} />
      )}

      {!id && !submit.isPending && (
        <Text c="dimmed" size="sm">
          Each stream is a table (<Code>shard_id</Code>, <Code>sequence_number</Code>, <Code>partition_key</Code>, <Code>arrival_time</Code>, <Code>data</Code>,{' '}
          <Code>payload</Code>, <Code>source</Code>) over its archive and live tail. Type <Code>payload</Code> for its JSON fields. Write a query and press Ctrl+Enter.
        </Text>
      )}
      {status.data?.state === 'succeeded' && results.isSuccess && rows.length === 0 && (
        <Alert color="gray" title="No rows">
          The query matched nothing ({status.data.progress.objectsScanned} archive objects and {status.data.progress.liveRecords} live records read). Widen the time range or
          loosen the WHERE clause.
        </Alert>
      )}
      {rows.length > 0 && (
        <>
          <Text size="xs" c="dimmed">
            Showing {rows.length.toLocaleString()} of {(results.data?.pages[0]?.rowCount ?? rows.length).toLocaleString()} rows. Select a row to see its record.
          </Text>
          <ResultsGrid
            columns={columns}
            rows={rows}
            rowCount={results.data?.pages[0]?.rowCount ?? rows.length}
            hasMore={!!results.hasNextPage}
            loadingMore={results.isFetchingNextPage}
            onLoadMore={loadMore}
            selected={selected}
            onSelect={setSelected}
          />
        </>
      )}

      <RecordDrawer row={selected !== null ? (rows[selected] ?? null) : null} columns={columns} onClose={() => setSelected(null)} />
      <QueryHistory opened={historyOpen} onClose={() => setHistoryOpen(false)} onPick={pick} />
    </Stack>
  );
}
