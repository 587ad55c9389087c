import { Alert, Button, Code, Stack } from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { useApi } from '../api/api-context';
import { SERVICE_LABELS, serviceUrl, type ServiceKey } from '../api/console-config';

type Health = { state: 'ok' } | { state: 'not-configured' } | { state: 'down'; reason: string };

/**
 * A banner per service a page needs that is down or not configured, with Retry. `/health` needs no token; it is
 * polled every 30 s, so the banner also goes away by itself when the service comes back.
 */
export function ServiceBanner({ services }: { services: ServiceKey[] }) {
  const { config } = useApi();
  const checks = useQueries({
    queries: services.map((service) => ({
      queryKey: ['health', service],
      refetchInterval: 30_000,
      queryFn: async (): Promise<Health> => {
        const base = serviceUrl(config, service);
        if (base === null) return { state: 'not-configured' };
        try {
          const res = await fetch(`${base}/health`, { headers: { accept: 'application/json' } });
          if (res.ok) return { state: 'ok' };
          return { state: 'down', reason: `its /health answers HTTP ${res.status} (a dependency is down)` };
        } catch {
          return { state: 'down', reason: `nothing answers at ${base || window.location.origin}, or it does not allow calls from this page (FLUX_API_CORS_ORIGINS)` };
        }
      },
    })),
  });
  const problems = services.map((service, i) => ({ service, health: checks[i].data, refetch: checks[i].refetch })).filter((p) => p.health && p.health.state !== 'ok');
  if (problems.length === 0) return null;
  return (
    <Stack gap="xs" mb="md">
      {problems.map(({ service, health, refetch }) =>
        health?.state === 'not-configured' ? (
          <Alert key={service} color="gray" title={`The ${SERVICE_LABELS[service]} is not configured`}>
            Set <Code>FLUX_CONSOLE_{service.toUpperCase()}_URL</Code> on the query gateway to the URL browsers reach it at.
          </Alert>
        ) : (
          <Alert key={service} color="orange" title={`The ${SERVICE_LABELS[service]} is not reachable`}>
            {health?.state === 'down' ? health.reason : ''}.{' '}
            <Button size="compact-xs" variant="light" color="orange" onClick={() => void refetch()}>
              Retry
            </Button>
          </Alert>
        ),
      )}
    </Stack>
  );
}
