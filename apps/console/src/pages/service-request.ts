import { useCallback } from 'react';
import { useApi } from '../api/api-context';
import type { ServiceKey } from '../api/console-config';

export interface ServiceRequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** parse the answer with lossless-json (large numbers in payloads stay exact) */
  lossless?: boolean;
}

export type ServiceRequest = <T>(service: ServiceKey, path: string, options?: ServiceRequestOptions) => Promise<T>;

/**
 * One call shape for the Streams and Replays pages: the service, the path, the options; failures reject with the
 * console's ApiError (status, code, detail). Kept in one place so the pages do not depend on the API layer's shape.
 */
export function useServiceRequest(): ServiceRequest {
  const http = useApi();
  return useCallback(
    <T,>(service: ServiceKey, path: string, options: ServiceRequestOptions = {}) =>
      options.lossless ? http.requestLossless<T>(service, path, options) : http.request<T>(service, path, options),
    [http],
  ) as ServiceRequest;
}
