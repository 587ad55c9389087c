import { unwrap } from '@flux-capacitor/api-client';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { isActive, type AuditEntry, type ReplayState, type ReplayView } from './replays-model';

/** Active replays are polled this often: progress, rate and ETA move by the second. */
export const ACTIVE_POLL_MS = 1_000;
const IDLE_POLL_MS = 10_000;

export function useReplays(state: ReplayState | null) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: ['replays', state],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) => {
      const page = await unwrap(client.replay.GET('/v1/replays', { params: { query: { limit: 50, cursor: pageParam, state: state ?? undefined } }, signal }));
      return { items: page.items satisfies ReplayView[], nextCursor: page.nextCursor };
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Faster while anything shown is still moving.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((r) => isActive(r.state))) ? ACTIVE_POLL_MS * 2 : IDLE_POLL_MS),
  });
}

export function useReplay(id: string | null) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['replay', id],
    queryFn: async ({ signal }): Promise<ReplayView> => unwrap(client.replay.GET('/v1/replays/{id}', { params: { path: { id: id as string } }, signal })),
    enabled: id !== null,
    refetchInterval: (q) => (!q.state.data || isActive(q.state.data.state) ? ACTIVE_POLL_MS : false),
    staleTime: 0,
  });
}

export function useReplayAudit(id: string, state: ReplayState | undefined) {
  const { client } = useApi();
  return useQuery({
    // Each state change adds an entry: refetch when the state moves.
    queryKey: ['replay', id, 'audit', state],
    queryFn: async ({ signal }): Promise<AuditEntry[]> => (await unwrap(client.replay.GET('/v1/replays/{id}/audit', { params: { path: { id } }, signal }))).items,
    enabled: state !== undefined,
  });
}

type CreateBody = Parameters<ReturnType<typeof useApi>['client']['replay']['POST']>[1] extends infer I ? (I extends { body?: infer B } ? B : never) : never;

export function useCreateReplay() {
  const { client } = useApi();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async (body: Record<string, unknown>): Promise<ReplayView> => unwrap(client.replay.POST('/v1/replays', { body: body as CreateBody })),
    onSuccess: (view) => {
      queries.setQueryData(['replay', view.id], view);
      void queries.invalidateQueries({ queryKey: ['replays'] });
    },
  });
}

export type ReplayAction = 'pause' | 'resume' | 'cancel';

export function useReplayAction() {
  const { client } = useApi();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, action }: { id: string; action: ReplayAction }): Promise<ReplayView> => {
      const params = { path: { id } };
      if (action === 'cancel') return unwrap(client.replay.DELETE('/v1/replays/{id}', { params }));
      return action === 'pause' ? unwrap(client.replay.POST('/v1/replays/{id}/pause', { params })) : unwrap(client.replay.POST('/v1/replays/{id}/resume', { params }));
    },
    onSuccess: (view) => {
      queries.setQueryData(['replay', view.id], view);
      void queries.invalidateQueries({ queryKey: ['replays'] });
      void queries.invalidateQueries({ queryKey: ['replay', view.id, 'audit'] });
    },
  });
}
