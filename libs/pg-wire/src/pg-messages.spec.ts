import { isLoopback } from './pg-server';
import { BodyReader, CANCEL_REQUEST, MAX_STARTUP_BYTES, MessageReader, msg, parseStartup, PgProtocolError, PROTOCOL_3_0 } from './pg-messages';

const frame = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

describe('MessageReader', () => {
  it('reassembles messages split across chunks and keeps the rest for the next call', () => {
    const r = new MessageReader();
    const bytes = Buffer.concat([frame('Q', Buffer.from('SELECT 1\0')), frame('X', Buffer.alloc(0))]);
    r.push(bytes.subarray(0, 3));
    expect(r.next(false)).toBeUndefined();
    r.push(bytes.subarray(3, 10));
    expect(r.next(false)).toBeUndefined();
    r.push(bytes.subarray(10));
    expect(r.next(false)).toEqual({ type: 'Q', body: Buffer.from('SELECT 1\0') });
    expect(r.next(false)).toEqual({ type: 'X', body: Buffer.alloc(0) });
    expect(r.next(false)).toBeUndefined();
  });

  it('refuses a length below 4 or above the cap', () => {
    const r = new MessageReader();
    const bad = Buffer.from([0x51, 0, 0, 0, 2]);
    r.push(bad);
    expect(() => r.next(false)).toThrow(PgProtocolError);
    const huge = new MessageReader();
    huge.push(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
    expect(() => huge.next(false)).toThrow(PgProtocolError);
  });

  it('refuses a message longer than the limit of the protocol state before its bytes arrive (start-up 10,000 bytes)', () => {
    const r = new MessageReader();
    const head = Buffer.alloc(4);
    head.writeInt32BE(MAX_STARTUP_BYTES + 1);
    r.push(head);
    expect(() => r.next(true, MAX_STARTUP_BYTES)).toThrow(PgProtocolError);
    // after authentication the default limit is 1 MiB, not 64
    const big = new MessageReader();
    big.push(Buffer.from([0x51, 0x00, 0x20, 0x00, 0x00]));
    expect(() => big.next(false)).toThrow(PgProtocolError);
  });

  it('assembles a message from thousands of one-byte chunks and counts what is buffered', () => {
    const r = new MessageReader();
    const bytes = Buffer.concat([frame('Q', Buffer.from(`SELECT '${'x'.repeat(5000)}'\0`)), frame('S', Buffer.alloc(0))]);
    for (let i = 0; i < bytes.length; i++) {
      r.push(bytes.subarray(i, i + 1));
      if (i < bytes.length - 6) expect(r.next(false)).toBeUndefined();
    }
    expect(r.buffered).toBe(bytes.length);
    expect(r.next(false)?.type).toBe('Q');
    expect(r.buffered).toBe(5);
    expect(r.next(false)).toEqual({ type: 'S', body: Buffer.alloc(0) });
    expect(r.buffered).toBe(0);
  });
});

describe('parseStartup', () => {
  it('reads protocol 3.0 parameters', () => {
    const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), Buffer.from('user\0flux\0database\0flux\0\0')]);
    expect(parseStartup(body)).toEqual({ code: PROTOCOL_3_0, params: { user: 'flux', database: 'flux' } });
  });

  it('reads a CancelRequest key', () => {
    const body = Buffer.alloc(12);
    body.writeInt32BE(CANCEL_REQUEST, 0);
    body.writeInt32BE(1234, 4);
    body.writeInt32BE(-5, 8);
    expect(parseStartup(body)).toEqual({ code: CANCEL_REQUEST, params: {}, cancel: { pid: 1234, secret: -5 } });
  });
});

describe('backend messages', () => {
  it('encodes RowDescription, DataRow (NULL as -1) and CommandComplete as PostgreSQL does', () => {
    const rd = msg.rowDescription([{ name: 'n', typeOid: 20, typeSize: 8, typeModifier: -1, format: 0 }]);
    expect(rd.subarray(0, 1).toString()).toBe('T');
    expect(rd.readInt32BE(1)).toBe(rd.length - 1);
    const r = new BodyReader(rd.subarray(5));
    expect([r.int16(), r.cstring(), r.int32(), r.int16(), r.int32(), r.int16(), r.int32(), r.int16()]).toEqual([1, 'n', 0, 0, 20, 8, -1, 0]);

    const dr = msg.dataRow([Buffer.from('42'), null]);
    expect([...dr]).toEqual([0x44, 0, 0, 0, 16, 0, 2, 0, 0, 0, 2, 0x34, 0x32, 0xff, 0xff, 0xff, 0xff]);
    expect(msg.commandComplete('SELECT 1').toString('latin1')).toBe('C\0\0\0\x0dSELECT 1\0');
    expect([...msg.readyForQuery('T')]).toEqual([0x5a, 0, 0, 0, 5, 0x54]);
  });

  it('encodes an ErrorResponse with severity, SQLSTATE and message fields', () => {
    const e = msg.error({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "x"' });
    const text = e.subarray(5).toString('utf8');
    expect(text).toBe('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "x"\0\0');
  });
});

describe('isLoopback', () => {
  it('knows this host from others, IPv4-mapped addresses too', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.5', '::ffff:10.0.0.5', 'fe80::1', '1.127.0.0', undefined].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});
