import { Logger } from '@nestjs/common';
import { TBinaryProtocol, TBufferedTransport, createClient, createConnection } from 'thrift';
import { MetastoreSyncError } from '../catalog.errors';
import {
  HiveMetastoreException,
  ThriftHiveMetastoreClient,
  type HiveStorageDescriptor,
} from './hive-metastore-client';
import {
  HIVE_ARCHIVE_COLUMNS,
  HIVE_PARTITION_KEYS,
  PARQUET_FORMAT,
  isCompactedLocation,
  hourValue,
  type MetastoreSync,
  type StreamTable,
  type TablePartition,
} from './metastore.types';

const CALL_TIMEOUT_MS = 30_000;

/** Hive on S3 reads through the s3a:// (Hadoop) or s3:// (EMRFS) scheme; archive URIs are s3://, kept as they are. */
const folder = (uri: string) => (uri.endsWith('/') ? uri : `${uri}/`);

function storageDescriptor(location: string): HiveStorageDescriptor {
  return {
    cols: HIVE_ARCHIVE_COLUMNS,
    location: folder(location),
    inputFormat: PARQUET_FORMAT.inputFormat,
    outputFormat: PARQUET_FORMAT.outputFormat,
    compressed: false,
    numBuckets: -1,
    serdeInfo: { name: '', serializationLib: PARQUET_FORMAT.serde, parameters: { 'serialization.format': '1' } },
    bucketCols: [],
    sortCols: [],
    parameters: {},
  };
}

/**
 * Keeps a Hive metastore in sync over Thrift (binary protocol, buffered transport: the metastore's defaults
 * without SASL): create_table for the external Parquet table of each stream, add_partitions_req with
 * ifNotExists for its partitions. A connection is opened per sync call; they are rare (one per new hour).
 */
export class HiveMetastoreSync implements MetastoreSync {
  readonly name = 'hive';
  private readonly logger = new Logger(HiveMetastoreSync.name);

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly database: string,
    private readonly owner = 'flux-capacitor',
  ) {}

  async ensureTable(table: StreamTable): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    try {
      await this.call((client, cb) =>
        client.create_table(
          {
            tableName: table.tableName,
            dbName: this.database,
            owner: this.owner,
            createTime: now,
            lastAccessTime: 0,
            retention: 0,
            sd: storageDescriptor(table.location),
            partitionKeys: HIVE_PARTITION_KEYS,
            parameters: {
              EXTERNAL: 'TRUE',
              'flux.stream': table.stream,
              ...(table.schema ? { 'flux.schema.version': String(table.schema.version) } : {}),
            },
            tableType: 'EXTERNAL_TABLE',
          },
          cb,
        ),
      );
      this.logger.log({ msg: 'hive table created', database: this.database, table: table.tableName });
    } catch (err) {
      if (err instanceof HiveMetastoreException && err.type === 'AlreadyExistsException') return;
      throw new MetastoreSyncError(this.name, `create_table ${this.database}.${table.tableName} failed`, { cause: err });
    }
  }

  async addPartitions(table: StreamTable, partitions: TablePartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const now = Math.floor(Date.now() / 1000);
    const parts = partitions.map((p) => ({
      values: [p.dt, hourValue(p.hour)],
      dbName: this.database,
      tableName: table.tableName,
      createTime: now,
      lastAccessTime: 0,
      sd: storageDescriptor(p.location),
      parameters: {},
    }));
    try {
      await this.call((client, cb) =>
        client.add_partitions_req(
          {
            dbName: this.database,
            tblName: table.tableName,
            parts,
            ifNotExists: true,
            needResult: false,
          },
          cb,
        ),
      );
    } catch (err) {
      throw new MetastoreSyncError(this.name, `add_partitions_req ${this.database}.${table.tableName} failed`, { cause: err });
    }
    // ifNotExists left an existing partition where it was: a compacted hour's moves to the compaction's folder
    const moved = parts.filter((p) => isCompactedLocation(p.sd.location));
    if (moved.length === 0) return;
    try {
      await this.call((client, cb) => client.alter_partitions(this.database, table.tableName, moved, cb));
    } catch (err) {
      throw new MetastoreSyncError(this.name, `alter_partitions ${this.database}.${table.tableName} failed`, { cause: err });
    }
  }

  private call(invoke: (client: ThriftHiveMetastoreClient, cb: (err: unknown) => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const connection = createConnection(this.host, this.port, {
        transport: TBufferedTransport,
        protocol: TBinaryProtocol,
        connect_timeout: 10_000,
        max_attempts: 1,
      });
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        connection.removeAllListeners('error');
        connection.on('error', () => undefined);
        connection.connection.destroy();
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve();
      };
      const timer = setTimeout(() => finish(new Error(`no reply from ${this.host}:${this.port} in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      connection.on('error', (err: unknown) => finish(err));
      connection.on('close', () => finish(new Error(`connection to ${this.host}:${this.port} closed`)));
      const client = createClient(ThriftHiveMetastoreClient, connection);
      invoke(client, (err) => finish(err ?? undefined));
    });
  }
}
