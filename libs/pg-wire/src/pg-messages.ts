/*
 * The PostgreSQL frontend/backend protocol 3.0 (postgresql.org/docs/current/protocol-message-formats.html): framing of
 * what clients send and encoders for what the server answers. No I/O here, so every message is unit-testable.
 */

export const PROTOCOL_3_0 = 196608;
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;

/** Largest message a client may send once authenticated (a statement text is at most 100,000 characters anyway). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Largest start-up packet (PostgreSQL's own limit is 10,000 bytes): read before anyone is authenticated. */
export const MAX_STARTUP_BYTES = 10_000;
/** Largest password message (an API token): read before anyone is authenticated. */
export const MAX_PASSWORD_BYTES = 4096;

export class PgProtocolError extends Error {}

/** A client message: its type byte (absent for the start-up packet) and its body. */
export interface FrontendMessage {
  type: string;
  body: Buffer;
}

/**
 * Splits the bytes a client sent into messages; `startup` reads the untyped start-up packet first. Chunks are kept
 * in a list and joined only once a whole message is there (joining per chunk costs quadratic time on a large one).
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Bytes received and not yet returned as messages. */
  get buffered(): number {
    return this.size;
  }

  /** The first n buffered bytes as one buffer (n <= size); the chunks are joined into one. */
  private head(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  /**
   * The next whole message, or undefined until more bytes arrive; a message declared longer than `maxBytes` is a
   * protocol violation, refused before its bytes are waited for.
   */
  next(startup: boolean, maxBytes = MAX_MESSAGE_BYTES): FrontendMessage | undefined {
    const head = startup ? 0 : 1;
    if (this.size < head + 4) return undefined;
    const first = this.head(head + 4);
    const length = first.readInt32BE(head);
    if (length < 4 || length > maxBytes) throw new PgProtocolError(`invalid message length ${length}`);
    if (this.size < head + length) return undefined;
    const all = this.head(head + length);
    const type = startup ? '' : String.fromCharCode(all[0]);
    const body = Buffer.from(all.subarray(head + 4, head + length));
    const rest = all.subarray(head + length);
    if (rest.length > 0) this.chunks[0] = rest;
    else this.chunks.shift();
    this.size -= head + length;
    return { type, body };
  }
}

/** Reads the fields of a message body in order. */
export class BodyReader {
  private offset = 0;
  constructor(private readonly body: Buffer) {}

  int16(): number {
    const v = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    const v = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw new PgProtocolError('unterminated string in message');
    const s = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (this.offset + n > this.body.length) throw new PgProtocolError('message shorter than its fields');
    const b = this.body.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  get done(): boolean {
    return this.offset >= this.body.length;
  }
}

/** Builds one backend message: type byte, length, fields. */
class MessageWriter {
  private readonly parts: Buffer[] = [];
  private size = 0;

  private add(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeUInt8(v);
    return this.add(b);
  }

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.add(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.add(b);
  }

  cstring(s: string): this {
    return this.add(Buffer.from(`${s}\0`, 'utf8'));
  }

  raw(b: Buffer): this {
    return this.add(b);
  }

  finish(type: string): Buffer {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([head, ...this.parts], 5 + this.size);
  }
}

export interface StartupPacket {
  code: number;
  /** user, database, application_name, options ... (protocol 3.x only) */
  params: Record<string, string>;
  /** CancelRequest's key */
  cancel?: { pid: number; secret: number };
}

export function parseStartup(body: Buffer): StartupPacket {
  const r = new BodyReader(body);
  const code = r.int32();
  if (code === CANCEL_REQUEST) return { code, params: {}, cancel: { pid: r.int32(), secret: r.int32() } };
  const params: Record<string, string> = {};
  if (code >> 16 === 3) {
    while (!r.done) {
      const key = r.cstring();
      if (key === '') break;
      params[key] = r.cstring();
    }
  }
  return { code, params };
}

/** A column of a RowDescription. */
export interface PgField {
  name: string;
  typeOid: number;
  typeSize: number;
  typeModifier: number;
  /** 0 text, 1 binary */
  format: number;
  tableOid?: number;
  columnId?: number;
}

export const msg = {
  authenticationOk: () => new MessageWriter().int32(0).finish('R'),
  authenticationCleartextPassword: () => new MessageWriter().int32(3).finish('R'),
  parameterStatus: (name: string, value: string) => new MessageWriter().cstring(name).cstring(value).finish('S'),
  backendKeyData: (pid: number, secret: number) => new MessageWriter().int32(pid).int32(secret).finish('K'),
  readyForQuery: (status: 'I' | 'T' | 'E') => new MessageWriter().raw(Buffer.from(status)).finish('Z'),
  negotiateProtocolVersion: (minor: number, unsupported: string[]) => {
    const w = new MessageWriter().int32(PROTOCOL_3_0 + minor).int32(unsupported.length);
    for (const o of unsupported) w.cstring(o);
    return w.finish('v');
  },
  rowDescription: (fields: PgField[]) => {
    const w = new MessageWriter().int16(fields.length);
    for (const f of fields) w.cstring(f.name).int32(f.tableOid ?? 0).int16(f.columnId ?? 0).int32(f.typeOid).int16(f.typeSize).int32(f.typeModifier).int16(f.format);
    return w.finish('T');
  },
  dataRow: (values: (Buffer | null)[]) => {
    const w = new MessageWriter().int16(values.length);
    for (const v of values) {
      if (v === null) w.int32(-1);
      else w.int32(v.length).raw(v);
    }
    return w.finish('D');
  },
  commandComplete: (tag: string) => new MessageWriter().cstring(tag).finish('C'),
  emptyQueryResponse: () => new MessageWriter().finish('I'),
  parseComplete: () => new MessageWriter().finish('1'),
  bindComplete: () => new MessageWriter().finish('2'),
  closeComplete: () => new MessageWriter().finish('3'),
  noData: () => new MessageWriter().finish('n'),
  portalSuspended: () => new MessageWriter().finish('s'),
  parameterDescription: (oids: number[]) => {
    const w = new MessageWriter().int16(oids.length);
    for (const o of oids) w.int32(o);
    return w.finish('t');
  },
  /** ErrorResponse ('E') or NoticeResponse ('N'): S, V, C, M and optional D, H, P fields. */
  error: (e: PgErrorFields, type: 'E' | 'N' = 'E') => {
    const w = new MessageWriter();
    const field = (code: string, value: string | undefined) => {
      if (value !== undefined) w.raw(Buffer.from(code)).cstring(value);
    };
    field('S', e.severity);
    field('V', e.severity);
    field('C', e.code);
    field('M', e.message);
    field('D', e.detail);
    field('H', e.hint);
    field('P', e.position === undefined ? undefined : String(e.position));
    w.int8(0);
    return w.finish(type);
  },
};

export interface PgErrorFields {
  severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement */
  position?: number;
}

/** An error to answer with an ErrorResponse; `fatal` closes the connection after it. */
export class PgError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: { detail?: string; hint?: string; position?: number; fatal?: boolean } = {},
  ) {
    super(message);
  }

  fields(): PgErrorFields {
    return { severity: this.extra.fatal ? 'FATAL' : 'ERROR', code: this.code, message: this.message, detail: this.extra.detail, hint: this.extra.hint, position: this.extra.position };
  }
}
