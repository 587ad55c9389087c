import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useServiceRequest } from '../service-request';
import type { ArchiverShard, ArchiverStream, CatalogStream, PartitionRow, StreamSchemaDoc } from './streams-model';

/** The health pages refresh this often: lag and ages move by the second, the archiver reports every few seconds. */
export const STREAMS_POLL_MS = 5_000;

const enc = encodeURIComponent;

export function useCatalogStreams() {
  const api = useServiceRequest();
  return useQuery({
    queryKey: ['catalog', 'streams'],
    queryFn: ({ signal }) => api<{ streams: CatalogStream[] }>('catalog', '/v1/streams', { signal }).then((r) => r.streams),
    refetchInterval: STREAMS_POLL_MS,
  });
}

export function useArchiverStreams() {
  const api = useServiceRequest();
  return useQuery({
    queryKey: ['archiver', 'streams'],
    queryFn: ({ signal }) => api<{ streams: ArchiverStream[] }>('archiver', '/v1/streams', { signal }).then((r) => r.streams),
    refetchInterval: STREAMS_POLL_MS,
  });
}

export function useShards(stream: string) {
  const api = useServiceRequest();
  return useQuery({
    queryKey: ['archiver', 'shards', stream],
    queryFn: ({ signal }) =>
      api<{ stream: string; retentionHours: number | null; shards: ArchiverShard[] }>('archiver', `/v1/streams/${enc(stream)}/shards`, { signal }),
    refetchInterval: STREAMS_POLL_MS,
  });
}

export function usePartitions(stream: string, from?: string) {
  const api = useServiceRequest();
  return useQuery({
    queryKey: ['catalog', 'partitions', stream, from ?? null],
    queryFn: ({ signal }) =>
      api<{ stream: string; partitions: PartitionRow[] }>('catalog', `/v1/streams/${enc(stream)}/partitions`, { signal, query: { from } }).then((r) => r.partitions),
    refetchInterval: 30_000,
  });
}

/** A schema version (the latest without `version`); `enabled: false` for a version before the first. */
export function useSchema(stream: string, version?: number, enabled = true) {
  const api = useServiceRequest();
  return useQuery({
    queryKey: ['catalog', 'schema', stream, version ?? 'latest'],
    queryFn: ({ signal }) => api<StreamSchemaDoc>('catalog', `/v1/streams/${enc(stream)}/schema`, { signal, query: { version } }),
    enabled,
    placeholderData: keepPreviousData,
    // A version never changes once written; only the latest grows.
    staleTime: version === undefined ? 0 : Infinity,
    refetchInterval: version === undefined ? 30_000 : false,
  });
}
