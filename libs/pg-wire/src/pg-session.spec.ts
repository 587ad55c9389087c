import { PgCatalog } from './pg-catalog';
import { BodyReader, PgError } from './pg-messages';
import { PgSession, SESSION_LIMITS, type PgBackend, type PgRowSource } from './pg-session';

/** A stand-in query path: `SELECT n` statements yield rows 0..n-1; `FAIL` raises a refusal; it records what it ran. */
class Backend implements PgBackend {
  readonly catalog = new PgCatalog(async () => ['orders', 'pg_events']);
  readonly ran: string[] = [];
  authenticate = async () => undefined;

  async query(sql: string, _p: unknown, signal: AbortSignal): Promise<PgRowSource> {
    this.ran.push(sql);
    if (/FAIL/.test(sql)) throw new PgError('42501', 'refused');
    if (/SLOW/.test(sql)) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new PgError('57014', 'canceling statement due to user request'))));
    const n = Number(/(\d+)/.exec(sql)?.[1] ?? 1);
    return {
      columns: [{ name: 'i', type: 'BIGINT' }],
      rowCount: n,
      truncated: false,
      readText: async (offset, limit) => Array.from({ length: Math.max(0, Math.min(limit, n - offset)) }, (_, k) => [String(offset + k)]),
      close: () => undefined,
    };
  }
}

const i16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const cstr = (s: string) => Buffer.from(`${s}\0`);

/** Runs messages through a session; returns what it answered as [type, detail] pairs. */
async function exchange(session: PgSession, out: Buffer[], messages: [string, Buffer][]): Promise<string[]> {
  out.length = 0;
  for (const [type, body] of messages) await session.handle(type, body);
  const all = Buffer.concat(out);
  const seen: string[] = [];
  for (let at = 0; at < all.length; ) {
    const type = String.fromCharCode(all[at]);
    const len = all.readInt32BE(at + 1);
    const r = new BodyReader(all.subarray(at + 5, at + 1 + len));
    if (type === 'D') {
      r.int16();
      const l = r.int32();
      seen.push(`D:${r.bytes(l).toString()}`);
    } else if (type === 'C') seen.push(`C:${r.cstring()}`);
    else if (type === 'E') {
      const fields: Record<string, string> = {};
      for (let code = r.bytes(1).toString(); code !== '\0'; code = r.bytes(1).toString()) fields[code] = r.cstring();
      seen.push(`E:${fields.C}`);
    } else if (type === 'Z') seen.push(`Z:${r.bytes(1).toString()}`);
    else seen.push(type);
    at += 1 + len;
  }
  return seen;
}

function setup() {
  const backend = new Backend();
  const out: Buffer[] = [];
  const session = new PgSession(backend, { id: 't', roles: new Set(['query']) }, async (b) => void out.push(b), {});
  return { backend, session, run: (messages: [string, Buffer][]) => exchange(session, out, messages) };
}

const parse = (sql: string, name = '') => ['P', Buffer.concat([cstr(name), cstr(sql), i16(0)])] as [string, Buffer];
const bind = (params: string[], portal = '', statement = '') =>
  ['B', Buffer.concat([cstr(portal), cstr(statement), i16(0), i16(params.length), ...params.flatMap((p) => [i32(Buffer.byteLength(p)), Buffer.from(p)]), i16(0)])] as [string, Buffer];
const execute = (maxRows = 0, portal = '') => ['E', Buffer.concat([cstr(portal), i32(maxRows)])] as [string, Buffer];
const describeMessage = (kind: 'S' | 'P', name = '') => ['D', Buffer.concat([Buffer.from(kind), cstr(name)])] as [string, Buffer];
const sync = ['S', Buffer.alloc(0)] as [string, Buffer];
const query = (sql: string) => ['Q', cstr(sql)] as [string, Buffer];

describe('PgSession', () => {
  it('runs several statements of one simple Query, answering session commands itself', async () => {
    const { run, backend } = setup();
    expect(await run([query("SET application_name = 'x'; SELECT 2; SHOW application_name")])).toEqual(['C:SET', 'T', 'D:0', 'D:1', 'C:SELECT 2', 'T', 'D:x', 'C:SHOW', 'Z:I']);
    expect(backend.ran).toEqual(['SELECT 2']);
    expect(await run([query('')])).toEqual(['I', 'Z:I']);
  });

  it('suspends a portal at its row limit and resumes it, a page at a time', async () => {
    const { run } = setup();
    expect(await run([parse('SELECT 5'), bind([], 'c'), describeMessage('P', 'c'), execute(2, 'c'), ['H', Buffer.alloc(0)]])).toEqual(['1', '2', 'T', 'D:0', 'D:1', 's']);
    expect(await run([execute(2, 'c')])).toEqual(['D:2', 'D:3', 's']);
    expect(await run([execute(2, 'c'), ['C', Buffer.concat([Buffer.from('P'), cstr('c')])], sync])).toEqual(['D:4', 'C:SELECT 1', '3', 'Z:I']);
  });

  it('binds parameters as quoted literals', async () => {
    const { run, backend } = setup();
    await run([parse('SELECT 1 WHERE x = $1 AND y = $2'), bind(["o'k", '3']), execute(), sync]);
    expect(backend.ran).toEqual(["SELECT 1 WHERE x = 'o''k' AND y = '3'"]);
  });

  it('after an error skips to Sync, then works again', async () => {
    const { run } = setup();
    expect(await run([parse('SELECT FAIL'), bind([]), describeMessage('P'), execute(), sync])).toEqual(['1', '2', 'E:42501', 'Z:I']);
    expect(await run([parse('SELECT 1'), bind([]), execute(), sync])).toEqual(['1', '2', 'D:0', 'C:SELECT 1', 'Z:I']);
  });

  it('tracks the transaction status drivers read, and refuses statements in a failed transaction until ROLLBACK', async () => {
    const { run } = setup();
    expect(await run([query('BEGIN')])).toEqual(['C:BEGIN', 'Z:T']);
    expect(await run([query('SELECT FAIL')])).toEqual(['E:42501', 'Z:E']);
    expect(await run([query('SELECT 1')])).toEqual(['E:25P02', 'Z:E']);
    expect(await run([query('ROLLBACK')])).toEqual(['C:ROLLBACK', 'Z:I']);
  });

  it('answers an unknown statement with a syntax error, and DECLARE/FETCH/CLOSE as cursors', async () => {
    const { run } = setup();
    expect(await run([query('SELEC 1')])).toEqual(['E:42601', 'Z:I']);
    expect(await run([query('BEGIN; DECLARE "c" CURSOR WITHOUT HOLD FOR SELECT 3')])).toEqual(['C:BEGIN', 'C:DECLARE CURSOR', 'Z:T']);
    expect(await run([query('FETCH FORWARD 2 FROM "c"')])).toEqual(['T', 'D:0', 'D:1', 'C:FETCH 2', 'Z:T']);
    expect(await run([query('FETCH FORWARD 2 FROM "c"')])).toEqual(['T', 'D:2', 'C:FETCH 1', 'Z:T']);
    expect(await run([query('CLOSE "c"; COMMIT')])).toEqual(['C:CLOSE CURSOR', 'C:COMMIT', 'Z:I']);
    expect(await run([query('FETCH 1 FROM c')])).toEqual(['E:34000', 'Z:I']);
  });

  it('cancel() interrupts the running statement with 57014', async () => {
    const { run, session } = setup();
    const answer = run([query('SELECT SLOW')]);
    await new Promise((r) => setImmediate(r));
    session.cancel();
    expect(await answer).toEqual(['E:57014', 'Z:I']);
  });

  it('runs a statement that reads a stream over the streams, even with a catalog function or a pg_ name (not 0 rows from the empty mirror)', async () => {
    const { run, backend } = setup();
    await run([query('SELECT quote_ident(partition_key) FROM orders')]);
    await run([query('SELECT count(*) FROM pg_events')]);
    await run([query('SELECT count(*) FROM "public"."pg_events" e JOIN orders o ON true')]);
    expect(backend.ran).toHaveLength(3);
  });

  it('refuses a statement that reads a stream and a system catalog together with 0A000', async () => {
    const { run, backend } = setup();
    expect(await run([query('SELECT * FROM orders JOIN pg_catalog.pg_class c ON true')])).toEqual(['E:0A000', 'Z:I']);
    expect(await run([query('SELECT * FROM pg_class JOIN orders ON true')])).toEqual(['E:0A000', 'Z:I']);
    expect(backend.ran).toEqual([]);
  });

  it('caps prepared statements, portals and cursors per session with 53400', async () => {
    const { run } = setup();
    const parses = Array.from({ length: SESSION_LIMITS.preparedStatements }, (_, i) => parse('SELECT 1', `s${i}`));
    expect((await run([...parses, sync])).filter((m) => m === '1')).toHaveLength(SESSION_LIMITS.preparedStatements);
    expect(await run([parse('SELECT 1', 'one-more'), sync])).toEqual(['E:53400', 'Z:I']);
    const binds = Array.from({ length: SESSION_LIMITS.portals }, (_, i) => bind([], `p${i}`, 's0'));
    expect((await run([...binds, ['H', Buffer.alloc(0)]])).filter((m) => m === '2')).toHaveLength(SESSION_LIMITS.portals);
    expect(await run([bind([], 'one-more', 's0'), sync])).toContain('E:53400');
    const declares = Array.from({ length: SESSION_LIMITS.cursors }, (_, i) => `DECLARE c${i} CURSOR WITH HOLD FOR SELECT 1`).join('; ');
    expect(await run([query(declares)])).not.toContain('E:53400');
    expect(await run([query('DECLARE c_more CURSOR WITH HOLD FOR SELECT 1')])).toEqual(['E:53400', 'Z:I']);
  });
});
