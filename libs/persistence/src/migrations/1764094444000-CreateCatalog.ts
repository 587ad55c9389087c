import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The catalog: streams, their Hive partitions, archived objects and inferred schema versions. */
export class CreateCatalog1764094444000 implements MigrationInterface {
  name = 'CreateCatalog1764094444000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog_stream (
        name       text        NOT NULL,
        format     text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_catalog_stream PRIMARY KEY (name),
        CONSTRAINT chk_catalog_stream_format CHECK (format IN ('json', 'binary'))
      )`);
    await q.query(`
      CREATE TABLE catalog_partition (
        stream     text        NOT NULL,
        dt         text        NOT NULL,
        hour       smallint    NOT NULL,
        location   text        NOT NULL,
        starts_at  timestamptz NOT NULL,
        synced_at  timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_catalog_partition PRIMARY KEY (stream, dt, hour),
        CONSTRAINT fk_catalog_partition_stream FOREIGN KEY (stream) REFERENCES catalog_stream (name) ON DELETE CASCADE,
        CONSTRAINT chk_catalog_partition_dt CHECK (dt ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
        CONSTRAINT chk_catalog_partition_hour CHECK (hour BETWEEN 0 AND 23)
      )`);
    await q.query(`CREATE INDEX idx_catalog_partition_stream_starts_at ON catalog_partition (stream, starts_at)`);
    // Partitions not yet registered in the configured metastores (Hive, Glue): retried on the next object.
    await q.query(`CREATE INDEX idx_catalog_partition_unsynced ON catalog_partition (stream) WHERE synced_at IS NULL`);
    await q.query(`
      CREATE TABLE catalog_object (
        uri                   text        NOT NULL,
        stream                text        NOT NULL,
        shard_id              text        NOT NULL,
        first_sequence_number text        NOT NULL,
        last_sequence_number  text        NOT NULL,
        first_arrival_time    timestamptz NOT NULL,
        last_arrival_time     timestamptz NOT NULL,
        record_count          bigint      NOT NULL,
        bytes                 bigint      NOT NULL,
        dt                    text        NOT NULL,
        hour                  smallint    NOT NULL,
        schema_version        integer,
        created_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_catalog_object PRIMARY KEY (uri),
        CONSTRAINT fk_catalog_object_partition FOREIGN KEY (stream, dt, hour)
          REFERENCES catalog_partition (stream, dt, hour) ON DELETE CASCADE,
        CONSTRAINT chk_catalog_object_sequence_numbers
          CHECK (first_sequence_number ~ '^[0-9]+$' AND last_sequence_number ~ '^[0-9]+$'),
        CONSTRAINT chk_catalog_object_counts CHECK (record_count >= 0 AND bytes >= 0)
      )`);
    await q.query(
      `CREATE INDEX idx_catalog_object_stream_time ON catalog_object (stream, first_arrival_time, last_arrival_time)`,
    );
    await q.query(`CREATE INDEX idx_catalog_object_stream_shard ON catalog_object (stream, shard_id)`);
    await q.query(`CREATE INDEX idx_catalog_object_partition ON catalog_object (stream, dt, hour)`);
    await q.query(`
      CREATE TABLE catalog_schema_version (
        stream      text        NOT NULL,
        version     integer     NOT NULL,
        format      text        NOT NULL,
        fields      jsonb       NOT NULL,
        fingerprint text        NOT NULL,
        first_seen  timestamptz NOT NULL,
        last_seen   timestamptz NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_catalog_schema_version PRIMARY KEY (stream, version),
        CONSTRAINT fk_catalog_schema_version_stream FOREIGN KEY (stream) REFERENCES catalog_stream (name) ON DELETE CASCADE,
        CONSTRAINT uq_catalog_schema_version_fingerprint UNIQUE (stream, fingerprint),
        CONSTRAINT chk_catalog_schema_version_format CHECK (format IN ('json', 'binary'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE catalog_schema_version`);
    await q.query(`DROP TABLE catalog_object`);
    await q.query(`DROP TABLE catalog_partition`);
    await q.query(`DROP TABLE catalog_stream`);
  }
}
