/**
 * CONTRACT test: a Hive metastore cannot run here. HiveMetastoreSync talks to a TCP server that decodes each
 * Thrift binary-protocol call generically (field ids and wire types, nothing borrowed from our client) and answers
 * with a hand-encoded reply. We assert the calls against hive_metastore.thrift: create_table(1: Table) with
 * Table{1 tableName, 2 dbName, 3 owner, 7 sd, 8 partitionKeys, 9 parameters, 12 tableType},
 * StorageDescriptor{1 cols, 2 location, 3 inputFormat, 4 outputFormat, 5 compressed, 6 numBuckets, 7 serdeInfo, ...},
 * add_partitions_req(1: AddPartitionsRequest{1 dbName, 2 tblName, 3 parts, 4 ifNotExists, 5 needResult}), and
 * alter_partitions(1: string db_name, 2: string tbl_name, 3: list<Partition> new_parts)
 * throws (1: InvalidOperationException, 2: MetaException) for partitions a compaction moved.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { HiveMetastoreSync } from '../../src/metastore/hive-metastore-sync';
import type { StreamTable } from '../../src/metastore/metastore.types';
import { TBinaryProtocol, TBufferedTransport, Thrift, type TProtocol } from 'thrift';

const T = Thrift.Type;

/** Decodes any Thrift value into plain JS: structs become {fieldId: value}. */
function readValue(p: TProtocol, type: Thrift.Type): unknown {
  switch (type) {
    case T.BOOL:
      return p.readBool();
    case T.BYTE:
      return p.readByte();
    case T.I16:
      return p.readI16();
    case T.I32:
      return p.readI32();
    case T.I64:
      return p.readI64().toNumber();
    case T.DOUBLE:
      return p.readDouble();
    case T.STRING:
      return p.readString();
    case T.STRUCT: {
      const out: Record<number, unknown> = {};
      p.readStructBegin();
      for (;;) {
        const f = p.readFieldBegin();
        if (f.ftype === T.STOP) break;
        out[f.fid] = { type: f.ftype, value: readValue(p, f.ftype) };
        p.readFieldEnd();
      }
      p.readStructEnd();
      return out;
    }
    case T.LIST:
    case T.SET: {
      const l = type === T.LIST ? p.readListBegin() : p.readSetBegin();
      const items = Array.from({ length: l.size }, () => readValue(p, l.etype));
      if (type === T.LIST) p.readListEnd();
      else p.readSetEnd();
      return items;
    }
    case T.MAP: {
      const m = p.readMapBegin();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < m.size; i++) out[String(readValue(p, m.ktype))] = readValue(p, m.vtype);
      p.readMapEnd();
      return out;
    }
    default:
      throw new Error(`unexpected thrift type ${type}`);
  }
}

interface Call {
  name: string;
  type: number;
  args: Record<number, { type: number; value: unknown }>;
}

/** Strips wire types for readable assertions, keeping field ids. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, x && typeof x === 'object' && 'type' in x && 'value' in x ? plain((x as { value: unknown }).value) : plain(x)]),
    );
  }
  return v;
}

type Reply = { exceptionFieldId: number; message: string } | null;

async function startFakeMetastore(reply: (call: Call) => Reply) {
  const calls: Call[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on(
      'data',
      TBufferedTransport.receiver((transport) => {
        const p = new TBinaryProtocol(transport);
        try {
          const msg = p.readMessageBegin();
          const args = readValue(p, T.STRUCT) as Call['args'];
          p.readMessageEnd();
          transport.commitPosition();
          const call = { name: msg.fname, type: msg.mtype, args };
          calls.push(call);
          const r = reply(call);
          const out = new TBinaryProtocol(new TBufferedTransport(undefined, (buf?: Buffer) => buf && socket.write(buf)));
          out.writeMessageBegin(msg.fname, Thrift.MessageType.REPLY, msg.rseqid);
          out.writeStructBegin(`${msg.fname}_result`);
          if (r) {
            out.writeFieldBegin('o', T.STRUCT, r.exceptionFieldId);
            out.writeStructBegin('Exception');
            out.writeFieldBegin('message', T.STRING, 1);
            out.writeString(r.message);
            out.writeFieldEnd();
            out.writeFieldStop();
            out.writeStructEnd();
            out.writeFieldEnd();
          }
          out.writeFieldStop();
          out.writeStructEnd();
          out.writeMessageEnd();
          out.flush();
        } catch {
          // an incomplete message: wait for more bytes
          transport.rollbackPosition();
        }
      }, 0),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const table: StreamTable = { stream: 'orders', tableName: 'orders', location: 's3://bucket/archive/orders', schema: null };

const expectedSd = (location: string) => ({
  1: [
    { 1: 'stream', 2: 'string', 3: 'Stream name' },
    { 1: 'shard_id', 2: 'string', 3: 'Shard the record was read from' },
    { 1: 'sequence_number', 2: 'string', 3: 'Kinesis sequence number (decimal string, up to 128 bits)' },
    { 1: 'sub_sequence_number', 2: 'bigint', 3: 'Position inside a KPL aggregate; 0 when not aggregated' },
    { 1: 'partition_key', 2: 'string', 3: 'Partition key (of the user record for KPL aggregates)' },
    { 1: 'explicit_hash_key', 2: 'string', 3: 'Explicit hash key when the producer set one' },
    { 1: 'arrival_time', 2: 'timestamp', 3: 'Approximate arrival timestamp: an instant (UTC-adjusted), millisecond precision' },
    { 1: 'data', 2: 'binary', 3: 'The record data, byte for byte, when it is not UTF-8 JSON (NULL when data_json holds it)' },
    { 1: 'data_json', 2: 'string', 3: 'The record data when it is UTF-8 JSON: its text, byte for byte (Parquet JSON logical type; data is NULL then)' },
  ],
  2: location,
  3: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  4: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  5: false,
  6: -1,
  7: { 1: '', 2: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', 3: { 'serialization.format': '1' } },
  8: [],
  9: [],
  10: {},
});

describe('HiveMetastoreSync (contract)', () => {
  it('creates the external Parquet table with create_table(1: Table)', async () => {
    const hms = await startFakeMetastore(() => null);
    try {
      await new HiveMetastoreSync('127.0.0.1', hms.port, 'flux').ensureTable(table);
      expect(hms.calls).toHaveLength(1);
      const [call] = hms.calls;
      expect(call.name).toBe('create_table');
      expect(call.type).toBe(Thrift.MessageType.CALL);
      expect(Object.keys(call.args)).toEqual(['1']);
      expect(call.args[1].type).toBe(T.STRUCT);
      const tbl = call.args[1].value as Record<number, { type: number; value: unknown }>;
      // wire types per the IDL: strings, i32 times, struct sd, list partitionKeys, map parameters
      expect(Object.fromEntries(Object.entries(tbl).map(([id, f]) => [id, f.type]))).toEqual({
        1: T.STRING, 2: T.STRING, 3: T.STRING, 4: T.I32, 5: T.I32, 6: T.I32, 7: T.STRUCT, 8: T.LIST, 9: T.MAP, 12: T.STRING,
      });
      const t = plain(tbl) as Record<number, unknown>;
      expect(t[1]).toBe('orders');
      expect(t[2]).toBe('flux');
      expect(t[3]).toBe('flux-capacitor');
      expect(t[7]).toEqual(expectedSd('s3://bucket/archive/orders/'));
      expect(t[8]).toEqual([
        { 1: 'dt', 2: 'string', 3: 'Arrival date (UTC), YYYY-MM-DD' },
        { 1: 'hour', 2: 'string', 3: 'Arrival hour (UTC), 00-23' },
      ]);
      expect(t[9]).toEqual({ EXTERNAL: 'TRUE', 'flux.stream': 'orders' });
      expect(t[12]).toBe('EXTERNAL_TABLE');
    } finally {
      await hms.close();
    }
  });

  it('treats AlreadyExistsException (create_table result field 1) as success, and fails on MetaException', async () => {
    const exists = await startFakeMetastore(() => ({ exceptionFieldId: 1, message: 'Table flux.orders already exists' }));
    try {
      await expect(new HiveMetastoreSync('127.0.0.1', exists.port, 'flux').ensureTable(table)).resolves.toBeUndefined();
    } finally {
      await exists.close();
    }
    const broken = await startFakeMetastore(() => ({ exceptionFieldId: 3, message: 'Database flux does not exist' }));
    try {
      const err = await new HiveMetastoreSync('127.0.0.1', broken.port, 'flux').ensureTable(table).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'METASTORE_SYNC_FAILED', metastore: 'hive' });
      expect((err as Error).cause).toMatchObject({ type: 'MetaException', message: 'MetaException: Database flux does not exist' });
    } finally {
      await broken.close();
    }
  });

  it('adds partitions with add_partitions_req(ifNotExists=true)', async () => {
    const hms = await startFakeMetastore(() => null);
    try {
      await new HiveMetastoreSync('127.0.0.1', hms.port, 'flux').addPartitions(table, [
        { dt: '2026-11-25', hour: 7, location: 's3://bucket/archive/orders/dt=2026-11-25/hour=07' },
        { dt: '2026-11-25', hour: 8, location: 's3://bucket/archive/orders/dt=2026-11-25/hour=08' },
      ]);
      expect(hms.calls.map((c) => c.name)).toEqual(['add_partitions_req']);
      const req = plain(hms.calls[0].args[1].value) as Record<number, unknown>;
      expect(req[1]).toBe('flux');
      expect(req[2]).toBe('orders');
      expect(req[4]).toBe(true);
      expect(req[5]).toBe(false);
      const parts = req[3] as Record<number, unknown>[];
      expect(parts).toHaveLength(2);
      expect(parts[1][1]).toEqual(['2026-11-25', '08']);
      expect(parts[1][2]).toBe('flux');
      expect(parts[1][3]).toBe('orders');
      expect(parts[1][6]).toEqual(expectedSd('s3://bucket/archive/orders/dt=2026-11-25/hour=08/'));
    } finally {
      await hms.close();
    }
  });

  it('moves a partition a compaction rewrote to its folder with alter_partitions, after add_partitions_req', async () => {
    const moved = 's3://bucket/archive/orders/_compacted/dt=2026-11-25/hour=08/gmilu0abc123';
    const hms = await startFakeMetastore(() => null);
    try {
      await new HiveMetastoreSync('127.0.0.1', hms.port, 'flux').addPartitions(table, [
        { dt: '2026-11-25', hour: 7, location: 's3://bucket/archive/orders/dt=2026-11-25/hour=07' },
        { dt: '2026-11-25', hour: 8, location: moved },
      ]);
      expect(hms.calls.map((c) => c.name)).toEqual(['add_partitions_req', 'alter_partitions']);
      const alter = hms.calls[1].args;
      expect([alter[1].type, alter[2].type, alter[3].type]).toEqual([T.STRING, T.STRING, T.LIST]);
      const args = plain(alter) as Record<number, unknown>;
      expect(args[1]).toBe('flux');
      expect(args[2]).toBe('orders');
      const parts = args[3] as Record<number, unknown>[];
      expect(parts).toHaveLength(1);
      expect(parts[0][1]).toEqual(['2026-11-25', '08']);
      expect(parts[0][6]).toEqual(expectedSd(`${moved}/`));
    } finally {
      await hms.close();
    }
    const refusing = await startFakeMetastore((call) => (call.name === 'alter_partitions' ? { exceptionFieldId: 1, message: 'alter is not possible' } : null));
    try {
      const err = await new HiveMetastoreSync('127.0.0.1', refusing.port, 'flux').addPartitions(table, [{ dt: '2026-11-25', hour: 8, location: moved }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'METASTORE_SYNC_FAILED', metastore: 'hive' });
      expect((err as Error).cause).toMatchObject({ type: 'InvalidOperationException' });
    } finally {
      await refusing.close();
    }
  });

  it('fails with a MetastoreSyncError when the metastore is unreachable', async () => {
    const hms = await startFakeMetastore(() => null);
    const port = hms.port;
    await hms.close();
    await expect(new HiveMetastoreSync('127.0.0.1', port, 'flux').ensureTable(table)).rejects.toMatchObject({ code: 'METASTORE_SYNC_FAILED' });
  });
});
