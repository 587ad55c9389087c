import { Alert, Button, Group, Text } from '@mantine/core';
import { ApiError, errorMessage, isUnreachable } from '../api/api-error';

/**
 * An API error as a readable message: the service's own `detail`, its `code` and status, and what to try next.
 * Put it next to what caused it (the editor, the form).
 */
export function ErrorAlert({ error, title, onRetry, retryLabel = 'Retry' }: { error: unknown; title?: string; onRetry?: () => void; retryLabel?: string }) {
  const api = error instanceof ApiError ? error : null;
  const heading = title ?? (isUnreachable(error) ? 'The service is not reachable (down, or it does not allow this origin: FLUX_API_CORS_ORIGINS)' : 'Request failed');
  return (
    <Alert color="red" title={heading} role="alert">
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {errorMessage(error)}
      </Text>
      <Group gap="xs" mt={4}>
        {api && api.code && (
          <Text size="xs" c="dimmed">
            {api.code}
            {api.status ? ` · HTTP ${api.status}` : ''}
          </Text>
        )}
        {onRetry && (
          <Button size="compact-xs" variant="light" color="red" onClick={onRetry}>
            {retryLabel}
          </Button>
        )}
      </Group>
    </Alert>
  );
}
