import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The request body of POST /v1/replays, for the OpenAPI document; validation is the zod schema in libs/replay. */
export class CreateReplayDto {
  @ApiProperty({ description: 'Stream to replay from (its archive and live tail).', example: 'orders' })
  source!: string;

  @ApiPropertyOptional({ description: 'Stream to write into; defaults to the source. May be restricted by FLUX_REPLAY_ALLOWED_TARGETS.' })
  target?: string;

  @ApiPropertyOptional({ description: 'Lower bound on arrival_time (ISO-8601, inclusive).' })
  from?: string;

  @ApiPropertyOptional({ description: 'Upper bound on arrival_time (ISO-8601, inclusive). Without it the replay covers everything up to the moment it starts.' })
  until?: string;

  @ApiPropertyOptional({ description: 'Per source shard, the first sequence number to include.', type: 'object', additionalProperties: { type: 'string' } })
  fromSequence?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Per source shard, the last sequence number to include.', type: 'object', additionalProperties: { type: 'string' } })
  untilSequence?: Record<string, string>;

  @ApiPropertyOptional({ description: "SQL condition over the stream table's columns, e.g. (payload->>'region') = 'eu'." })
  where?: string;

  @ApiPropertyOptional({
    description: 'Key compaction: true (by partition_key) or { key, tombstone, deletes }: only the latest record per key is replayed.',
    oneOf: [{ type: 'boolean' }, { type: 'object', properties: { key: { type: 'string' }, tombstone: { type: 'string' }, deletes: { type: 'string', enum: ['replay', 'drop'] } } }],
  })
  compact?: boolean | { key?: string; tombstone?: string; deletes?: 'replay' | 'drop' };

  @ApiPropertyOptional({ description: 'Key/value pairs carried with every replayed record.', type: 'object', additionalProperties: { type: 'string' } })
  annotations?: Record<string, string>;

  @ApiPropertyOptional({
    description: "{ mode: 'max', reserve? } (default), { mode: 'rate', recordsPerSecond } or { mode: 'original', factor }.",
    type: 'object',
    additionalProperties: true,
  })
  pace?: { mode: 'max'; reserve?: number } | { mode: 'rate'; recordsPerSecond: number } | { mode: 'original'; factor: number };

  @ApiPropertyOptional({ enum: ['envelope', 'raw'], description: 'envelope (default) wraps each record with its provenance and annotations; raw writes the original bytes alone.' })
  format?: 'envelope' | 'raw';

  @ApiPropertyOptional({ description: 'Plan only: counts, keys, per-shard histogram, sample and ETA, without writing.' })
  dryRun?: boolean;
}

export const CREATE_REPLAY_EXAMPLE = {
  source: 'orders',
  target: 'orders-restore',
  from: '2026-11-30T00:00:00Z',
  where: "(payload->>'type') = 'order.paid'",
  compact: { key: 'partition_key' },
  annotations: { forceOverwrite: 'true' },
  pace: { mode: 'max', reserve: 0.2 },
};
