import { BodyReader, msg, PgError, type PgField } from './pg-messages';
import type { PgCatalog } from './pg-catalog';
import { pgErrorOf } from './pg-errors';
import { bindParameters, leadingWords, parameterCount, routeStatement, splitStatements, stripPublicSchema } from './pg-sql';
import { decodeParameter, encodeValue, fieldOf, OID, sqlLiteral } from './pg-values';

/** Who is connected: the token's principal (service-kit's Principal). */
export interface PgPrincipal {
  id: string;
  roles: ReadonlySet<string>;
  streams?: ReadonlySet<string>;
}

/** A stream query's result, read in pages (it stays in the engine until closed). */
export interface PgRowSource {
  readonly columns: { name: string; type: string }[];
  readonly rowCount: number;
  readonly truncated: boolean;
  /** rows [offset, offset+limit) in PostgreSQL text output, NULL as null */
  readText(offset: number, limit: number): Promise<(string | null)[][]>;
  close(): void;
}

/** What the session runs statements on: the gateway's query path and the catalog mirror. */
export interface PgBackend {
  /** the password is an API token; undefined when it is not one, or lacks the `query` role */
  authenticate(password: string): Promise<PgPrincipal | undefined>;
  /** a statement over the streams, through the gateway's planner, sandbox, admission and per-stream checks */
  query(sql: string, principal: PgPrincipal, signal: AbortSignal): Promise<PgRowSource>;
  catalog: PgCatalog;
}

/** The session settings reported at start-up and answered by SHOW; SET changes only what SHOW answers. */
export const DEFAULT_SETTINGS: Record<string, string> = {
  server_version: '16.0',
  server_version_num: '160000',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  datestyle: 'ISO, MDY',
  intervalstyle: 'postgres',
  timezone: 'UTC',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
  is_superuser: 'off',
  search_path: '"$user", public',
  transaction_isolation: 'read committed',
  transaction_read_only: 'on',
  default_transaction_read_only: 'on',
  extra_float_digits: '1',
  statement_timeout: '0',
  lock_timeout: '0',
  max_identifier_length: '63',
  application_name: '',
};

/** Names as ParameterStatus reports them (psql and pgJDBC read these). */
export const REPORTED_SETTINGS = ['server_version', 'server_encoding', 'client_encoding', 'DateStyle', 'IntervalStyle', 'TimeZone', 'integer_datetimes', 'standard_conforming_strings', 'is_superuser', 'application_name'];

/** Rows of a finished statement, or of none (a command). */
interface Outcome {
  fields?: PgField[];
  tag: (rows: number) => string;
  /** the next rows, at most `max`; [] when there are no more */
  next(max: number): Promise<(Buffer | null)[][]>;
  close(): void;
  /** whether every row has been sent (absent: the outcome has no more after one `next`) */
  exhausted?: () => boolean;
  empty?: boolean;
}

interface Prepared {
  sql: string;
  paramTypes: number[];
}

interface Portal {
  statement: Prepared;
  params: (string | null)[];
  formats: number[];
  outcome?: Outcome;
}

const PAGE_ROWS = 2000;

/** First words of statements PostgreSQL or DuckDB know; anything else is a syntax error (42601), not a refusal. */
const STATEMENT_KEYWORDS = new Set(
  ('SELECT WITH VALUES TABLE FROM INSERT UPDATE DELETE MERGE CREATE DROP ALTER COPY ATTACH DETACH PRAGMA INSTALL LOAD CALL EXPORT IMPORT ' +
    'GRANT REVOKE TRUNCATE EXPLAIN ANALYZE VACUUM CHECKPOINT USE SUMMARIZE DESCRIBE PIVOT UNPIVOT PREPARE EXECUTE COMMENT LOCK REINDEX CLUSTER REFRESH SECURITY DO')
    .split(' '),
);

/** A cursor name as PostgreSQL folds it: quoted kept as is, unquoted lower-cased. */
const identifier = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase());

/** Per session: what a client may keep open at once (each holds memory, a portal or cursor a result); more is 53400. */
export const SESSION_LIMITS = { preparedStatements: 1000, portals: 100, cursors: 20 };

const command = (tag: string): Outcome => ({ tag: () => tag, next: async () => [], close: () => undefined });

/**
 * One client connection after start-up: the simple and extended query protocols over the gateway's query path.
 * Messages are handled one at a time, in order; `cancel()` (a CancelRequest with this session's key) interrupts the
 * running statement.
 */
export class PgSession {
  private readonly statements = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();
  /** SQL cursors (DECLARE ... CURSOR FOR): psycopg2's named cursors */
  private readonly cursors = new Map<string, { outcome: Outcome; hold: boolean }>();
  private readonly settings = { ...DEFAULT_SETTINGS };
  private tx: 'I' | 'T' | 'E' = 'I';
  /** after an error in the extended protocol, messages are skipped until Sync */
  private skipToSync = false;
  private running?: AbortController;

  constructor(
    private readonly backend: PgBackend,
    private readonly principal: PgPrincipal,
    private readonly write: (chunk: Buffer) => Promise<void>,
    startupParams: Record<string, string>,
  ) {
    if (startupParams.application_name) this.settings.application_name = startupParams.application_name;
  }

  setting(name: string): string {
    return this.settings[name.toLowerCase()] ?? '';
  }

  /** Interrupts the statement running now, if any (CancelRequest, or the client went away). */
  cancel(): void {
    this.running?.abort();
  }

  close(): void {
    this.cancel();
    for (const p of this.portals.values()) p.outcome?.close();
    this.portals.clear();
    this.closeCursors(true);
  }

  /** Closes the SQL cursors; at the end of a transaction only those declared WITHOUT HOLD. */
  private closeCursors(all: boolean): void {
    for (const [name, cursor] of this.cursors) {
      if (all || !cursor.hold) {
        cursor.outcome.close();
        this.cursors.delete(name);
      }
    }
  }

  /** Handles one message; returns false on Terminate. */
  async handle(type: string, body: Buffer): Promise<boolean> {
    if (type === 'X') return false;
    if (type === 'Q') {
      await this.simpleQuery(new BodyReader(body).cstring());
      return true;
    }
    if (type === 'S') {
      this.skipToSync = false;
      // an implicit transaction ends at Sync: the unnamed portal goes
      this.dropPortal('');
      await this.write(msg.readyForQuery(this.tx));
      return true;
    }
    if (type === 'H') return true; // Flush: we write as we go
    if (this.skipToSync) return true;
    try {
      switch (type) {
        case 'P':
          await this.parse(new BodyReader(body));
          break;
        case 'B':
          await this.bind(new BodyReader(body));
          break;
        case 'D':
          await this.describe(new BodyReader(body));
          break;
        case 'E':
          await this.execute(new BodyReader(body));
          break;
        case 'C':
          await this.closeTarget(new BodyReader(body));
          break;
        case 'd':
        case 'c':
        case 'f':
          throw new PgError('0A000', 'COPY is not supported');
        default:
          throw new PgError('08P01', `unexpected message type ${JSON.stringify(type)}`);
      }
    } catch (err) {
      this.skipToSync = true;
      if (this.tx === 'T') this.tx = 'E';
      await this.write(msg.error(pgErrorOf(err).fields()));
    }
    return true;
  }

  private async simpleQuery(text: string): Promise<void> {
    const statements = splitStatements(text);
    if (statements.length === 0) await this.write(msg.emptyQueryResponse());
    for (const sql of statements) {
      try {
        const outcome = await this.start({ statement: { sql, paramTypes: [] }, params: [], formats: [] });
        try {
          if (outcome.fields) await this.write(msg.rowDescription(outcome.fields));
          const sent = await this.sendRows(outcome, Number.POSITIVE_INFINITY);
          await this.write(msg.commandComplete(outcome.tag(sent.count)));
        } finally {
          outcome.close();
        }
      } catch (err) {
        if (this.tx === 'T') this.tx = 'E';
        await this.write(msg.error(pgErrorOf(err).fields()));
        break;
      }
    }
    await this.write(msg.readyForQuery(this.tx));
  }

  private async parse(r: BodyReader): Promise<void> {
    const name = r.cstring();
    const sql = r.cstring();
    const n = r.int16();
    const paramTypes: number[] = [];
    for (let i = 0; i < n; i++) paramTypes.push(r.int32());
    if (name !== '' && this.statements.has(name)) throw new PgError('42P05', `prepared statement "${name}" already exists`);
    const statements = splitStatements(sql);
    if (statements.length > 1) throw new PgError('42601', 'cannot insert multiple commands into a prepared statement');
    if (name !== '' && this.statements.size >= SESSION_LIMITS.preparedStatements) throw new PgError('53400', `too many prepared statements in this session (at most ${SESSION_LIMITS.preparedStatements})`);
    this.statements.set(name, { sql: statements[0] ?? '', paramTypes });
    await this.write(msg.parseComplete());
  }

  private async bind(r: BodyReader): Promise<void> {
    const portalName = r.cstring();
    const statementName = r.cstring();
    const statement = this.statements.get(statementName);
    if (!statement) throw new PgError('26000', `prepared statement "${statementName}" does not exist`);
    const formatCount = r.int16();
    const paramFormats: number[] = [];
    for (let i = 0; i < formatCount; i++) paramFormats.push(r.int16());
    const n = r.int16();
    const params: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      const len = r.int32();
      const raw = len < 0 ? null : r.bytes(len);
      const format = paramFormats.length === 1 ? paramFormats[0] : (paramFormats[i] ?? 0);
      params.push(decodeParameter(raw, format, statement.paramTypes[i] ?? 0));
    }
    const resultCount = r.int16();
    const formats: number[] = [];
    for (let i = 0; i < resultCount; i++) formats.push(r.int16());
    this.dropPortal(portalName);
    if (portalName !== '' && this.portals.size >= SESSION_LIMITS.portals) throw new PgError('53400', `too many open portals in this session (at most ${SESSION_LIMITS.portals})`);
    this.portals.set(portalName, { statement, params, formats });
    await this.write(msg.bindComplete());
  }

  private async describe(r: BodyReader): Promise<void> {
    const kind = String.fromCharCode(r.bytes(1)[0]);
    const name = r.cstring();
    if (kind === 'S') {
      const statement = this.statements.get(name);
      if (!statement) throw new PgError('26000', `prepared statement "${name}" does not exist`);
      const { paramTypes, fields } = await this.describeStatement(statement);
      await this.write(msg.parameterDescription(paramTypes));
      await this.write(fields ? msg.rowDescription(fields) : msg.noData());
      return;
    }
    const portal = this.portals.get(name);
    if (!portal) throw new PgError('34000', `portal "${name}" does not exist`);
    portal.outcome ??= await this.start(portal);
    await this.write(portal.outcome.fields ? msg.rowDescription(portal.outcome.fields) : msg.noData());
  }

  private async execute(r: BodyReader): Promise<void> {
    const name = r.cstring();
    const maxRows = r.int32();
    const portal = this.portals.get(name);
    if (!portal) throw new PgError('34000', `portal "${name}" does not exist`);
    portal.outcome ??= await this.start(portal);
    const outcome = portal.outcome;
    if (outcome.empty) {
      await this.write(msg.emptyQueryResponse());
      return;
    }
    const sent = await this.sendRows(outcome, maxRows > 0 ? maxRows : Number.POSITIVE_INFINITY);
    if (sent.more) {
      await this.write(msg.portalSuspended());
    } else {
      await this.write(msg.commandComplete(outcome.tag(sent.count)));
    }
  }

  private async closeTarget(r: BodyReader): Promise<void> {
    const kind = String.fromCharCode(r.bytes(1)[0]);
    const name = r.cstring();
    if (kind === 'S') this.statements.delete(name);
    else this.dropPortal(name);
    await this.write(msg.closeComplete());
  }

  private dropPortal(name: string): void {
    this.portals.get(name)?.outcome?.close();
    this.portals.delete(name);
  }

  /** Sends up to `max` rows; `more` when the outcome has rows left (the portal is suspended). */
  private async sendRows(outcome: Outcome, max: number): Promise<{ count: number; more: boolean }> {
    if (!outcome.fields) return { count: 0, more: false };
    let count = 0;
    const signal = (this.running = new AbortController()).signal;
    try {
      while (count < max) {
        const rows = await outcome.next(Math.min(PAGE_ROWS, max - count));
        if (signal.aborted) throw new PgError('57014', 'canceling statement due to user request');
        if (rows.length === 0) return { count, more: false };
        await this.write(Buffer.concat(rows.map((row) => msg.dataRow(row))));
        count += rows.length;
      }
      // exactly `max` sent: look ahead for one more page to know whether the portal is done
      const peek = await outcome.next(0);
      return { count, more: peek.length > 0 || !(await this.exhausted(outcome)) };
    } finally {
      this.running = undefined;
    }
  }

  private async exhausted(outcome: Outcome): Promise<boolean> {
    return outcome.exhausted?.() ?? true;
  }

  /** Catalog mirror or streams (pg-sql's routeStatement), by the catalogued stream names. */
  private async route(sql: string): Promise<'catalog' | 'streams'> {
    return routeStatement(sql, await this.backend.catalog.streamNames());
  }

  /** What a prepared statement takes and returns, without running it over the streams' records. */
  private async describeStatement(statement: Prepared): Promise<{ paramTypes: number[]; fields?: PgField[] }> {
    const count = parameterCount(statement.sql);
    const paramTypes = Array.from({ length: count }, (_, i) => statement.paramTypes[i] || OID.text);
    const words = leadingWords(statement.sql);
    if (!['SELECT', 'WITH', 'VALUES', 'TABLE', 'FROM', 'SHOW'].includes(words[0] ?? '')) return { paramTypes };
    if (words[0] === 'SHOW') return { paramTypes, fields: [fieldOf(words[1]?.toLowerCase() ?? 'setting', 'VARCHAR', 0)] };
    if ((await this.route(statement.sql)) === 'catalog') {
      const described = await this.backend.catalog.run(statement.sql, [], [], this.principal.streams, true);
      return { paramTypes: described.paramTypes.length === count ? described.paramTypes : paramTypes, fields: described.fields };
    }
    // the columns come from the engine: the statement with NULL parameters, planned but cut to no rows
    const sql = `SELECT * FROM (\n${bindParameters(stripPublicSchema(statement.sql), () => 'NULL')}\n) AS q LIMIT 0`;
    const source = await this.withCancel((signal) => this.backend.query(sql, this.principal, signal));
    source.close();
    return { paramTypes, fields: source.columns.map((c) => fieldOf(c.name, c.type, 0)) };
  }

  private async withCancel<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = (this.running = new AbortController());
    try {
      return await work(controller.signal);
    } finally {
      this.running = undefined;
    }
  }

  /** Runs a statement: session commands here, catalog statements on the mirror, the rest through the query path. */
  private async start(portal: Portal): Promise<Outcome> {
    const { sql } = portal.statement;
    const words = leadingWords(sql, 4);
    if (words.length === 0) return { ...command(''), empty: true };
    if (this.tx === 'E' && !['COMMIT', 'ROLLBACK', 'END', 'ABORT'].includes(words[0])) {
      throw new PgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
    }
    switch (words[0]) {
      case 'BEGIN':
      case 'START':
        // reads only: a transaction is a no-op, kept so drivers that open one (psycopg2, pgJDBC) work
        this.tx = 'T';
        return command(words[0] === 'START' ? 'START TRANSACTION' : 'BEGIN');
      case 'COMMIT':
      case 'END':
        this.tx = 'I';
        this.closeCursors(false);
        return command('COMMIT');
      case 'ROLLBACK':
      case 'ABORT':
        this.tx = 'I';
        this.closeCursors(false);
        return command('ROLLBACK');
      case 'SET':
        this.set(sql);
        return command('SET');
      case 'RESET':
        if (words[1] === 'ALL') Object.assign(this.settings, DEFAULT_SETTINGS);
        else if (words[1]) this.settings[words[1].toLowerCase()] = DEFAULT_SETTINGS[words[1].toLowerCase()] ?? '';
        return command('RESET');
      case 'SHOW':
        return this.show(words.slice(1).join(' ').toLowerCase());
      case 'DISCARD':
        return command(`DISCARD ${words[1] ?? 'ALL'}`);
      case 'DEALLOCATE': {
        const name = (words[1] === 'PREPARE' ? words[2] : words[1])?.toLowerCase();
        if (name === 'all') this.statements.clear();
        else if (name) this.statements.delete(name);
        return command('DEALLOCATE');
      }
      case 'DECLARE':
        return this.declare(portal);
      case 'FETCH':
        return this.fetch(sql);
      case 'CLOSE': {
        const name = /^\s*CLOSE\s+(.+?)\s*;?\s*$/is.exec(sql)?.[1] ?? '';
        if (name.toUpperCase() === 'ALL') this.closeCursors(true);
        else {
          const cursor = this.cursors.get(identifier(name));
          if (!cursor) throw new PgError('34000', `cursor "${identifier(name)}" does not exist`);
          cursor.outcome.close();
          this.cursors.delete(identifier(name));
        }
        return command('CLOSE CURSOR');
      }
      case 'MOVE':
        throw new PgError('0A000', 'MOVE is not supported: cursors read forward only');
      case 'LISTEN':
      case 'UNLISTEN':
      case 'NOTIFY':
        throw new PgError('0A000', `${words[0]} is not supported`);
    }
    if (!STATEMENT_KEYWORDS.has(words[0])) throw new PgError('42601', `syntax error at or near "${words[0].toLowerCase()}"`);
    const params = portal.params;
    const count = parameterCount(sql);
    if (params.length < count) throw new PgError('08P01', `the statement takes ${count} parameters, ${params.length} were bound`);
    if ((await this.route(sql)) === 'catalog') {
      const result = await this.backend.catalog.run(sql, params, portal.formats, this.principal.streams);
      let at = 0;
      return {
        fields: result.fields,
        tag: (n) => (result.fields ? `SELECT ${n}` : result.tag),
        next: async (max) => {
          const rows = result.rows.slice(at, at + max);
          at += rows.length;
          return rows;
        },
        exhausted: () => at >= result.rows.length,
        close: () => undefined,
      };
    }
    const bound = bindParameters(stripPublicSchema(sql), (n) => sqlLiteral(params[n - 1] ?? null, portal.statement.paramTypes[n - 1] ?? 0));
    const source = await this.withCancel((signal) => this.backend.query(bound, this.principal, signal));
    const formatOf = (i: number) => (portal.formats.length === 1 ? portal.formats[0] : (portal.formats[i] ?? 0));
    const fields = source.columns.map((c, i) => fieldOf(c.name, c.type, formatOf(i)));
    let offset = 0;
    let noticed = false;
    return {
      fields,
      tag: (n) => `SELECT ${n}`,
      next: async (max) => {
        if (max === 0 || offset >= source.rowCount) {
          if (offset >= source.rowCount && source.truncated && !noticed) {
            noticed = true;
            await this.write(msg.error({ severity: 'WARNING', code: '01000', message: `the result was cut at ${source.rowCount} rows (FLUX_QUERY_MAX_ROWS)` }, 'N'));
          }
          return [];
        }
        const rows = await source.readText(offset, max);
        offset += rows.length;
        return rows.map((row) => row.map((v, i) => encodeValue(v, fields[i])));
      },
      exhausted: () => offset >= source.rowCount,
      close: () => source.close(),
    };
  }

  /** DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH[OUT] HOLD] FOR query: runs the query, keeps its rows for FETCH. */
  private async declare(portal: Portal): Promise<Outcome> {
    const m = /^\s*DECLARE\s+("(?:[^"]|"")+"|[\w$]+)\s+([\s\S]*?)\bCURSOR\b([\s\S]*?)\bFOR\b([\s\S]*)$/i.exec(portal.statement.sql);
    if (!m) throw new PgError('42601', 'syntax error in DECLARE: expected DECLARE name CURSOR FOR query');
    if (/\bBINARY\b/i.test(m[2]) || /\bSCROLL\b/i.test(m[2].replace(/\bNO\s+SCROLL\b/i, ''))) throw new PgError('0A000', 'only NO SCROLL text cursors are supported');
    const name = identifier(m[1]);
    if (this.cursors.has(name)) throw new PgError('42P03', `cursor "${name}" already exists`);
    if (this.cursors.size >= SESSION_LIMITS.cursors) throw new PgError('53400', `too many open cursors in this session (at most ${SESSION_LIMITS.cursors})`);
    if (this.tx !== 'T' && !/\bWITH\s+HOLD\b/i.test(m[3])) throw new PgError('25P01', 'DECLARE CURSOR can only be used in transaction blocks');
    const outcome = await this.start({ statement: { sql: m[4].trim(), paramTypes: portal.statement.paramTypes }, params: portal.params, formats: [] });
    if (!outcome.fields) {
      outcome.close();
      throw new PgError('42P11', 'a cursor must be declared for a query that returns rows');
    }
    this.cursors.set(name, { outcome, hold: /\bWITH\s+HOLD\b/i.test(m[3]) });
    return command('DECLARE CURSOR');
  }

  /** FETCH [FORWARD|NEXT] [n|ALL] [FROM|IN] name: the cursor's next rows. */
  private fetch(sql: string): Outcome {
    const m = /^\s*FETCH\s+(?:(?:FORWARD|NEXT)\s+)?(ALL|\d+)?\s*(?:FROM\s+|IN\s+)?("(?:[^"]|"")+"|[\w$]+)\s*;?\s*$/i.exec(sql);
    if (!m) throw new PgError('0A000', 'only FETCH [FORWARD] [n|ALL] FROM cursor is supported');
    const name = identifier(m[2]);
    const cursor = this.cursors.get(name)?.outcome;
    if (!cursor) throw new PgError('34000', `cursor "${name}" does not exist`);
    let left = m[1] === undefined ? 1 : m[1].toUpperCase() === 'ALL' ? Number.POSITIVE_INFINITY : Number(m[1]);
    return {
      fields: cursor.fields,
      tag: (n) => `FETCH ${n}`,
      next: async (max) => {
        if (left <= 0 || max === 0) return [];
        const rows = await cursor.next(Math.min(max, left));
        left -= rows.length;
        return rows;
      },
      exhausted: () => left <= 0 || (cursor.exhausted?.() ?? true),
      close: () => undefined,
    };
  }

  private set(sql: string): void {
    const body = sql.replace(/^\s*SET\s+(SESSION\s+|LOCAL\s+)?/i, '');
    const tz = /^TIME\s+ZONE\s+(.+)$/is.exec(body);
    const m = tz ? ['', 'timezone', tz[1]] : /^([\w."]+)\s*(?:=|\s+TO\s+)\s*(.+)$/is.exec(body);
    if (!m) return; // SET SESSION CHARACTERISTICS ..., SET TRANSACTION ...: nothing to keep
    const value = m[2].trim().replace(/;$/, '').replace(/^'(.*)'$/s, '$1').replace(/''/g, "'");
    this.settings[m[1].replace(/"/g, '').toLowerCase()] = value;
  }

  private show(name: string): Outcome {
    const key = name === 'transaction isolation level' ? 'transaction_isolation' : name.replace(/"/g, '');
    let rows: string[][];
    let fields: PgField[];
    if (key === 'all') {
      fields = ['name', 'setting', 'description'].map((n) => fieldOf(n, 'VARCHAR', 0));
      rows = Object.entries(this.settings).map(([k, v]) => [k, v, '']);
    } else {
      if (!(key in this.settings)) throw new PgError('42704', `unrecognized configuration parameter "${key}"`);
      fields = [fieldOf(key, 'VARCHAR', 0)];
      rows = [[this.settings[key]]];
    }
    let done = false;
    return {
      fields,
      tag: () => 'SHOW',
      next: async (max) => {
        if (done || max === 0) return [];
        done = true;
        return rows.map((r) => r.map((v) => Buffer.from(v, 'utf8')));
      },
      close: () => undefined,
    };
  }
}
