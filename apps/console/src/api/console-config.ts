/** `GET /console-config.json` from the gateway that served the console: where the other services are. */
export interface ConsoleConfig {
  queryUrl: string;
  catalogUrl: string | null;
  replayUrl: string | null;
  archiverUrl: string | null;
}

export type ServiceKey = 'query' | 'catalog' | 'replay' | 'archiver';

export const SERVICE_LABELS: Record<ServiceKey, string> = { query: 'query gateway', catalog: 'catalog', replay: 'replay coordinator', archiver: 'archiver' };

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/console-config.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`console-config.json answered HTTP ${res.status}`);
  return (await res.json()) as ConsoleConfig;
}

/** The base URL of a service, or null when the gateway says it is not configured ("" is this origin). */
export function serviceUrl(config: ConsoleConfig, service: ServiceKey): string | null {
  switch (service) {
    case 'query':
      return config.queryUrl;
    case 'catalog':
      return config.catalogUrl;
    case 'replay':
      return config.replayUrl;
    case 'archiver':
      return config.archiverUrl;
  }
}
