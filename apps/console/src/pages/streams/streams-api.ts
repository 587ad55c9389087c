import { unwrap } from '@flux-capacitor/api-client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import type { ArchiverShard, ArchiverStream, CatalogStream, PartitionRow, StreamSchemaDoc } from './streams-model';

/** The health pages refresh this often: lag and ages move by the second, the archiver reports every few seconds. */
export const STREAMS_POLL_MS = 5_000;

export function useCatalogStreams() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['catalog', 'streams'],
    queryFn: async ({ signal }): Promise<CatalogStream[]> => (await unwrap(client.catalog.GET('/v1/streams', { signal }))).streams,
    refetchInterval: STREAMS_POLL_MS,
  });
}

export function useArchiverStreams() {
  const { client } = useApi();
  return useQuery({
    queryKey: ['archiver', 'streams'],
    queryFn: async ({ signal }): Promise<ArchiverStream[]> => (await unwrap(client.archiver.GET('/v1/streams', { signal }))).streams,
    refetchInterval: STREAMS_POLL_MS,
  });
}

export function useShards(stream: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['archiver', 'shards', stream],
    queryFn: ({ signal }): Promise<{ stream: string; retentionHours: number | null; shards: ArchiverShard[] }> =>
      unwrap(client.archiver.GET('/v1/streams/{stream}/shards', { params: { path: { stream } }, signal })),
    refetchInterval: STREAMS_POLL_MS,
  });
}

export function usePartitions(stream: string, from?: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['catalog', 'partitions', stream, from ?? null],
    queryFn: async ({ signal }): Promise<PartitionRow[]> =>
      (await unwrap(client.catalog.GET('/v1/streams/{stream}/partitions', { params: { path: { stream }, query: { from } }, signal }))).partitions,
    refetchInterval: 30_000,
  });
}

/** A schema version (the latest without `version`); `enabled: false` for a version before the first. */
export function useSchema(stream: string, version?: number, enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: ['catalog', 'schema', stream, version ?? 'latest'],
    queryFn: ({ signal }): Promise<StreamSchemaDoc> => unwrap(client.catalog.GET('/v1/streams/{stream}/schema', { params: { path: { stream }, query: { version } }, signal })),
    enabled,
    placeholderData: keepPreviousData,
    // A version never changes once written; only the latest grows.
    staleTime: version === undefined ? 0 : Infinity,
    refetchInterval: version === undefined ? 30_000 : false,
  });
}
