import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useServiceRequest } from '../service-request';
import { isActive, type AuditEntry, type ReplayState, type ReplayView } from './replays-model';

/** Active replays are polled this often: progress, rate and ETA move by the second. */
export const ACTIVE_POLL_MS = 1_000;
const IDLE_POLL_MS = 10_000;

const replayPoll = (r: ReplayView | undefined) => (!r || isActive(r.state) ? ACTIVE_POLL_MS : false);

export function useReplays(state: ReplayState | null) {
  const api = useServiceRequest();
  return useInfiniteQuery({
    queryKey: ['replays', state],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      api<{ items: ReplayView[]; nextCursor: string | null }>('replay', '/v1/replays', { signal, query: { limit: 50, cursor: pageParam, state: state ?? undefined } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Faster while anything shown is still moving.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((r) => isActive(r.state))) ? ACTIVE_POLL_MS * 2 : IDLE_POLL_MS),
  });
}

export function useReplay(id: string | null) {
  const api = useServiceRequest();
  return useQuery({
    queryKey: ['replay', id],
    queryFn: ({ signal }) => api<ReplayView>('replay', `/v1/replays/${id}`, { signal }),
    enabled: id !== null,
    refetchInterval: (q) => replayPoll(q.state.data),
    staleTime: 0,
  });
}

export function useReplayAudit(id: string, state: ReplayState | undefined) {
  const api = useServiceRequest();
  return useQuery({
    // Each state change adds an entry: refetch when the state moves.
    queryKey: ['replay', id, 'audit', state],
    queryFn: ({ signal }) => api<{ items: AuditEntry[] }>('replay', `/v1/replays/${id}/audit`, { signal }).then((r) => r.items),
    enabled: state !== undefined,
  });
}

export function useCreateReplay() {
  const api = useServiceRequest();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api<ReplayView>('replay', '/v1/replays', { method: 'POST', body }),
    onSuccess: (view) => {
      client.setQueryData(['replay', view.id], view);
      void client.invalidateQueries({ queryKey: ['replays'] });
    },
  });
}

export type ReplayAction = 'pause' | 'resume' | 'cancel';

export function useReplayAction() {
  const api = useServiceRequest();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: ReplayAction }) =>
      action === 'cancel'
        ? api<ReplayView>('replay', `/v1/replays/${id}`, { method: 'DELETE' })
        : api<ReplayView>('replay', `/v1/replays/${id}/${action}`, { method: 'POST' }),
    onSuccess: (view) => {
      client.setQueryData(['replay', view.id], view);
      void client.invalidateQueries({ queryKey: ['replays'] });
      void client.invalidateQueries({ queryKey: ['replay', view.id, 'audit'] });
    },
  });
}
