import { PgError, type PgField } from './pg-messages';

/** PostgreSQL type OIDs the gateway answers with (pg_type.dat). */
export const OID = {
  bool: 16,
  bytea: 17,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
  unknown: 705,
} as const;

const TYPE_SIZE: Record<number, number> = { 16: 1, 20: 8, 21: 2, 23: 4, 700: 4, 701: 8, 1082: 4, 1083: 8, 1114: 8, 1184: 8, 1186: 16, 2950: 16 };

/**
 * The PostgreSQL type a DuckDB result column is answered as. Stream tables' arrival_time is a UTC TIMESTAMP, so
 * every timestamp is a timestamptz; nested types (lists, structs, maps) are answered as JSON.
 */
export function pgTypeOf(duckType: string): { oid: number; typmod: number } {
  const t = duckType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return { oid: OID.numeric, typmod: ((Number(decimal[1]) << 16) | Number(decimal[2])) + 4 };
  if (/\[\]$|^STRUCT|^MAP|^UNION|\[\d+\]$/.test(t)) return { oid: OID.json, typmod: -1 };
  const simple: Record<string, number> = {
    BOOLEAN: OID.bool,
    TINYINT: OID.int2,
    SMALLINT: OID.int2,
    UTINYINT: OID.int2,
    INTEGER: OID.int4,
    USMALLINT: OID.int4,
    BIGINT: OID.int8,
    UINTEGER: OID.int8,
    HUGEINT: OID.numeric,
    UBIGINT: OID.numeric,
    UHUGEINT: OID.numeric,
    FLOAT: OID.float4,
    DOUBLE: OID.float8,
    VARCHAR: OID.text,
    JSON: OID.json,
    BLOB: OID.bytea,
    DATE: OID.date,
    TIME: OID.time,
    TIMESTAMP: OID.timestamptz,
    'TIMESTAMP WITH TIME ZONE': OID.timestamptz,
    TIMESTAMP_S: OID.timestamptz,
    TIMESTAMP_MS: OID.timestamptz,
    TIMESTAMP_NS: OID.timestamptz,
    INTERVAL: OID.interval,
    UUID: OID.uuid,
  };
  return { oid: simple[t] ?? OID.text, typmod: -1 };
}

/** Types whose binary form we write; a client asking binary for another type gets it described as text. */
const BINARY_OUT = new Set<number>([OID.bool, OID.bytea, OID.int2, OID.int4, OID.int8, OID.float4, OID.float8, OID.text, OID.json, OID.varchar, OID.date, OID.timestamptz, OID.timestamp]);

/** The RowDescription field of a column, in the format the client asked for (Bind's result formats). */
export function fieldOf(name: string, duckType: string, format: number): PgField {
  let { oid, typmod } = pgTypeOf(duckType);
  if (format === 1 && !BINARY_OUT.has(oid)) {
    oid = OID.text;
    typmod = -1;
  }
  return { name, typeOid: oid, typeSize: TYPE_SIZE[oid] ?? -1, typeModifier: typmod, format };
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

/** Microseconds since 2000-01-01 UTC of a `YYYY-MM-DD HH:MM:SS[.ffffff][+00]` text. */
function pgMicros(text: string): bigint {
  const m = /^(\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?/.exec(text);
  if (!m) throw new PgError('22007', `cannot encode ${text} as a binary timestamp`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const frac = BigInt((m[7] ?? '').padEnd(6, '0') || '0');
  return BigInt(ms - PG_EPOCH_MS) * 1000n + frac;
}

/** One value in the column's wire form: PostgreSQL text output as UTF-8, or the binary form (format 1). */
export function encodeValue(text: string | null, field: PgField): Buffer | null {
  if (text === null) return null;
  if (field.format === 0) return Buffer.from(text, 'utf8');
  const b8 = () => Buffer.alloc(8);
  switch (field.typeOid) {
    case OID.bool:
      return Buffer.from([text === 't' ? 1 : 0]);
    case OID.int2: {
      const b = Buffer.alloc(2);
      b.writeInt16BE(Number(text));
      return b;
    }
    case OID.int4: {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(text));
      return b;
    }
    case OID.int8: {
      const b = b8();
      b.writeBigInt64BE(BigInt(text));
      return b;
    }
    case OID.float4: {
      const b = Buffer.alloc(4);
      b.writeFloatBE(Number(text));
      return b;
    }
    case OID.float8: {
      const b = b8();
      b.writeDoubleBE(Number(text));
      return b;
    }
    case OID.bytea:
      return Buffer.from(text.replace(/^\\x/, ''), 'hex');
    case OID.date: {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(pgMicros(text) / 86_400_000_000n));
      return b;
    }
    case OID.timestamp:
    case OID.timestamptz: {
      const b = b8();
      b.writeBigInt64BE(pgMicros(text));
      return b;
    }
    default:
      return Buffer.from(text, 'utf8');
  }
}

/** A bound parameter, decoded to PostgreSQL text input (binary parameters of the common types are converted). */
export function decodeParameter(value: Buffer | null, format: number, typeOid: number): string | null {
  if (value === null) return null;
  if (format === 0) return value.toString('utf8');
  switch (typeOid) {
    case OID.bool:
      return value[0] ? 't' : 'f';
    case OID.int2:
      return String(value.readInt16BE(0));
    case OID.int4:
      return String(value.readInt32BE(0));
    case OID.int8:
      return value.readBigInt64BE(0).toString();
    case OID.float4:
      return String(value.readFloatBE(0));
    case OID.float8:
      return String(value.readDoubleBE(0));
    case OID.bytea:
      return `\\x${value.toString('hex')}`;
    case OID.timestamp:
    case OID.timestamptz: {
      const micros = value.readBigInt64BE(0);
      const ms = Number(micros / 1000n) + PG_EPOCH_MS;
      const frac = String(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).padStart(6, '0');
      return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${frac}+00`;
    }
    case OID.date:
      return new Date(value.readInt32BE(0) * 86_400_000 + PG_EPOCH_MS).toISOString().slice(0, 10);
    case 0:
    case OID.text:
    case OID.varchar:
    case OID.json:
    case OID.name:
    case OID.unknown:
      return value.toString('utf8');
    default:
      throw new PgError('0A000', `binary parameters of type ${typeOid} are not supported; send them as text`);
  }
}

/** A parameter as a DuckDB literal: the value is quoted (never spliced raw), cast when the client named its type. */
export function sqlLiteral(value: string | null, typeOid: number): string {
  if (value === null) return 'NULL';
  const quoted = `'${value.replace(/'/g, "''")}'`;
  switch (typeOid) {
    case OID.int2:
    case OID.int4:
    case OID.int8:
      return `CAST(${quoted} AS BIGINT)`;
    case OID.float4:
    case OID.float8:
      return `CAST(${quoted} AS DOUBLE)`;
    case OID.numeric:
      return `CAST(${quoted} AS DECIMAL(38,10))`;
    case OID.bool:
      return `CAST(${quoted} AS BOOLEAN)`;
    case OID.bytea:
      return `from_hex(${`'${value.replace(/^\\x/, '').replace(/'/g, "''")}'`})`;
    case OID.timestamp:
    case OID.timestamptz:
      return `CAST(${quoted} AS TIMESTAMPTZ)`;
    case OID.date:
      return `CAST(${quoted} AS DATE)`;
    default:
      // untyped (node-postgres sends OID 0): DuckDB casts a string literal to whatever the context needs (`LIMIT $1`)
      return quoted;
  }
}
