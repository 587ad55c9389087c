import { QueryClient } from '@tanstack/react-query';

/** The one query that holds no user data (URLs only, loaded before sign-in): kept across sign-ins. */
const KEEP = new Set(['console-config']);

/**
 * The console's TanStack Query client. Whatever the cache holds was fetched with a token, so it is dropped whenever
 * the token changes or is cleared (sign-out, the sign-out on a 401, another sign-in): the next user of the tab
 * never sees the previous one's streams, queries or replays, not even for a render.
 */
export function createConsoleQueryClient(onTokenChange: (listener: () => void) => unknown): QueryClient {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 10_000 } },
  });
  onTokenChange(() => {
    void client.cancelQueries({ predicate: (q) => !KEEP.has(String(q.queryKey[0])) });
    client.removeQueries({ predicate: (q) => !KEEP.has(String(q.queryKey[0])) });
    client.getMutationCache().clear();
  });
  return client;
}
