import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  BatchUpdatePartitionCommand,
  CreateTableCommand,
  type GlueClient,
  type PartitionInput,
  type StorageDescriptor,
} from '@aws-sdk/client-glue';
import { Logger } from '@nestjs/common';
import { MetastoreSyncError } from '../catalog.errors';
import {
  HIVE_ARCHIVE_COLUMNS,
  HIVE_PARTITION_KEYS,
  PARQUET_FORMAT,
  hourValue,
  isCompactedLocation,
  type MetastoreSync,
  type StreamTable,
  type TablePartition,
} from './metastore.types';

/** BatchCreatePartition accepts at most 100 partitions per call. */
export const GLUE_PARTITION_BATCH = 100;

function storageDescriptor(location: string): StorageDescriptor {
  return {
    Columns: HIVE_ARCHIVE_COLUMNS.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
    Location: location,
    InputFormat: PARQUET_FORMAT.inputFormat,
    OutputFormat: PARQUET_FORMAT.outputFormat,
    Compressed: false,
    SerdeInfo: { SerializationLibrary: PARQUET_FORMAT.serde, Parameters: { 'serialization.format': '1' } },
  };
}

/** Partition and table locations are folders; Glue and Athena expect the trailing slash. */
const glueLocation = (uri: string) => (uri.endsWith('/') ? uri : `${uri}/`);

/**
 * Keeps the AWS Glue Data Catalog in sync: one external Parquet table per stream (CreateTable), partitions
 * added with BatchCreatePartition in batches of 100. Existing tables and partitions are not errors.
 */
export class GlueSync implements MetastoreSync {
  readonly name = 'glue';
  private readonly logger = new Logger(GlueSync.name);

  constructor(
    private readonly glue: GlueClient,
    private readonly database: string,
    private readonly catalogId?: string,
  ) {}

  async ensureTable(table: StreamTable): Promise<void> {
    try {
      await this.glue.send(
        new CreateTableCommand({
          CatalogId: this.catalogId,
          DatabaseName: this.database,
          TableInput: {
            Name: table.tableName,
            Description: `Kinesis stream ${table.stream}, archived by flux-capacitor`,
            TableType: 'EXTERNAL_TABLE',
            Parameters: {
              EXTERNAL: 'TRUE',
              classification: 'parquet',
              'flux.stream': table.stream,
              ...(table.schema ? { 'flux.schema.version': String(table.schema.version) } : {}),
            },
            PartitionKeys: HIVE_PARTITION_KEYS.map((k) => ({ Name: k.name, Type: k.type, Comment: k.comment })),
            StorageDescriptor: storageDescriptor(glueLocation(table.location)),
          },
        }),
      );
      this.logger.log({ msg: 'glue table created', database: this.database, table: table.tableName });
    } catch (err) {
      if (err instanceof AlreadyExistsException || (err as { name?: string }).name === 'AlreadyExistsException') return;
      throw new MetastoreSyncError(this.name, `CreateTable ${this.database}.${table.tableName} failed`, { cause: err });
    }
  }

  async addPartitions(table: StreamTable, partitions: TablePartition[]): Promise<void> {
    for (let i = 0; i < partitions.length; i += GLUE_PARTITION_BATCH) {
      const batch = partitions.slice(i, i + GLUE_PARTITION_BATCH);
      const inputs: PartitionInput[] = batch.map((p) => ({
        Values: [p.dt, hourValue(p.hour)],
        StorageDescriptor: storageDescriptor(glueLocation(p.location)),
      }));
      let out;
      try {
        out = await this.glue.send(
          new BatchCreatePartitionCommand({
            CatalogId: this.catalogId,
            DatabaseName: this.database,
            TableName: table.tableName,
            PartitionInputList: inputs,
          }),
        );
      } catch (err) {
        throw new MetastoreSyncError(this.name, `BatchCreatePartition ${this.database}.${table.tableName} failed`, { cause: err });
      }
      // BatchCreatePartition reports per-partition failures in Errors; partitions that already exist are fine.
      const failures = (out.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
      if (failures.length > 0) {
        const first = failures[0];
        throw new MetastoreSyncError(
          this.name,
          `${failures.length} partition(s) of ${table.tableName} not created, first ${first.PartitionValues?.join('/')}: ${first.ErrorDetail?.ErrorCode} ${first.ErrorDetail?.ErrorMessage}`,
        );
      }
      await this.moveCompacted(table, batch);
    }
  }

  /**
   * Points partitions a compaction rewrote at its folder (BatchUpdatePartition, at most 100 entries per call, as
   * BatchCreatePartition): the create above left an existing partition at its old location.
   */
  private async moveCompacted(table: StreamTable, batch: TablePartition[]): Promise<void> {
    const moved = batch.filter((p) => isCompactedLocation(p.location));
    if (moved.length === 0) return;
    let out;
    try {
      out = await this.glue.send(
        new BatchUpdatePartitionCommand({
          CatalogId: this.catalogId,
          DatabaseName: this.database,
          TableName: table.tableName,
          Entries: moved.map((p) => ({
            PartitionValueList: [p.dt, hourValue(p.hour)],
            PartitionInput: { Values: [p.dt, hourValue(p.hour)], StorageDescriptor: storageDescriptor(glueLocation(p.location)) },
          })),
        }),
      );
    } catch (err) {
      throw new MetastoreSyncError(this.name, `BatchUpdatePartition ${this.database}.${table.tableName} failed`, { cause: err });
    }
    const first = out.Errors?.[0];
    if (first) {
      throw new MetastoreSyncError(
        this.name,
        `${out.Errors!.length} partition(s) of ${table.tableName} not moved to their compacted folder, first ${first.PartitionValueList?.join('/')}: ${first.ErrorDetail?.ErrorCode} ${first.ErrorDetail?.ErrorMessage}`,
      );
    }
  }
}
