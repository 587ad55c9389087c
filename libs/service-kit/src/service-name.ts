/** The four services and the port each listens on unless PORT says otherwise. */
export const SERVICES = {
  archiver: { defaultPort: 7101, urlVariable: 'FLUX_ARCHIVER_URL' },
  catalog: { defaultPort: 7102, urlVariable: 'FLUX_CATALOG_URL' },
  'query-gateway': { defaultPort: 7103, urlVariable: 'FLUX_QUERY_URL' },
  'replay-coordinator': { defaultPort: 7104, urlVariable: 'FLUX_REPLAY_URL' },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
