import { FluxError, type ErrorKind } from '@flux-capacitor/contracts';
import { Thrift, type TProtocol, type TTransport } from 'thrift';

/**
 * The slice of Hive's ThriftHiveMetastore service the catalog uses, written by hand from hive_metastore.thrift
 * (field ids and types as in the IDL) instead of generated code, for two calls:
 *   void create_table(1: Table tbl) throws (1: AlreadyExistsException, 2: InvalidObjectException,
 *                                          3: MetaException, 4: NoSuchObjectException)
 *   AddPartitionsResult add_partitions_req(1: AddPartitionsRequest request)
 *       throws (1: InvalidObjectException, 2: AlreadyExistsException, 3: MetaException)
 * It follows the shape of a thrift-generated Node client, so `thrift.createClient` drives it over a connection.
 */

export interface HiveFieldSchema {
  name: string;
  type: string;
  comment: string;
}

export interface HiveStorageDescriptor {
  cols: HiveFieldSchema[];
  location: string;
  inputFormat: string;
  outputFormat: string;
  compressed: boolean;
  numBuckets: number;
  serdeInfo: { name: string; serializationLib: string; parameters: Record<string, string> };
  bucketCols: string[];
  sortCols: never[];
  parameters: Record<string, string>;
}

export interface HiveTable {
  tableName: string;
  dbName: string;
  owner: string;
  createTime: number;
  lastAccessTime: number;
  retention: number;
  sd: HiveStorageDescriptor;
  partitionKeys: HiveFieldSchema[];
  parameters: Record<string, string>;
  tableType: 'EXTERNAL_TABLE';
}

export interface HivePartition {
  values: string[];
  dbName: string;
  tableName: string;
  createTime: number;
  lastAccessTime: number;
  sd: HiveStorageDescriptor;
  parameters: Record<string, string>;
}

export interface HiveAddPartitionsRequest {
  dbName: string;
  tblName: string;
  parts: HivePartition[];
  ifNotExists: boolean;
  needResult: boolean;
}

const KIND_OF_HIVE_EXCEPTION: Record<string, ErrorKind> = {
  AlreadyExistsException: 'conflict',
  NoSuchObjectException: 'not-found',
  InvalidObjectException: 'invalid-input',
  InvalidOperationException: 'invalid-input',
};

/** An exception the metastore declared (AlreadyExistsException, MetaException, ...), by its IDL name. */
export class HiveMetastoreException extends FluxError {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(KIND_OF_HIVE_EXCEPTION[type] ?? 'unavailable', 'HIVE_METASTORE_EXCEPTION', `${type}: ${message}`, { details: { type } });
  }
}

const T = Thrift.Type;

function writeString(p: TProtocol, name: string, id: number, value: string): void {
  p.writeFieldBegin(name, T.STRING, id);
  p.writeString(value);
  p.writeFieldEnd();
}

function writeI32(p: TProtocol, name: string, id: number, value: number): void {
  p.writeFieldBegin(name, T.I32, id);
  p.writeI32(value);
  p.writeFieldEnd();
}

function writeBool(p: TProtocol, name: string, id: number, value: boolean): void {
  p.writeFieldBegin(name, T.BOOL, id);
  p.writeBool(value);
  p.writeFieldEnd();
}

function writeStringMap(p: TProtocol, name: string, id: number, map: Record<string, string>): void {
  const entries = Object.entries(map);
  p.writeFieldBegin(name, T.MAP, id);
  p.writeMapBegin(T.STRING, T.STRING, entries.length);
  for (const [k, v] of entries) {
    p.writeString(k);
    p.writeString(v);
  }
  p.writeMapEnd();
  p.writeFieldEnd();
}

function writeStringList(p: TProtocol, name: string, id: number, list: string[]): void {
  p.writeFieldBegin(name, T.LIST, id);
  p.writeListBegin(T.STRING, list.length);
  for (const s of list) p.writeString(s);
  p.writeListEnd();
  p.writeFieldEnd();
}

function writeStructList<V>(p: TProtocol, name: string, id: number, list: V[], write: (p: TProtocol, v: V) => void): void {
  p.writeFieldBegin(name, T.LIST, id);
  p.writeListBegin(T.STRUCT, list.length);
  for (const v of list) write(p, v);
  p.writeListEnd();
  p.writeFieldEnd();
}

function writeStruct<V>(p: TProtocol, name: string, id: number, value: V, write: (p: TProtocol, v: V) => void): void {
  p.writeFieldBegin(name, T.STRUCT, id);
  write(p, value);
  p.writeFieldEnd();
}

function fieldSchema(p: TProtocol, f: HiveFieldSchema): void {
  p.writeStructBegin('FieldSchema');
  writeString(p, 'name', 1, f.name);
  writeString(p, 'type', 2, f.type);
  writeString(p, 'comment', 3, f.comment);
  p.writeFieldStop();
  p.writeStructEnd();
}

function serDeInfo(p: TProtocol, s: HiveStorageDescriptor['serdeInfo']): void {
  p.writeStructBegin('SerDeInfo');
  writeString(p, 'name', 1, s.name);
  writeString(p, 'serializationLib', 2, s.serializationLib);
  writeStringMap(p, 'parameters', 3, s.parameters);
  p.writeFieldStop();
  p.writeStructEnd();
}

function storageDescriptor(p: TProtocol, sd: HiveStorageDescriptor): void {
  p.writeStructBegin('StorageDescriptor');
  writeStructList(p, 'cols', 1, sd.cols, fieldSchema);
  writeString(p, 'location', 2, sd.location);
  writeString(p, 'inputFormat', 3, sd.inputFormat);
  writeString(p, 'outputFormat', 4, sd.outputFormat);
  writeBool(p, 'compressed', 5, sd.compressed);
  writeI32(p, 'numBuckets', 6, sd.numBuckets);
  writeStruct(p, 'serdeInfo', 7, sd.serdeInfo, serDeInfo);
  writeStringList(p, 'bucketCols', 8, sd.bucketCols);
  writeStructList(p, 'sortCols', 9, sd.sortCols, () => undefined);
  writeStringMap(p, 'parameters', 10, sd.parameters);
  p.writeFieldStop();
  p.writeStructEnd();
}

function table(p: TProtocol, t: HiveTable): void {
  p.writeStructBegin('Table');
  writeString(p, 'tableName', 1, t.tableName);
  writeString(p, 'dbName', 2, t.dbName);
  writeString(p, 'owner', 3, t.owner);
  writeI32(p, 'createTime', 4, t.createTime);
  writeI32(p, 'lastAccessTime', 5, t.lastAccessTime);
  writeI32(p, 'retention', 6, t.retention);
  writeStruct(p, 'sd', 7, t.sd, storageDescriptor);
  writeStructList(p, 'partitionKeys', 8, t.partitionKeys, fieldSchema);
  writeStringMap(p, 'parameters', 9, t.parameters);
  writeString(p, 'tableType', 12, t.tableType);
  p.writeFieldStop();
  p.writeStructEnd();
}

function partition(p: TProtocol, part: HivePartition): void {
  p.writeStructBegin('Partition');
  writeStringList(p, 'values', 1, part.values);
  writeString(p, 'dbName', 2, part.dbName);
  writeString(p, 'tableName', 3, part.tableName);
  writeI32(p, 'createTime', 4, part.createTime);
  writeI32(p, 'lastAccessTime', 5, part.lastAccessTime);
  writeStruct(p, 'sd', 6, part.sd, storageDescriptor);
  writeStringMap(p, 'parameters', 7, part.parameters);
  p.writeFieldStop();
  p.writeStructEnd();
}

function addPartitionsRequest(p: TProtocol, r: HiveAddPartitionsRequest): void {
  p.writeStructBegin('AddPartitionsRequest');
  writeString(p, 'dbName', 1, r.dbName);
  writeString(p, 'tblName', 2, r.tblName);
  writeStructList(p, 'parts', 3, r.parts, partition);
  writeBool(p, 'ifNotExists', 4, r.ifNotExists);
  writeBool(p, 'needResult', 5, r.needResult);
  p.writeFieldStop();
  p.writeStructEnd();
}

/** Reads `{1: string message}` of a declared exception, skipping anything else. */
function readExceptionMessage(p: TProtocol): string {
  let message = '';
  p.readStructBegin();
  for (;;) {
    const f = p.readFieldBegin();
    if (f.ftype === T.STOP) break;
    if (f.fid === 1 && f.ftype === T.STRING) message = p.readString();
    else p.skip(f.ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
  return message;
}

/** Reads a `<method>_result` struct: field 0 is the return value (skipped), fields 1.. the declared exceptions. */
function readResult(p: TProtocol, exceptions: Record<number, string>): HiveMetastoreException | null {
  let error: HiveMetastoreException | null = null;
  p.readStructBegin();
  for (;;) {
    const f = p.readFieldBegin();
    if (f.ftype === T.STOP) break;
    if (f.fid > 0 && f.ftype === T.STRUCT) error = new HiveMetastoreException(exceptions[f.fid] ?? `exception ${f.fid}`, readExceptionMessage(p));
    else p.skip(f.ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
  return error;
}

type Callback = (err: unknown, result?: unknown) => void;

const CREATE_TABLE_EXCEPTIONS = { 1: 'AlreadyExistsException', 2: 'InvalidObjectException', 3: 'MetaException', 4: 'NoSuchObjectException' };
const ADD_PARTITIONS_EXCEPTIONS = { 1: 'InvalidObjectException', 2: 'AlreadyExistsException', 3: 'MetaException' };
const ALTER_PARTITIONS_EXCEPTIONS = { 1: 'InvalidOperationException', 2: 'MetaException' };

export class ThriftHiveMetastoreClient {
  private seq = 0;
  // The thrift Connection reads these two members to route replies.
  _seqid = 0;
  _reqs: Record<number, Callback> = {};

  constructor(
    private readonly output: TTransport,
    private readonly pClass: new (trans: TTransport) => TProtocol,
  ) {}

  seqid(): number {
    return this._seqid;
  }

  new_seqid(): number {
    return (this._seqid = ++this.seq);
  }

  create_table(tbl: HiveTable, callback: Callback): void {
    this.send('create_table', callback, (p) => writeStruct(p, 'tbl', 1, tbl, table));
  }

  recv_create_table(input: TProtocol, mtype: Thrift.MessageType, rseqid: number): void {
    this.receive(input, mtype, rseqid, CREATE_TABLE_EXCEPTIONS);
  }

  add_partitions_req(request: HiveAddPartitionsRequest, callback: Callback): void {
    this.send('add_partitions_req', callback, (p) => writeStruct(p, 'request', 1, request, addPartitionsRequest));
  }

  recv_add_partitions_req(input: TProtocol, mtype: Thrift.MessageType, rseqid: number): void {
    this.receive(input, mtype, rseqid, ADD_PARTITIONS_EXCEPTIONS);
  }

  /** `alter_partitions(1: string db_name, 2: string tbl_name, 3: list<Partition> new_parts)`: replaces existing partitions. */
  alter_partitions(dbName: string, tblName: string, parts: HivePartition[], callback: Callback): void {
    this.send('alter_partitions', callback, (p) => {
      writeString(p, 'db_name', 1, dbName);
      writeString(p, 'tbl_name', 2, tblName);
      writeStructList(p, 'new_parts', 3, parts, partition);
    });
  }

  recv_alter_partitions(input: TProtocol, mtype: Thrift.MessageType, rseqid: number): void {
    this.receive(input, mtype, rseqid, ALTER_PARTITIONS_EXCEPTIONS);
  }

  private send(method: string, callback: Callback, writeArgs: (p: TProtocol) => void): void {
    const seqid = this.new_seqid();
    this._reqs[seqid] = callback;
    const p = new this.pClass(this.output);
    p.writeMessageBegin(method, Thrift.MessageType.CALL, seqid);
    p.writeStructBegin(`${method}_args`);
    writeArgs(p);
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeMessageEnd();
    p.flush();
  }

  private receive(input: TProtocol, mtype: Thrift.MessageType, rseqid: number, exceptions: Record<number, string>): void {
    const callback = this._reqs[rseqid] ?? (() => undefined);
    delete this._reqs[rseqid];
    if (mtype === Thrift.MessageType.EXCEPTION) {
      const x = new Thrift.TApplicationException();
      x.read(input);
      input.readMessageEnd();
      callback(x);
      return;
    }
    const error = readResult(input, exceptions);
    input.readMessageEnd();
    callback(error, undefined);
  }
}
