/**
 * CONTRACT test: Apache Drill cannot run here. DrillViewSync talks to a recording server; we assert the request is
 * the one Drill's REST API documents (POST /query.json, Content-Type application/json, body
 * {"queryType":"SQL","query":"..."}) and that the documented responses are handled: a QueryResult
 * ({queryId, columns, rows, metadata, queryState}) with CREATE VIEW's {ok, summary} row, and the error body
 * {"errorMessage": "..."} Drill's exception mapper returns with a non-2xx status.
 */
import { DrillViewSync, drillViewSql } from '../../src/metastore/drill-view-sync';
import type { StreamTable } from '../../src/metastore/metastore.types';
import { startRecordingServer, type CannedResponse, type RecordedRequest } from './recording-server';

const at = new Date('2026-11-25T10:00:00.000Z');
const table: StreamTable = {
  stream: 'orders',
  tableName: 'orders',
  location: 's3://bucket/archive/orders',
  schema: {
    stream: 'orders',
    version: 2,
    format: 'json',
    firstSeen: at,
    lastSeen: at,
    fields: [
      { path: 'amount', types: ['integer', 'number'], nullable: false, firstSeen: '', lastSeen: '' },
      { path: 'customer', types: ['object'], nullable: false, firstSeen: '', lastSeen: '' },
      { path: 'customer.id', types: ['string'], nullable: false, firstSeen: '', lastSeen: '' },
      { path: 'data', types: ['string'], nullable: true, firstSeen: '', lastSeen: '' },
      { path: 'id', types: ['integer'], nullable: false, firstSeen: '', lastSeen: '' },
      { path: 'items', types: ['array'], nullable: false, firstSeen: '', lastSeen: '' },
      { path: 'items[].sku', types: ['string'], nullable: false, firstSeen: '', lastSeen: '' },
      { path: 'mixed', types: ['boolean', 'string'], nullable: false, firstSeen: '', lastSeen: '' },
      { path: 'paid', types: ['boolean'], nullable: true, firstSeen: '', lastSeen: '' },
    ],
  },
};

const EXPECTED_SQL = [
  'CREATE OR REPLACE VIEW `dfs`.`tmp`.`orders` AS',
  'SELECT t.`stream`, t.`shard_id`, t.`sequence_number`, t.`sub_sequence_number`, t.`partition_key`, t.`explicit_hash_key`, t.`arrival_time`, t.`data`, t.`payload`, \'archive\' AS `source`, ' +
    'CAST(t.`payload`.`amount` AS DOUBLE) AS `amount`, CAST(t.`payload`.`customer`.`id` AS VARCHAR) AS `customer_id`, ' +
    'CAST(t.`payload`.`data` AS VARCHAR) AS `payload_data`, CAST(t.`payload`.`id` AS BIGINT) AS `id`, ' +
    'CAST(t.`payload`.`paid` AS BOOLEAN) AS `paid`',
  'FROM (SELECT a.`stream`, a.`shard_id`, a.`sequence_number`, a.`sub_sequence_number`, a.`partition_key`, a.`explicit_hash_key`, a.`arrival_time`, ' +
    "COALESCE(a.`data`, CAST(a.`data_json` AS VARBINARY)) AS `data`, convert_from(COALESCE(a.`data`, CAST(a.`data_json` AS VARBINARY)), 'JSON') AS `payload` " +
    'FROM `s3`.`archive`.`orders` a) t',
].join('\n');

async function withDrill(respond: (r: RecordedRequest) => CannedResponse, run: (sync: DrillViewSync, requests: RecordedRequest[]) => Promise<void>) {
  const server = await startRecordingServer(respond);
  try {
    await run(new DrillViewSync(server.url, 'dfs.tmp', 's3.archive'), server.requests);
  } finally {
    await server.close();
  }
}

describe('DrillViewSync (contract)', () => {
  it('generates a view with the archive columns (data whole on both layouts: data_json folded in), payload and one typed column per scalar JSON field', () => {
    expect(drillViewSql(table, 'dfs.tmp', 's3.archive')).toBe(EXPECTED_SQL);
  });

  it('creates the view with POST /query.json and accepts the documented success result', async () => {
    await withDrill(
      () => ({
        status: 200,
        body: JSON.stringify({
          queryId: '1a2b3c4d-0000-0000-0000-000000000000',
          columns: ['ok', 'summary'],
          rows: [{ ok: 'true', summary: "View 'orders' replaced successfully in 'dfs.tmp' schema" }],
          metadata: ['BIT', 'VARCHAR'],
          queryState: 'COMPLETED',
          attemptedAutoLimit: 0,
        }),
      }),
      async (sync, requests) => {
        await sync.ensureTable(table);
        expect(requests).toHaveLength(1);
        expect(requests[0]).toMatchObject({ method: 'POST', url: '/query.json' });
        expect(requests[0].headers['content-type']).toBe('application/json');
        expect(JSON.parse(requests[0].body)).toEqual({ queryType: 'SQL', query: EXPECTED_SQL });
      },
    );
  });

  it('fails with Drill\'s errorMessage when the query is rejected', async () => {
    await withDrill(
      () => ({ status: 500, body: JSON.stringify({ errorMessage: "VALIDATION ERROR: Schema [dfs.tmp] is immutable." }) }),
      async (sync) => {
        await expect(sync.ensureTable(table)).rejects.toThrow(/drill: HTTP 500: VALIDATION ERROR: Schema \[dfs.tmp\] is immutable/);
      },
    );
  });

  it('fails when the CREATE VIEW result row says ok=false', async () => {
    await withDrill(
      () => ({ status: 200, body: JSON.stringify({ queryId: 'q', columns: ['ok', 'summary'], rows: [{ ok: 'false', summary: 'A non-view table with given name [orders] already exists in schema [dfs.tmp]' }], queryState: 'COMPLETED' }) }),
      async (sync) => {
        await expect(sync.ensureTable(table)).rejects.toThrow(/already exists in schema/);
      },
    );
  });

  it('builds a view without JSON parsing or typed columns for a binary stream, named exactly like the stream', () => {
    const sql = drillViewSql({ ...table, stream: 'Click-Stream', schema: { ...table.schema!, format: 'binary', fields: [] } }, 'dfs.flux', 'dfs');
    expect(sql).toBe(
      [
        'CREATE OR REPLACE VIEW `dfs`.`flux`.`Click-Stream` AS',
        "SELECT t.`stream`, t.`shard_id`, t.`sequence_number`, t.`sub_sequence_number`, t.`partition_key`, t.`explicit_hash_key`, t.`arrival_time`, t.`data`, t.`payload`, 'archive' AS `source`",
        'FROM (SELECT a.`stream`, a.`shard_id`, a.`sequence_number`, a.`sub_sequence_number`, a.`partition_key`, a.`explicit_hash_key`, a.`arrival_time`, ' +
          'COALESCE(a.`data`, CAST(a.`data_json` AS VARBINARY)) AS `data`, CAST(NULL AS VARCHAR) AS `payload` FROM `dfs`.`Click-Stream` a) t',
      ].join('\n'),
    );
  });
});
