import { createFluxClient, type FluxClient } from '@flux-capacitor/api-client';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { setToken } from '../app/auth';
import type { ConsoleConfig } from './console-config';

/** What pages call the services with: the typed client (@flux-capacitor/api-client) and the console config. */
export interface Api {
  client: FluxClient;
  config: ConsoleConfig;
}

const ApiContext = createContext<Api | null>(null);

/** The typed client of the four services for a token (urls from /console-config.json; null: not configured). */
export function consoleClient(config: ConsoleConfig, token: string): FluxClient {
  return createFluxClient({ urls: { query: config.queryUrl, catalog: config.catalogUrl, replay: config.replayUrl, archiver: config.archiverUrl }, token });
}

/** Gives the pages one client for the signed-in token; a 401 signs the user out (the token was revoked or is wrong). */
export function ApiProvider({ config, token, children }: { config: ConsoleConfig; token: string; children: ReactNode }) {
  const api = useMemo(() => {
    const client = consoleClient(config, token);
    const signOutOn401 = {
      onResponse({ response }: { response: Response }) {
        if (response.status === 401) setToken(null, 'The API no longer accepts your token (401). Sign in again.');
        return response;
      },
    };
    for (const service of [client.query, client.catalog, client.replay, client.archiver]) service.use(signOutOn401);
    return { client, config };
  }, [config, token]);
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
