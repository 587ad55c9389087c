import { archiveHiveTableDdl, kinesisHiveTableDdl } from './hive-ddl';

const at = new Date('2026-11-25T10:00:00.000Z');
const field = (path: string, types: string[]) => ({ path, types, nullable: false, firstSeen: '', lastSeen: '' });

describe('Hive DDL', () => {
  it('generates a KinesisStorageHandler table with one typed column per top-level JSON field', () => {
    const ddl = kinesisHiveTableDdl('orders', {
      stream: 'orders',
      version: 1,
      format: 'json',
      firstSeen: at,
      lastSeen: at,
      fields: [field('id', ['integer']), field('amount', ['integer', 'number']), field('customer', ['object']), field('customer.id', ['string']), field('paid', ['boolean'])],
    });
    expect(ddl).toBe(
      [
        'CREATE EXTERNAL TABLE IF NOT EXISTS `orders_live` (',
        '  `id` BIGINT,',
        '  `amount` DOUBLE,',
        '  `customer` STRING,',
        '  `paid` BOOLEAN',
        ')',
        "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
        "STORED BY 'com.amazon.emr.kinesis.hive.KinesisStorageHandler'",
        'TBLPROPERTIES ("kinesis.stream.name" = "orders");',
      ].join('\n'),
    );
  });

  it('gives a binary stream a single record column', () => {
    const ddl = kinesisHiveTableDdl('Click-Stream', null);
    expect(ddl).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `click_stream_live` (\n  `record` STRING\n)');
    expect(ddl).toContain('TBLPROPERTIES ("kinesis.stream.name" = "Click-Stream");');
    expect(ddl).not.toContain('SERDE');
  });

  it('generates the external Parquet archive table partitioned by dt and hour', () => {
    const ddl = archiveHiveTableDdl('orders', 's3://bucket/archive/orders', 'flux');
    expect(ddl.split('\n')[0]).toBe('CREATE EXTERNAL TABLE IF NOT EXISTS `flux`.`orders` (');
    expect(ddl).toContain("  `arrival_time` TIMESTAMP COMMENT 'Approximate arrival timestamp: an instant (UTC-adjusted), millisecond precision',");
    expect(ddl).toContain("  `data` BINARY COMMENT 'The record data, byte for byte, when it is not UTF-8 JSON (NULL when data_json holds it)',");
    expect(ddl).toContain("  `data_json` STRING COMMENT 'The record data when it is UTF-8 JSON: its text, byte for byte (Parquet JSON logical type; data is NULL then)'\n");
    expect(ddl).toContain('PARTITIONED BY (`dt` STRING, `hour` STRING)');
    expect(ddl).toContain("STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'");
    expect(ddl.endsWith("LOCATION 's3://bucket/archive/orders/';")).toBe(true);
  });
});
