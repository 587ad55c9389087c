import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { setToken } from '../app/auth';
import type { ConsoleConfig } from './console-config';
import { FluxHttp } from './http';

const ApiContext = createContext<FluxHttp | null>(null);

/** Gives the pages one FluxHttp for the signed-in token; a 401 signs the user out (the token was revoked or wrong). */
export function ApiProvider({ config, token, children }: { config: ConsoleConfig; token: string; children: ReactNode }) {
  const http = useMemo(() => new FluxHttp(config, token, () => setToken(null, 'The API no longer accepts your token (401). Sign in again.')), [config, token]);
  return <ApiContext.Provider value={http}>{children}</ApiContext.Provider>;
}

export function useApi(): FluxHttp {
  const http = useContext(ApiContext);
  if (!http) throw new Error('useApi outside ApiProvider');
  return http;
}
