import { Badge, Button, Drawer, Group, Loader, Stack, Text, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { queryApi, type QueryHistoryItem, type QueryState } from '../../api/query-api';
import { ErrorAlert } from '../../components/error-alert';

export const STATE_COLORS: Record<QueryState, string> = { queued: 'gray', running: 'blue', succeeded: 'green', failed: 'red', cancelled: 'orange' };

/** The caller's recent asynchronous queries (`GET /v1/queries`, kept by the gateway per token); choosing one reloads it. */
export function QueryHistory({ opened, onClose, onPick }: { opened: boolean; onClose: () => void; onPick: (item: QueryHistoryItem) => void }) {
  const api = useApi();
  const history = useQuery({ queryKey: ['history'], enabled: opened, queryFn: ({ signal }) => queryApi.history(api, 30, signal), staleTime: 0 });
  return (
    <Drawer opened={opened} onClose={onClose} position="right" size="lg" title="Recent queries">
      {history.isPending && <Loader size="sm" aria-label="Loading history" />}
      {history.isError && <ErrorAlert error={history.error} onRetry={() => void history.refetch()} />}
      {history.data && history.data.items.length === 0 && <Text c="dimmed">No queries yet. Run one with Ctrl+Enter (⌘+Enter on a Mac); it appears here.</Text>}
      <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0 }} aria-label="Query history">
        {history.data?.items.map((item) => (
          <li key={item.id}>
            <UnstyledButton onClick={() => onPick(item)} w="100%" p="xs" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }} aria-label={`Load query ${item.sql.slice(0, 80)}`}>
              <Group justify="space-between" mb={4} wrap="nowrap">
                <Badge color={STATE_COLORS[item.state]} variant="light">
                  {item.state}
                </Badge>
                <Text size="xs" c="dimmed">
                  {new Date(item.submittedAt).toLocaleString()}
                  {item.durationMs !== null ? ` · ${(item.durationMs / 1000).toFixed(1)} s` : ''}
                  {item.rowCount !== null ? ` · ${item.rowCount} rows` : ''}
                </Text>
              </Group>
              <Text ff="monospace" size="xs" lineClamp={3} style={{ whiteSpace: 'pre-wrap' }}>
                {item.sql}
              </Text>
              {item.error && (
                <Text size="xs" c="red" lineClamp={2}>
                  {item.error.message}
                </Text>
              )}
            </UnstyledButton>
          </li>
        ))}
      </Stack>
      {history.data?.nextCursor && (
        <Button variant="subtle" size="xs" mt="sm" disabled>
          Older queries: fluxcap query list
        </Button>
      )}
    </Drawer>
  );
}
