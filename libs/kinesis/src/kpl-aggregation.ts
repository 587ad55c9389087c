import { createHash } from 'node:crypto';

/**
 * The Kinesis Producer Library's aggregated record format
 * (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md):
 *
 *   magic F3 89 9A C2 | protobuf AggregatedRecord | MD5(protobuf) (16 bytes)
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *                              repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *                    required bytes data = 3; repeated Tag tags = 4; }
 *
 * The protobuf is small and fixed, so it is decoded by hand here rather than through a schema compiler.
 */
export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
/**
 * What base64 data starts with when its bytes start with KPL_MAGIC: the first five characters hold its first 30 bits
 * (a reader of base64 data decodes only the records that start so).
 */
export const KPL_MAGIC_BASE64_PREFIX = KPL_MAGIC.toString('base64').slice(0, 5);
const MD5_LENGTH = 16;

export interface UserRecord {
  /** Position inside the aggregate; 0 for a record that is not aggregated. */
  subSequenceNumber: number;
  partitionKey: string;
  explicitHashKey: string | null;
  data: Uint8Array;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly end = buf.length) {}
  get done() {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.bytes();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeAggregate(message: Uint8Array): { pks: string[]; ehks: string[]; records: { pk: number; ehk: number | null; data: Uint8Array }[] } {
  const r = new Reader(message);
  const pks: string[] = [];
  const ehks: string[] = [];
  const records: { pk: number; ehk: number | null; data: Uint8Array }[] = [];
  while (!r.done) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === 2) pks.push(utf8.decode(r.bytes()));
    else if (field === 2 && wire === 2) ehks.push(utf8.decode(r.bytes()));
    else if (field === 3 && wire === 2) {
      const inner = r.bytes();
      const ir = new Reader(inner);
      let pk: number | undefined;
      let ehk: number | null = null;
      let data: Uint8Array | undefined;
      while (!ir.done) {
        const t = Number(ir.varint());
        const f = t >>> 3;
        const w = t & 7;
        if (f === 1 && w === 0) pk = Number(ir.varint());
        else if (f === 2 && w === 0) ehk = Number(ir.varint());
        else if (f === 3 && w === 2) data = ir.bytes();
        else ir.skip(w);
      }
      if (pk === undefined || data === undefined) throw new Error('aggregated record without partition key index or data');
      records.push({ pk, ehk, data });
    } else r.skip(wire);
  }
  return { pks, ehks, records };
}

/**
 * Whether `data` is long enough for an aggregate and starts with the KPL magic bytes: four byte comparisons, no
 * subarray or Buffer.equals, as it runs for every record read (almost all of them not aggregated).
 */
export function startsWithKplMagic(data: Uint8Array): boolean {
  return (
    data.length >= KPL_MAGIC.length + MD5_LENGTH &&
    data[0] === KPL_MAGIC[0] &&
    data[1] === KPL_MAGIC[1] &&
    data[2] === KPL_MAGIC[2] &&
    data[3] === KPL_MAGIC[3]
  );
}

/**
 * The user records inside one Kinesis record. An aggregate (magic bytes, a valid protobuf and a matching MD5)
 * yields one user record per entry, numbered by sub-sequence; anything else is one record, byte for byte, exactly
 * as the KCL treats data that merely starts with the magic bytes.
 */
export function deaggregate(data: Uint8Array, partitionKey: string, explicitHashKey: string | null): UserRecord[] {
  const plain = [{ subSequenceNumber: 0, partitionKey, explicitHashKey, data }];
  if (!startsWithKplMagic(data)) return plain;
  const message = data.subarray(KPL_MAGIC.length, data.length - MD5_LENGTH);
  const digest = createHash('md5').update(message).digest();
  if (!digest.equals(data.subarray(data.length - MD5_LENGTH))) return plain;
  let decoded;
  try {
    decoded = decodeAggregate(message);
  } catch {
    return plain;
  }
  const { pks, ehks, records } = decoded;
  if (records.some((rec) => rec.pk >= pks.length || (rec.ehk !== null && rec.ehk >= ehks.length))) return plain;
  return records.map((rec, i) => ({
    subSequenceNumber: i,
    partitionKey: pks[rec.pk],
    explicitHashKey: rec.ehk === null ? null : ehks[rec.ehk],
    data: rec.data,
  }));
}

function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

const field = (num: number, wire: number) => varint((num << 3) | wire);
const lengthDelimited = (num: number, payload: Uint8Array) => Buffer.concat([field(num, 2), varint(payload.length), payload]);

/** Builds a KPL aggregated record (what the KPL sends), for tests and the benchmark's producer. */
export function aggregate(records: { partitionKey: string; explicitHashKey?: string | null; data: Uint8Array }[]): Buffer {
  const pks: string[] = [];
  const ehks: string[] = [];
  const index = (table: string[], v: string) => {
    const i = table.indexOf(v);
    if (i >= 0) return i;
    table.push(v);
    return table.length - 1;
  };
  const entries = records.map((r) => {
    const parts = [field(1, 0), varint(index(pks, r.partitionKey))];
    if (r.explicitHashKey) parts.push(field(2, 0), varint(index(ehks, r.explicitHashKey)));
    parts.push(lengthDelimited(3, r.data));
    return Buffer.concat(parts);
  });
  const message = Buffer.concat([
    ...pks.map((pk) => lengthDelimited(1, Buffer.from(pk, 'utf8'))),
    ...ehks.map((h) => lengthDelimited(2, Buffer.from(h, 'utf8'))),
    ...entries.map((e) => lengthDelimited(3, e)),
  ]);
  return Buffer.concat([KPL_MAGIC, message, createHash('md5').update(message).digest()]);
}
