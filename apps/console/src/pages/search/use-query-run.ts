import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { isFinished, queryApi, type QueryStatus } from '../../api/query-api';

/** Rows per results page the grid loads as it is scrolled. */
export const PAGE_SIZE = 500;

/**
 * One asynchronous query on the gateway, by id: its status polled while it runs, its result pages once it
 * succeeded, and cancel. `id` lives in the URL, so a shared link shows the same query while its result is kept.
 */
export function useQueryRun(id: string | null) {
  const api = useApi();
  const client = useQueryClient();

  const status = useQuery({
    queryKey: ['query', id],
    enabled: !!id,
    queryFn: ({ signal }) => queryApi.status(api, id as string, signal),
    refetchInterval: (q) => (q.state.data && isFinished(q.state.data.state) ? false : 500),
    staleTime: 0,
  });

  const succeeded = status.data?.state === 'succeeded';
  const results = useInfiniteQuery({
    queryKey: ['results', id],
    enabled: !!id && succeeded,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => queryApi.results(api, id as string, pageParam, PAGE_SIZE, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: Infinity,
  });

  const cancel = useMutation({
    mutationFn: () => queryApi.cancel(api, id as string),
    onSuccess: (data: QueryStatus) => client.setQueryData(['query', id], data),
  });

  return { status, results, cancel };
}
