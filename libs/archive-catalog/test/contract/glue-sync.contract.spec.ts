/**
 * CONTRACT test: AWS Glue cannot run here. The real @aws-sdk/client-glue talks to a recording server; we assert the
 * requests match the Glue API reference (awsJson1_1: POST /, X-Amz-Target AWSGlue.<Operation>, JSON bodies as in
 * "CreateTable - Request Syntax", "BatchCreatePartition - Request Syntax" and "BatchUpdatePartition - Request Syntax"), and that the documented error shapes
 * (AlreadyExistsException, BatchCreatePartition's per-partition Errors) are handled.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import { GLUE_PARTITION_BATCH, GlueSync } from '../../src/metastore/glue-sync';
import type { StreamTable } from '../../src/metastore/metastore.types';
import { startRecordingServer, type CannedResponse, type RecordedRequest } from './recording-server';

const table: StreamTable = { stream: 'Orders-v2', tableName: 'orders_v2', location: 's3://archive-bucket/flux/Orders-v2', schema: null };

const expectedStorageDescriptor = (location: string) => ({
  Columns: [
    { Name: 'stream', Type: 'string', Comment: 'Stream name' },
    { Name: 'shard_id', Type: 'string', Comment: 'Shard the record was read from' },
    { Name: 'sequence_number', Type: 'string', Comment: 'Kinesis sequence number (decimal string, up to 128 bits)' },
    { Name: 'sub_sequence_number', Type: 'bigint', Comment: 'Position inside a KPL aggregate; 0 when not aggregated' },
    { Name: 'partition_key', Type: 'string', Comment: 'Partition key (of the user record for KPL aggregates)' },
    { Name: 'explicit_hash_key', Type: 'string', Comment: 'Explicit hash key when the producer set one' },
    { Name: 'arrival_time', Type: 'timestamp', Comment: 'Approximate arrival timestamp: an instant (UTC-adjusted), millisecond precision' },
    { Name: 'data', Type: 'binary', Comment: 'The record data, byte for byte, when it is not UTF-8 JSON (NULL when data_json holds it)' },
    { Name: 'data_json', Type: 'string', Comment: 'The record data when it is UTF-8 JSON: its text, byte for byte (Parquet JSON logical type; data is NULL then)' },
  ],
  Location: location,
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  Compressed: false,
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
});

async function withGlue(respond: (r: RecordedRequest) => CannedResponse, run: (sync: GlueSync, requests: RecordedRequest[]) => Promise<void>) {
  const server = await startRecordingServer(respond);
  const client = new GlueClient({
    region: 'eu-west-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  try {
    await run(new GlueSync(client, 'flux_archive', '123456789012'), server.requests);
  } finally {
    client.destroy();
    await server.close();
  }
}

const ok = (body: unknown = {}): CannedResponse => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });

describe('GlueSync (contract)', () => {
  it('creates an external Parquet table partitioned by dt and hour with CreateTable', async () => {
    await withGlue(
      () => ok(),
      async (sync, requests) => {
        await sync.ensureTable({ ...table, schema: { stream: 'Orders-v2', version: 3, format: 'json', fields: [], firstSeen: new Date(), lastSeen: new Date() } });
        expect(requests).toHaveLength(1);
        const [r] = requests;
        expect(r.method).toBe('POST');
        expect(r.url).toBe('/');
        expect(r.headers['x-amz-target']).toBe('AWSGlue.CreateTable');
        expect(r.headers['content-type']).toBe('application/x-amz-json-1.1');
        expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/glue\/aws4_request/);
        expect(JSON.parse(r.body)).toEqual({
          CatalogId: '123456789012',
          DatabaseName: 'flux_archive',
          TableInput: {
            Name: 'orders_v2',
            Description: 'Kinesis stream Orders-v2, archived by flux-capacitor',
            TableType: 'EXTERNAL_TABLE',
            Parameters: { EXTERNAL: 'TRUE', classification: 'parquet', 'flux.stream': 'Orders-v2', 'flux.schema.version': '3' },
            PartitionKeys: [
              { Name: 'dt', Type: 'string', Comment: 'Arrival date (UTC), YYYY-MM-DD' },
              { Name: 'hour', Type: 'string', Comment: 'Arrival hour (UTC), 00-23' },
            ],
            StorageDescriptor: expectedStorageDescriptor('s3://archive-bucket/flux/Orders-v2/'),
          },
        });
      },
    );
  });

  it('treats AlreadyExistsException from CreateTable as success', async () => {
    await withGlue(
      () => ({ status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'AlreadyExistsException', Message: 'Table already exists.' }) }),
      async (sync) => {
        await expect(sync.ensureTable(table)).resolves.toBeUndefined();
      },
    );
  });

  it('surfaces any other CreateTable error with its cause', async () => {
    await withGlue(
      () => ({ status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'EntityNotFoundException', Message: 'Database flux_archive not found.' }) }),
      async (sync) => {
        const err = await sync.ensureTable(table).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'METASTORE_SYNC_FAILED', metastore: 'glue' });
        expect((err as Error).cause).toMatchObject({ name: 'EntityNotFoundException' });
      },
    );
  });

  it('adds partitions with BatchCreatePartition in batches of 100', async () => {
    const partitions = Array.from({ length: 250 }, (_, i) => {
      const d = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
      const dt = d.slice(0, 10);
      const hour = Number(d.slice(11, 13));
      return { dt, hour, location: `s3://archive-bucket/flux/Orders-v2/dt=${dt}/hour=${String(hour).padStart(2, '0')}` };
    });
    await withGlue(
      () => ok({ Errors: [] }),
      async (sync, requests) => {
        await sync.addPartitions(table, partitions);
        expect(requests.map((r) => r.headers['x-amz-target'])).toEqual(Array(3).fill('AWSGlue.BatchCreatePartition'));
        const bodies = requests.map((r) => JSON.parse(r.body));
        expect(bodies.map((b) => b.PartitionInputList.length)).toEqual([GLUE_PARTITION_BATCH, GLUE_PARTITION_BATCH, 50]);
        expect(bodies[0]).toMatchObject({ CatalogId: '123456789012', DatabaseName: 'flux_archive', TableName: 'orders_v2' });
        expect(bodies[2].PartitionInputList[49]).toEqual({
          Values: ['2026-01-11', '09'],
          StorageDescriptor: expectedStorageDescriptor('s3://archive-bucket/flux/Orders-v2/dt=2026-01-11/hour=09/'),
        });
      },
    );
  });

  it('ignores partitions that already exist but fails on other per-partition errors', async () => {
    const one = [{ dt: '2026-01-01', hour: 0, location: 's3://archive-bucket/flux/Orders-v2/dt=2026-01-01/hour=00' }];
    const errorsOf = (code: string) =>
      ok({ Errors: [{ PartitionValues: ['2026-01-01', '00'], ErrorDetail: { ErrorCode: code, ErrorMessage: `${code} message` } }] });
    await withGlue(
      () => errorsOf('AlreadyExistsException'),
      async (sync) => {
        await expect(sync.addPartitions(table, one)).resolves.toBeUndefined();
      },
    );
    await withGlue(
      () => errorsOf('InternalServiceException'),
      async (sync) => {
        await expect(sync.addPartitions(table, one)).rejects.toThrow(/2026-01-01\/00: InternalServiceException/);
      },
    );
  });
  it('points a partition a compaction moved at its folder with BatchUpdatePartition (documented Entries and Errors)', async () => {
    const partitions = [
      { dt: '2026-01-01', hour: 0, location: 's3://archive-bucket/flux/Orders-v2/dt=2026-01-01/hour=00' },
      { dt: '2026-01-01', hour: 1, location: 's3://archive-bucket/flux/Orders-v2/_compacted/dt=2026-01-01/hour=01/gmilu0abc123' },
    ];
    await withGlue(
      (r) =>
        r.headers['x-amz-target'] === 'AWSGlue.BatchCreatePartition'
          ? ok({ Errors: [{ PartitionValues: ['2026-01-01', '01'], ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' } }] })
          : ok({ Errors: [] }),
      async (sync, requests) => {
        await sync.addPartitions(table, partitions);
        expect(requests.map((r) => r.headers['x-amz-target'])).toEqual(['AWSGlue.BatchCreatePartition', 'AWSGlue.BatchUpdatePartition']);
        const update = JSON.parse(requests[1].body);
        expect(update).toEqual({
          CatalogId: '123456789012',
          DatabaseName: 'flux_archive',
          TableName: 'orders_v2',
          Entries: [
            {
              PartitionValueList: ['2026-01-01', '01'],
              PartitionInput: {
                Values: ['2026-01-01', '01'],
                StorageDescriptor: expectedStorageDescriptor('s3://archive-bucket/flux/Orders-v2/_compacted/dt=2026-01-01/hour=01/gmilu0abc123/'),
              },
            },
          ],
        });
      },
    );
    await withGlue(
      (r) =>
        r.headers['x-amz-target'] === 'AWSGlue.BatchCreatePartition'
          ? ok({ Errors: [] })
          : ok({ Errors: [{ PartitionValueList: ['2026-01-01', '01'], ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'gone' } }] }),
      async (sync) => {
        await expect(sync.addPartitions(table, partitions)).rejects.toThrow(/not moved to their compacted folder, first 2026-01-01\/01: EntityNotFoundException/);
      },
    );
  });
});
